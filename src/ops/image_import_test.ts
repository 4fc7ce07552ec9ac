import assert from "node:assert/strict";
import { _gzip, type _RawEntry, _rawTar } from "../archive/_raw_tar_test_helper.ts";
import { ArchiveError } from "../archive/archive_error.ts";
import { DigestMismatchError, NotFoundError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { denoOciFileSystem } from "../transport/ocifile/file_system.ts";
import { digestOf } from "../types/digest.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRef } from "../types/ref.ts";
import { importImage } from "./image_import.ts";

const target = parseRef("registry.example/imported:v1");
const enc = new TextEncoder();

function run(tar: Uint8Array, name?: string) {
  const t = new MemoryTransport();
  const r = importImage(t, target, ReadableStream.from([tar]), {
    fs: denoOciFileSystem,
    ...(name !== undefined ? { name } : {}),
  });
  return { t, r };
}

async function assertNothingWritten(t: MemoryTransport): Promise<void> {
  await assert.rejects(t.tagList(target), NotFoundError);
}

/** A legacy (docker ≤ 24) save: `<id>/layer.tar` files, one a symlink to another. */
async function legacySave(diffIdOverride?: string): Promise<Uint8Array> {
  const layer = await _rawTar([{ name: "hello.txt", content: "hello" }]);
  const diffId = await digestOf(layer);
  const config = enc.encode(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [diffIdOverride ?? diffId, diffId] },
  }));
  const configName = `${(await digestOf(config)).slice(7)}.json`;
  const entries: _RawEntry[] = [
    { name: "aaa/", type: "directory" },
    { name: "aaa/VERSION", content: "1.0" },
    { name: "aaa/layer.tar", content: layer },
    { name: "bbb/", type: "directory" },
    { name: "bbb/layer.tar", type: "symlink", linkname: "../aaa/layer.tar" },
    { name: configName, content: config },
    {
      name: "manifest.json",
      content: JSON.stringify([{
        Config: configName,
        RepoTags: ["example/app:v1"],
        Layers: ["aaa/layer.tar", "bbb/layer.tar"],
      }]),
    },
    { name: "repositories", content: "{}" },
  ];
  return await _rawTar(entries);
}

Deno.test("importImage() builds a docker manifest from a legacy docker save, keeping digests", async () => {
  const { t, r } = run(await legacySave(), "example/app:v1");
  const result = await r;
  assert.equal(result.source, "docker");
  const m = await t.manifestGet(target);
  assert.equal(m.digest, result.digest);
  const json = m.json as { layers: { digest: string; mediaType: string }[] };
  const layer = await _rawTar([{ name: "hello.txt", content: "hello" }]);
  assert.deepEqual(json.layers.map((l) => l.digest), [
    await digestOf(layer),
    await digestOf(layer),
  ]);
  assert.equal(json.layers[0]?.mediaType, MediaType.DOCKER_LAYER);
});

Deno.test("importImage() refuses a layer whose DiffID differs from the config, writing nothing", async () => {
  const { t, r } = run(await legacySave(await digestOf(enc.encode("other"))));
  await assert.rejects(r, DigestMismatchError);
  await assertNothingWritten(t);
});

Deno.test("importImage() refuses a blob whose bytes do not match its name, writing nothing", async () => {
  const tar = await _rawTar([
    { name: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
    { name: "index.json", content: '{"schemaVersion":2,"manifests":[]}' },
    { name: `blobs/sha256/${"a".repeat(64)}`, content: "not a" },
  ]);
  const { t, r } = run(tar);
  await assert.rejects(
    r,
    (e: unknown) => e instanceof DigestMismatchError && e.code === "DIGEST_MISMATCH",
  );
  await assertNothingWritten(t);
});

for (const name of ["../x", "/abs"]) {
  Deno.test(`importImage() refuses a tar with the entry ${name}, writing nothing`, async () => {
    const { t, r } = run(_gzip(await _rawTar([{ name, content: "evil" }])));
    await assert.rejects(
      r,
      (e: unknown) => e instanceof ArchiveError && e.code === "LAYOUT_INVALID",
    );
    await assertNothingWritten(t);
  });
}

Deno.test("importImage() refuses a tar with neither index.json nor manifest.json", async () => {
  const { t, r } = run(await _rawTar([{ name: "README", content: "hi" }]));
  await assert.rejects(r, ArchiveError);
  await assertNothingWritten(t);
});

Deno.test("importImage() refuses an OCI layout tar missing a referenced blob, writing nothing", async () => {
  const config = enc.encode("{}");
  const manifest = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: { mediaType: MediaType.OCI_CONFIG, digest: await digestOf(config), size: 2 },
    layers: [{
      mediaType: MediaType.OCI_LAYER,
      digest: await digestOf(enc.encode("gone")),
      size: 4,
    }],
  }));
  const md = await digestOf(manifest);
  const tar = await _rawTar([
    { name: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
    {
      name: "index.json",
      content: JSON.stringify({
        schemaVersion: 2,
        manifests: [{ mediaType: MediaType.OCI_MANIFEST, digest: md, size: manifest.byteLength }],
      }),
    },
    { name: `blobs/sha256/${md.slice(7)}`, content: manifest },
    { name: `blobs/sha256/${(await digestOf(config)).slice(7)}`, content: config },
  ]);
  const { t, r } = run(tar);
  await assert.rejects(r, ArchiveError);
  await assertNothingWritten(t);
});

Deno.test("importImage() raises NotFoundError when --name matches no image", async () => {
  const { t, r } = run(await legacySave(), "other:v9");
  await assert.rejects(r, NotFoundError);
  await assertNothingWritten(t);
});

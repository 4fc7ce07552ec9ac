import assert from "node:assert/strict";
import { _decodeTar } from "../sample/_tar_test_helper.ts";
import { DigestMismatchError, NotFoundError, UsageError } from "../errors.ts";
import { openDecompressed } from "../archive/compression.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { VerifyStream } from "../verify_stream.ts";
import { digestOf } from "../types/digest.ts";
import { parseRef } from "../types/ref.ts";
import { type ExportReader, familiarName, openImageExport } from "./image_export.ts";

const repo = parseRef("registry.example/sample");

async function files(tar: ReadableStream<Uint8Array>): Promise<Map<string, Uint8Array>> {
  const plain = await openDecompressed(tar);
  const bytes = await new Response(plain.body).bytes();
  return new Map((await _decodeTar(bytes)).map((e) => [e.header.name, e.data]));
}

Deno.test("openImageExport() writes index.json names, manifest.json and verified blobs", async () => {
  const t = new MemoryTransport();
  const s = await buildSampleImages(t, repo);
  const out = await files(
    await openImageExport(t, [
      { ref: s.refs.single, name: "example/app:v1" },
      { ref: s.refs.index },
    ]),
  );
  const index = JSON.parse(new TextDecoder().decode(out.get("index.json")));
  assert.deepEqual(index.manifests.map((d: { digest: string }) => d.digest), [
    s.single.manifest.digest,
    s.index.digest,
  ]);
  assert.deepEqual(index.manifests[0].annotations, {
    "io.containerd.image.name": "docker.io/example/app:v1",
    "org.opencontainers.image.ref.name": "v1",
  });
  assert.equal(
    index.manifests[1].annotations["io.containerd.image.name"],
    "registry.example/sample:v1",
  );
  const docker = JSON.parse(new TextDecoder().decode(out.get("manifest.json")));
  assert.equal(docker.length, 1, "only the single-platform image is in manifest.json");
  assert.deepEqual(docker[0].RepoTags, ["example/app:v1"]);
  for (const [name, data] of out) {
    if (!name.startsWith("blobs/sha256/") || name.endsWith("/")) continue;
    assert.equal(await digestOf(data), `sha256:${name.slice("blobs/sha256/".length)}`);
  }
  for (const img of s.images) assert.ok(out.has(`blobs/sha256/${img.layers[1]?.digest.slice(7)}`));
});

Deno.test("openImageExport() gzips with --compress and selects --platform", async () => {
  const t = new MemoryTransport();
  const s = await buildSampleImages(t, repo);
  const tar = await openImageExport(t, [{ ref: s.refs.index }], {
    compress: true,
    platform: { os: "linux", architecture: "arm64", variant: "v8" },
  });
  const out = await files(tar);
  const index = JSON.parse(new TextDecoder().decode(out.get("index.json")));
  assert.equal(index.manifests[0].digest, s.images[1]?.manifest.digest);
  assert.ok(out.has("manifest.json"));
});

Deno.test("openImageExport() fails before streaming for missing images and bad names", async () => {
  const t = new MemoryTransport();
  await buildSampleImages(t, repo);
  await assert.rejects(openImageExport(t, [{ ref: { ...repo, tag: "nope" } }]), NotFoundError);
  await assert.rejects(openImageExport(t, []), UsageError);
  await assert.rejects(
    openImageExport(t, [{ ref: { ...repo, tag: "v1" }, name: "ocidir://x" }]),
    UsageError,
  );
});

Deno.test("openImageExport() errors the stream when a blob fails verification", async () => {
  const t = new MemoryTransport();
  const s = await buildSampleImages(t, repo);
  const bad = s.single.layers[0] ?? { digest: "", size: 0 };
  const lying: ExportReader = {
    manifestGet: (r, o) => t.manifestGet(r, o),
    blobGet: async (r, digest, o) => {
      const real = await t.blobGet(r, digest, o);
      if (digest !== bad.digest) return real;
      await real.body.cancel();
      const body = ReadableStream.from([new Uint8Array(bad.size)]).pipeThrough(
        new VerifyStream({ digest, size: bad.size }),
      );
      return { descriptor: real.descriptor, body };
    },
  };
  const tar = await openImageExport(lying, [{ ref: s.refs.single }]);
  await assert.rejects(new Response(tar).bytes(), DigestMismatchError);
});

Deno.test("familiarName() drops docker.io and library/", () => {
  assert.equal(familiarName(parseRef("alpine")), "alpine:latest");
  assert.equal(familiarName(parseRef("docker.io/org/app:1")), "org/app:1");
  assert.equal(familiarName(parseRef("localhost:5000/a/b:v1")), "localhost:5000/a/b:v1");
});

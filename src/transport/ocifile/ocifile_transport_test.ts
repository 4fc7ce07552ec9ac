import assert from "node:assert/strict";
import { runTransportSuite } from "../../../tests/transport_conformance.ts";
import { _gzip, _rawTar } from "../../archive/_raw_tar_test_helper.ts";
import { ArchiveError } from "../../archive/archive_error.ts";
import { DigestMismatchError } from "../../errors.ts";
import { buildSampleImages } from "../../sample/sample_images.ts";
import { digestOf } from "../../types/digest.ts";
import { parseRef, type Ref } from "../../types/ref.ts";
import { OciFileTransport } from "./ocifile_transport.ts";

runTransportSuite({
  name: "ocifile",
  async create() {
    const base = await Deno.makeTempDir({ prefix: "ocictl_ocifile_conf_" });
    const transport = new OciFileTransport();
    const ref = (tag = ""): Ref => ({
      scheme: "ocifile",
      registry: "",
      repository: "",
      path: `${base}/image.tar`,
      tag,
      digest: "",
    });
    return { transport, ref, cleanup: () => Deno.remove(base, { recursive: true }) };
  },
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_ocifile_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("OciFileTransport writes a tar on close that a new transport reads back", async () => {
  await withDir(async (dir) => {
    const t = new OciFileTransport();
    const sample = await buildSampleImages(t, parseRef(`ocifile://${dir}/x.tar`));
    await t.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(names, ["x.tar"]);
    const again = new OciFileTransport();
    const tags = await again.tagList(parseRef(`ocifile://${dir}/x.tar`));
    assert.deepEqual(tags.filter((t) => !t.startsWith("sha256-")), ["docker", "single", "v1"]);
    const m = await again.manifestGet(parseRef(`ocifile://${dir}/x.tar:v1`));
    assert.equal(m.digest, sample.index.digest);
    await again.close();
  });
});

Deno.test("OciFileTransport leaves the tar untouched when nothing was written", async () => {
  await withDir(async (dir) => {
    const t = new OciFileTransport();
    await buildSampleImages(t, parseRef(`ocifile://${dir}/x.tar`));
    await t.close();
    const before = await Deno.stat(`${dir}/x.tar`);
    const r = new OciFileTransport();
    await r.manifestHead(parseRef(`ocifile://${dir}/x.tar:v1`));
    await r.close();
    assert.equal((await Deno.stat(`${dir}/x.tar`)).mtime?.getTime(), before.mtime?.getTime());
  });
});

Deno.test("OciFileTransport reads a gzip-compressed layout tar", async () => {
  await withDir(async (dir) => {
    const raw = new TextEncoder().encode(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
    );
    const digest = await digestOf(raw);
    const index = {
      schemaVersion: 2,
      manifests: [{
        mediaType: "application/vnd.oci.image.index.v1+json",
        digest,
        size: raw.byteLength,
        annotations: { "org.opencontainers.image.ref.name": "v1" },
      }],
    };
    const tar = await _rawTar([
      { name: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
      { name: "index.json", content: JSON.stringify(index) },
      { name: `blobs/sha256/${digest.slice(7)}`, content: raw },
    ]);
    await Deno.writeFile(`${dir}/x.tar.gz`, _gzip(tar));
    const t = new OciFileTransport();
    const m = await t.manifestGet(parseRef(`ocifile://${dir}/x.tar.gz:v1`));
    assert.equal(m.digest, digest);
    await t.close();
  });
});

Deno.test("OciFileTransport refuses tars with unsafe names or mismatched blobs, writing nothing", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/evil.tar`, await _rawTar([{ name: "../x", content: "x" }]));
    const body = new TextEncoder().encode("not what the name says");
    await Deno.writeFile(
      `${dir}/bad.tar`,
      await _rawTar([{ name: `blobs/sha256/${"0".repeat(64)}`, content: body }]),
    );
    const t = new OciFileTransport();
    await assert.rejects(t.tagList(parseRef(`ocifile://${dir}/evil.tar`)), ArchiveError);
    await assert.rejects(t.tagList(parseRef(`ocifile://${dir}/bad.tar`)), DigestMismatchError);
    await t.close();
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["bad.tar", "evil.tar"]);
  });
});

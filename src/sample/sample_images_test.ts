import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AbortedError, ErrorCode, NotFoundError } from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import type { ImageConfigJson, ImageManifestJson, IndexJson } from "../types/manifest.ts";
import { EMPTY_DESCRIPTOR, MediaType } from "../types/media_type.ts";
import type { Ref } from "../types/ref.ts";
import { _RecordingTransport } from "./_recording_transport_test_helper.ts";
import { _decodeTar, _gnuTarList, _gunzip } from "./_tar_test_helper.ts";
import {
  buildSampleImages,
  SAMPLE_ARTIFACT_TYPE,
  SAMPLE_CREATED,
  type SampleImage,
  type SampleSet,
} from "./sample_images.ts";

const repo: Ref = {
  scheme: "reg",
  registry: "localhost:5000",
  repository: "sample/images",
  path: "",
  tag: "ignored",
  digest: "",
};

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

async function readBlob(t: _RecordingTransport, d: Descriptor): Promise<Uint8Array> {
  const { body } = await t.blobGet(repo, d.digest, { size: d.size });
  return await new Response(body).bytes();
}

async function build(): Promise<{ t: _RecordingTransport; set: SampleSet }> {
  const t = new _RecordingTransport();
  const set = await buildSampleImages(t, repo);
  return { t, set };
}

function allImages(set: SampleSet): SampleImage[] {
  return [...set.images, ...set.dockerImages, set.single];
}

Deno.test("buildSampleImages() pushes the same digests on two builds", async () => {
  const a = await build();
  const b = await build();
  assert.deepEqual(a.set, b.set);
  assert.deepEqual(a.t.blobPuts, b.t.blobPuts);
  assert.deepEqual(a.t.manifestPuts.map((p) => p.digest), b.t.manifestPuts.map((p) => p.digest));
  // all manifests are distinct: no image is accidentally shared
  assert.equal(new Set(a.set.manifests.map((d) => d.digest)).size, a.set.manifests.length);
  // 2 OCI images + index + artifact + 2 Docker images + list + single
  assert.equal(a.set.manifests.length, 8);
});

Deno.test("buildSampleImages() descriptors match the sha256 and length of the stored bytes", async () => {
  const { t, set } = await build();
  for (const d of set.manifests) {
    const m = await t.manifestGet({ ...repo, tag: "", digest: d.digest });
    assert.equal(sha256(m.raw), d.digest);
    assert.equal(m.raw.byteLength, d.size);
    assert.equal(m.mediaType, d.mediaType);
  }
  assert.deepEqual(set.blobs.map((d) => d.digest), [...new Set(t.blobPuts)]);
  for (const d of set.blobs) {
    const bytes = await readBlob(t, d);
    assert.equal(sha256(bytes), d.digest);
    assert.equal(bytes.byteLength, d.size);
  }
  const descriptors = [
    set.index,
    set.artifact,
    set.artifactLayer,
    set.artifactConfig,
    set.dockerList,
    ...allImages(set).flatMap((i) => [i.manifest, i.config, ...i.layers]),
  ];
  const known = new Set([...set.manifests, ...set.blobs].map((d) => d.digest));
  for (const d of descriptors) assert.ok(known.has(d.digest), d.digest);
});

Deno.test("buildSampleImages() tags v1, docker and single but not the artifact", async () => {
  const { t, set } = await build();
  assert.deepEqual(await t.tagList(repo), ["docker", "single", "v1"]);
  assert.equal((await t.manifestHead(set.refs.index)).digest, set.index.digest);
  assert.equal((await t.manifestHead(set.refs.docker)).digest, set.dockerList.digest);
  assert.equal((await t.manifestHead(set.refs.single)).digest, set.single.manifest.digest);
  assert.equal((await t.manifestHead(set.refs.artifact)).digest, set.artifact.digest);
  assert.equal(set.refs.artifact.tag, "");
  await assert.rejects(
    t.manifestHead({ ...repo, tag: "artifact" }),
    (err: unknown) => err instanceof NotFoundError && err.code === ErrorCode.NOT_FOUND,
  );
});

Deno.test("buildSampleImages() pushes children by digest before their parents", async () => {
  const { t, set } = await build();
  const order = t.manifestPuts.map((p) => p.digest);
  const childOf = (parent: Descriptor, children: SampleImage[]) => {
    for (const c of children) {
      assert.ok(order.indexOf(c.manifest.digest) < order.indexOf(parent.digest));
      const put = t.manifestPuts.find((p) => p.digest === c.manifest.digest);
      assert.equal(put?.options?.child, true);
      assert.equal(put?.ref.tag, "");
      assert.equal(put?.ref.digest, c.manifest.digest);
    }
  };
  childOf(set.index, set.images);
  childOf(set.dockerList, set.dockerImages);
  assert.ok(order.indexOf(set.index.digest) < order.indexOf(set.artifact.digest));
  const artifactPut = t.manifestPuts.find((p) => p.digest === set.artifact.digest);
  assert.equal(artifactPut?.ref.tag, "");
  assert.equal(artifactPut?.ref.digest, set.artifact.digest);
});

Deno.test("buildSampleImages() v1 is an OCI index of linux/amd64 and linux/arm64/v8", async () => {
  const { t, set } = await build();
  const m = await t.manifestGet(set.refs.index);
  assert.equal(m.mediaType, MediaType.OCI_INDEX);
  const json = m.json as IndexJson;
  assert.deepEqual(json.manifests.map((d) => d.platform), [
    { architecture: "amd64", os: "linux" },
    { architecture: "arm64", os: "linux", variant: "v8" },
  ]);
  assert.deepEqual(
    json.manifests.map((d) => d.digest),
    set.images.map((i) => i.manifest.digest),
  );
  assert.equal(json.annotations?.["org.opencontainers.image.created"], SAMPLE_CREATED);
  assert.ok(json.annotations?.["org.opencontainers.image.description"]);
  for (const img of set.images) {
    const child = (await t.manifestGet({ ...repo, tag: "", digest: img.manifest.digest }))
      .json as ImageManifestJson;
    assert.equal(child.mediaType, MediaType.OCI_MANIFEST);
    assert.equal(child.config.mediaType, MediaType.OCI_CONFIG);
    assert.deepEqual(child.layers.map((l) => l.mediaType), [
      MediaType.OCI_LAYER_GZIP,
      MediaType.OCI_LAYER_GZIP,
    ]);
  }
});

Deno.test("buildSampleImages() docker is a Docker schema2 list of Docker images", async () => {
  const { t, set } = await build();
  const m = await t.manifestGet(set.refs.docker);
  assert.equal(m.mediaType, MediaType.DOCKER_MANIFEST_LIST);
  const json = m.json as IndexJson;
  assert.equal(json.annotations, undefined);
  assert.equal(json.manifests.length, 2);
  for (const [i, entry] of json.manifests.entries()) {
    assert.equal(entry.mediaType, MediaType.DOCKER_MANIFEST);
    assert.equal(entry.digest, set.dockerImages[i]?.manifest.digest);
    const child = (await t.manifestGet({ ...repo, tag: "", digest: entry.digest }))
      .json as ImageManifestJson;
    assert.equal(child.mediaType, MediaType.DOCKER_MANIFEST);
    assert.equal(child.config.mediaType, MediaType.DOCKER_CONFIG);
    assert.equal(child.annotations, undefined);
    assert.deepEqual(child.layers.map((l) => l.mediaType), [
      MediaType.DOCKER_LAYER_GZIP,
      MediaType.DOCKER_LAYER_GZIP,
    ]);
  }
});

Deno.test("buildSampleImages() single is one linux/amd64 OCI image", async () => {
  const { t, set } = await build();
  const m = await t.manifestGet(set.refs.single);
  assert.equal(m.mediaType, MediaType.OCI_MANIFEST);
  assert.equal(m.digest, set.single.manifest.digest);
  assert.deepEqual(set.single.platform, { architecture: "amd64", os: "linux" });
});

Deno.test("buildSampleImages() configs list the diff_ids of the gunzipped layers", async () => {
  const { t, set } = await build();
  for (const img of allImages(set)) {
    const cfg = JSON.parse(
      new TextDecoder().decode(await readBlob(t, img.config)),
    ) as ImageConfigJson;
    const diffIds: string[] = [];
    for (const layer of img.layers) diffIds.push(sha256(_gunzip(await readBlob(t, layer))));
    assert.deepEqual(cfg.rootfs, { type: "layers", diff_ids: diffIds });
    assert.deepEqual(img.diffIds, diffIds);
    assert.equal(cfg.architecture, img.platform.architecture);
    assert.equal(cfg.os, img.platform.os);
    assert.equal(cfg.variant, img.platform.variant);
    assert.equal(cfg.created, SAMPLE_CREATED);
    const runtime = cfg.config as { Env?: unknown; Cmd?: unknown; Labels?: unknown };
    assert.ok(Array.isArray(runtime.Env));
    assert.deepEqual(runtime.Cmd, ["/bin/sh"]);
    assert.equal(typeof runtime.Labels, "object");
    const nonEmpty = (cfg.history ?? []).filter((h) => h.empty_layer !== true);
    assert.equal(nonEmpty.length, diffIds.length);
  }
});

Deno.test("buildSampleImages() layers decode with modern-tar and hold the whiteouts", async () => {
  const { t, set } = await build();
  for (const img of allImages(set)) {
    const [baseDesc, appDesc] = img.layers;
    assert.ok(baseDesc && appDesc);
    const base = await _decodeTar(_gunzip(await readBlob(t, baseDesc)));
    const byName = new Map(base.map((e) => [e.header.name, e]));
    for (const name of ["etc/", "bin/", "etc/os-release", "etc/removed.conf"]) {
      assert.ok(byName.has(name), name);
    }
    assert.ok(base.some((e) => e.header.type === "symlink"));
    assert.ok(base.some((e) => e.header.type === "link"));
    const osRelease = new TextDecoder().decode(byName.get("etc/os-release")?.data);
    assert.ok(osRelease.includes(img.platform.architecture), osRelease);

    const app = (await _decodeTar(_gunzip(await readBlob(t, appDesc)))).map((e) => e.header.name);
    assert.ok(app.includes("etc/.wh.removed.conf"));
    assert.ok(app.some((n) => n.endsWith("/.wh..wh..opq")));
    assert.ok(app.includes("app/hello.txt"));
  }
});

Deno.test("buildSampleImages() layers list the same paths with GNU tar", async () => {
  const { t, set } = await build();
  for (const img of [set.images[0], set.dockerImages[1]]) {
    assert.ok(img);
    for (const layer of img.layers) {
      const bytes = await readBlob(t, layer);
      const decoded = (await _decodeTar(_gunzip(bytes))).map((e) => e.header.name);
      assert.deepEqual(await _gnuTarList(bytes), decoded);
    }
  }
});

Deno.test("buildSampleImages() artifact has the v1 index as subject", async () => {
  const { t, set } = await build();
  const indexDigest = (await t.manifestHead(set.refs.index)).digest;
  const m = await t.manifestGet(set.refs.artifact);
  const json = m.json as ImageManifestJson;
  assert.equal(json.subject?.digest, indexDigest);
  assert.equal(json.subject?.mediaType, MediaType.OCI_INDEX);
  assert.equal(json.subject?.size, set.index.size);
  assert.equal(json.artifactType, SAMPLE_ARTIFACT_TYPE);
  assert.equal(set.artifact.artifactType, SAMPLE_ARTIFACT_TYPE);
  assert.deepEqual(json.config, { ...EMPTY_DESCRIPTOR });
  assert.equal(set.artifactConfig.digest, EMPTY_DESCRIPTOR.digest);
  assert.equal(json.layers.length, 1);
  assert.ok(json.layers[0]?.annotations?.["org.opencontainers.image.title"]);
  assert.equal(json.layers[0]?.digest, set.artifactLayer.digest);
  assert.equal(json.annotations?.["org.opencontainers.image.created"], SAMPLE_CREATED);
  const referrers = await t.referrerList({ ...repo, tag: "", digest: indexDigest });
  assert.deepEqual(referrers.map((d) => [d.digest, d.artifactType]), [
    [set.artifact.digest, SAMPLE_ARTIFACT_TYPE],
  ]);
});

Deno.test("buildSampleImages() rejects an aborted signal with AbortedError and writes nothing", async () => {
  const t = new _RecordingTransport();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    buildSampleImages(t, repo, { signal: ac.signal }),
    (err: unknown) => err instanceof AbortedError && err.code === ErrorCode.ABORTED,
  );
  assert.equal(t.blobPuts.length, 0);
  assert.equal(t.manifestPuts.length, 0);
});

Deno.test("buildSampleImages() passes a transport error on and tags nothing", async () => {
  const t = new _RecordingTransport();
  t.failBlobPutAfter = 2;
  await assert.rejects(
    buildSampleImages(t, repo),
    (err: unknown) => err instanceof NotFoundError && err.code === ErrorCode.NOT_FOUND,
  );
  assert.equal(t.blobPuts.length, 2);
  assert.equal(t.manifestPuts.length, 0);
  assert.deepEqual(await t.tagList(repo), []);
});

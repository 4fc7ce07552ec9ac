import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { NotFoundError, UnsupportedMediaTypeError, UsageError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import type { IndexJson } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRef } from "../types/ref.ts";
import { addToIndex, createIndex, deleteFromIndex } from "./index_edit.ts";

async function setup() {
  const memory = new MemoryTransport();
  const sample = await buildSampleImages(memory, parseRef("example.com/a"));
  await buildSampleImages(memory, parseRef("example.com/src"));
  const client = new Client({ transports: () => memory });
  return { sample, client };
}

const TARGET = parseRef("example.com/a:idx");

Deno.test("createIndex() reads platforms from configs and adds descriptor annotations", async () => {
  const { sample, client } = await setup();
  try {
    const r = await createIndex(client, TARGET, {
      digests: [sample.single.manifest.digest, sample.single.manifest.digest],
      descAnnotations: { k: "v" },
      annotations: { top: "1" },
      artifactType: "application/x.idx",
      subject: "single",
    });
    const j = r.manifest.json as IndexJson;
    assert.equal(j.manifests.length, 1);
    assert.deepEqual(j.manifests[0]?.platform, { architecture: "amd64", os: "linux" });
    assert.deepEqual(j.manifests[0]?.annotations, { k: "v" });
    assert.deepEqual(j.annotations, { top: "1" });
    assert.equal(j.artifactType, "application/x.idx");
    assert.equal(j.subject?.digest, sample.single.manifest.digest);
    assert.equal((await client.manifestHead(TARGET)).digest, r.manifest.digest);
  } finally {
    await client.close();
  }
});

Deno.test("createIndex() copies --ref images in and keeps the chosen platforms", async () => {
  const { sample, client } = await setup();
  try {
    const r = await createIndex(client, parseRef("example.com/new:idx"), {
      refs: [parseRef("example.com/src:v1")],
      platforms: [{ os: "linux", architecture: "arm64" }],
      descPlatform: undefined,
      byDigest: true,
    });
    const j = r.manifest.json as IndexJson;
    assert.deepEqual(j.manifests.map((d) => d.digest), [sample.images[1]?.manifest.digest]);
    assert.equal(r.ref.tag, "");
    const child = await client.manifestGet(parseRef(`example.com/new@${j.manifests[0]?.digest}`));
    assert.equal(child.digest, sample.images[1]?.manifest.digest);
    await assert.rejects(client.manifestHead(parseRef("example.com/new:idx")), NotFoundError);
  } finally {
    await client.close();
  }
});

Deno.test("createIndex() rejects bad input before writing anything", async () => {
  const { sample, client } = await setup();
  try {
    const fresh = parseRef("example.com/fresh:idx");
    const cases: { o: Parameters<typeof createIndex>[2]; cls: new (...a: never[]) => Error }[] = [
      { o: { mediaType: "application/json" }, cls: UsageError },
      { o: { mediaType: MediaType.DOCKER_MANIFEST_LIST, artifactType: "a/b" }, cls: UsageError },
      { o: { refs: [parseRef("example.com/src:docker")] }, cls: UnsupportedMediaTypeError },
      {
        o: { mediaType: MediaType.DOCKER_MANIFEST_LIST, refs: [parseRef("example.com/src:v1")] },
        cls: UnsupportedMediaTypeError,
      },
      {
        o: {
          refs: [parseRef("example.com/src:v1")],
          platforms: [{ os: "linux", architecture: "s390x" }],
        },
        cls: NotFoundError,
      },
      { o: { digests: ["sha256:" + "0".repeat(64)] }, cls: NotFoundError },
      { o: { subject: "nope", digests: [sample.single.manifest.digest] }, cls: NotFoundError },
    ];
    for (const c of cases) {
      await assert.rejects(createIndex(client, fresh, c.o), (err: unknown) => {
        assert.ok(err instanceof c.cls, String(err));
        return true;
      });
    }
    await assert.rejects(client.tagList(parseRef("example.com/fresh")), NotFoundError);
  } finally {
    await client.close();
  }
});

Deno.test("createIndex() builds a Docker manifest list from Docker images", async () => {
  const { client } = await setup();
  try {
    const r = await createIndex(client, TARGET, {
      mediaType: MediaType.DOCKER_MANIFEST_LIST,
      refs: [parseRef("example.com/src:docker")],
    });
    assert.equal(r.manifest.mediaType, MediaType.DOCKER_MANIFEST_LIST);
    assert.equal((r.manifest.json as IndexJson).manifests.length, 2);
  } finally {
    await client.close();
  }
});

Deno.test("addToIndex() and deleteFromIndex() edit the index at the same tag", async () => {
  const { sample, client } = await setup();
  try {
    await createIndex(client, TARGET, { digests: [sample.single.manifest.digest] });
    const added = await addToIndex(client, TARGET, {
      refs: [parseRef("example.com/src:v1")],
      platforms: [{ os: "linux", architecture: "arm64" }],
      descPlatform: { os: "linux", architecture: "arm64", variant: "v8" },
    });
    assert.equal((added.manifest.json as IndexJson).manifests.length, 2);
    assert.equal((await client.manifestHead(TARGET)).digest, added.manifest.digest);
    await assert.rejects(
      addToIndex(client, TARGET, { refs: [parseRef("example.com/src:docker")] }),
      UnsupportedMediaTypeError,
    );
    await assert.rejects(
      addToIndex(client, sample.refs.single, { digests: [sample.single.manifest.digest] }),
      UnsupportedMediaTypeError,
    );
    const del = await deleteFromIndex(client, TARGET, {
      platforms: [{ os: "linux", architecture: "arm64" }],
    });
    assert.deepEqual((del.manifest.json as IndexJson).manifests.map((d) => d.digest), [
      sample.single.manifest.digest,
    ]);
    const del2 = await deleteFromIndex(client, TARGET, {
      digests: [sample.single.manifest.digest],
    });
    assert.equal((del2.manifest.json as IndexJson).manifests.length, 0);
    for (
      const o of [{}, { digests: [sample.index.digest] }, {
        platforms: [{ os: "linux", architecture: "amd64" }],
      }]
    ) {
      await assert.rejects(deleteFromIndex(client, TARGET, o), (err: unknown) => {
        assert.ok(err instanceof UsageError || err instanceof NotFoundError, String(err));
        return true;
      });
    }
    assert.equal((await client.manifestHead(TARGET)).digest, del2.manifest.digest);
  } finally {
    await client.close();
  }
});

import assert from "node:assert/strict";
import { DEFAULT_COPY_CONCURRENCY } from "./copy.ts";
import { ErrorCode } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import { parseRef, withDigest, withTag } from "../types/ref.ts";
import { CountingTransport } from "../../tests/ops/_counting_transport.ts";
import { CopyError } from "./copy_error.ts";
import { copyRepo } from "./repo_copy.ts";

const A = parseRef("example.com/a");
const B = parseRef("example.com/b");

async function setup() {
  const src = new CountingTransport(new MemoryTransport());
  const sample = await buildSampleImages(src, A);
  return { src, dst: new CountingTransport(new MemoryTransport()), sample };
}

Deno.test("copyRepo() copies every tag with digests unchanged", async () => {
  const { src, dst, sample } = await setup();
  const r = await copyRepo({ transport: src, ref: A }, { transport: dst, ref: B });
  assert.deepEqual(r.tags, ["docker", "single", "v1"]);
  assert.deepEqual(await dst.tagList(B), ["docker", "single", "v1"]);
  assert.equal((await dst.manifestHead(withTag(B, "docker"))).digest, sample.dockerList.digest);
});

Deno.test("copyRepo() filters with include and exclude patterns", async () => {
  const { src, dst } = await setup();
  const r = await copyRepo({ transport: src, ref: A }, { transport: dst, ref: B }, {
    include: [/^(?:.*e.*)$/],
    exclude: [/^(?:single)$/],
  });
  assert.deepEqual(r.tags, ["docker"]);
  assert.deepEqual(await dst.tagList(B), ["docker"]);
});

Deno.test("copyRepo() with newTags copies only tags missing in the target", async () => {
  const { src, dst } = await setup();
  await copyRepo({ transport: src, ref: A }, { transport: dst, ref: B }, {
    include: [/^(?:v1)$/],
  });
  const r = await copyRepo({ transport: src, ref: A }, { transport: dst, ref: B }, {
    newTags: true,
  });
  assert.deepEqual(r.tags, ["docker", "single"]);
});

Deno.test("copyRepo() with referrers copies the artifact too", async () => {
  const { src, dst, sample } = await setup();
  await copyRepo({ transport: src, ref: A }, { transport: dst, ref: B }, { referrers: true });
  const artifact = await dst.manifestHead(withDigest(B, sample.artifact.digest));
  assert.equal(artifact.digest, sample.artifact.digest);
  // without the flag the artifact stays behind
  const plain = new MemoryTransport();
  await copyRepo({ transport: src, ref: A }, { transport: plain, ref: B });
  await assert.rejects(() => plain.manifestHead(withDigest(B, sample.artifact.digest)));
});

Deno.test("copyRepo() of a missing repository fails on the source side", async () => {
  const { dst } = await setup();
  const empty = new MemoryTransport();
  await assert.rejects(
    () => copyRepo({ transport: empty, ref: A }, { transport: dst, ref: B }),
    (err: unknown) =>
      err instanceof CopyError && err.side === "source" && err.code === ErrorCode.NOT_FOUND,
  );
  assert.equal(dst.counts.manifestPut + dst.counts.blobPut, 0);
});

Deno.test("copyRepo() stops at the first failure", async () => {
  const { src, dst } = await setup();
  dst.failBlobPutAfter = 0;
  await assert.rejects(
    () => copyRepo({ transport: src, ref: A }, { transport: dst, ref: B }, { concurrent: 1 }),
    CopyError,
  );
  assert.equal(dst.counts.manifestPut, 0);
  // At most one round of the image copy's concurrent blob transfers started.
  assert.ok(dst.counts.blobPut <= DEFAULT_COPY_CONCURRENCY);
});

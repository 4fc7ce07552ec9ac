import assert from "node:assert/strict";
import { copyImage } from "../../src/ops/copy.ts";
import { copyRepo } from "../../src/ops/repo_copy.ts";
import { buildSampleImages, type SampleSet } from "../../src/sample/sample_images.ts";
import { MemoryTransport } from "../../src/transport/memory/memory_transport.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import type { Transport } from "../../src/transport/transport.ts";
import { parseRef, type Ref, withDigest, withTag } from "../../src/types/ref.ts";
import { referrersFallbackTag } from "../../src/types/referrer.ts";
import { CountingTransport } from "./_counting_transport.ts";
import { inventory } from "./_inventory.ts";

async function withDirs(n: number, fn: (dirs: string[]) => Promise<void>): Promise<void> {
  const dirs: string[] = [];
  try {
    for (let i = 0; i < n; i++) dirs.push(await Deno.makeTempDir({ prefix: "ocictl_copy_" }));
    await fn(dirs);
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
}

const TAGS = ["docker", "single", "v1"];

async function copyAll(
  src: Transport,
  from: Ref,
  dst: Transport,
  to: Ref,
): Promise<void> {
  for (const tag of TAGS) {
    await copyImage(
      { transport: src, ref: withTag(from, tag) },
      { transport: dst, ref: withTag(to, tag) },
      { referrers: true, digestTags: true },
    );
  }
}

Deno.test("copyImage() memory → ocidir → ocidir keeps every digest of the sample set", async () => {
  await withDirs(2, async ([d1, d2]) => {
    assert.ok(d1 && d2);
    const mem = new MemoryTransport();
    const a = parseRef("example.com/sample");
    const sample: SampleSet = await buildSampleImages(mem, a);
    const oci = new OciDirTransport();
    const l1 = parseRef(`ocidir://${d1}`);
    const l2 = parseRef(`ocidir://${d2}`);
    await copyAll(mem, a, oci, l1);
    await copyAll(oci, l1, oci, l2);
    await oci.close();
    const check = new OciDirTransport();
    const want = await inventory(mem, a);
    for (const l of [l1, l2]) {
      const got = await inventory(check, l);
      // the layout also holds the referrers fallback tag of the index
      const fallback = referrersFallbackTag(sample.index.digest);
      assert.deepEqual(Object.keys(got.tags).sort(), [...TAGS, fallback].sort());
      for (const t of TAGS) assert.equal(got.tags[t], want.tags[t]);
      for (const m of want.manifests) assert.ok(got.manifests.includes(m));
      assert.deepEqual(
        got.blobs.filter((b) => want.blobs.includes(b)).sort(),
        [...want.blobs].sort(),
      );
      const refs = await check.referrerList(withDigest(l, sample.index.digest));
      assert.deepEqual(refs.map((r) => r.digest), [sample.artifact.digest]);
    }
    const i1 = await inventory(check, l1);
    const i2 = await inventory(check, l2);
    assert.deepEqual(i2, i1);
    await check.close();
  });
});

Deno.test("copyImage() ocidir → memory re-copy sends nothing and stays within 2 manifest calls", async () => {
  await withDirs(1, async ([d1]) => {
    assert.ok(d1);
    const oci = new CountingTransport(new OciDirTransport());
    const l1 = parseRef(`ocidir://${d1}`);
    await buildSampleImages(oci, l1);
    const mem = new CountingTransport(new MemoryTransport());
    const b = parseRef("example.com/b");
    await copyAll(oci, l1, mem, b);
    oci.reset();
    mem.reset();
    for (const tag of TAGS) {
      await copyImage(
        { transport: oci, ref: withTag(l1, tag) },
        { transport: mem, ref: withTag(b, tag) },
      );
    }
    assert.equal(mem.counts.blobPut, 0);
    assert.equal(oci.counts.blobGet, 0);
    assert.ok(oci.manifestCalls() + mem.manifestCalls() <= 2 * TAGS.length);
    await oci.close();
  });
});

Deno.test("copyRepo() ocidir → ocidir copies every tag, then nothing more", async () => {
  await withDirs(2, async ([d1, d2]) => {
    assert.ok(d1 && d2);
    const oci = new OciDirTransport();
    const l1 = parseRef(`ocidir://${d1}`);
    const l2 = parseRef(`ocidir://${d2}`);
    await buildSampleImages(oci, l1);
    const counting = new CountingTransport(oci);
    await copyRepo({ transport: counting, ref: l1 }, { transport: counting, ref: l2 });
    const got = await inventory(oci, l2);
    const want = await inventory(oci, l1);
    assert.deepEqual(got.tags, want.tags);
    counting.reset();
    const again = await copyRepo({ transport: counting, ref: l1 }, {
      transport: counting,
      ref: l2,
    }, { newTags: true });
    assert.deepEqual(again.tags, []);
    assert.equal(counting.counts.blobPut + counting.counts.manifestPut, 0);
    await oci.close();
  });
});

import assert from "node:assert/strict";
import { ErrorCode } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import { parseRef, withDigest, withTag } from "../types/ref.ts";
import { CountingTransport } from "../../tests/ops/_counting_transport.ts";
import { copyImage } from "./copy.ts";
import { CopyError } from "./copy_error.ts";
import type { CopyEvent } from "./copy_endpoint.ts";
import { finishUpToDate, precheckCopy } from "./copy_precheck.ts";

const A = parseRef("example.com/a");
const B = parseRef("example.com/b");

async function setup() {
  const src = new CountingTransport(new MemoryTransport());
  const sample = await buildSampleImages(src, A);
  const dst = new CountingTransport(new MemoryTransport());
  await copyImage({ transport: src, ref: withTag(A, "v1") }, {
    transport: dst,
    ref: withTag(B, "v1"),
  });
  src.reset();
  dst.reset();
  return { src, dst, sample };
}

Deno.test("precheckCopy() finds a no-op copy from two HEADs, and finishUpToDate() ends it", async () => {
  const { src, dst, sample } = await setup();
  const from = { transport: src, ref: withTag(A, "v1") };
  const to = { transport: dst, ref: withTag(B, "v1") };
  const pre = await precheckCopy(from, to, {});
  assert.equal(pre.upToDate?.digest, sample.index.digest);
  assert.equal((await pre.target)?.digest, sample.index.digest);
  const skipped: CopyEvent[] = [];
  const r = finishUpToDate(pre, to, { onSkip: (e) => skipped.push(e) });
  assert.equal(r?.skipped, true);
  assert.equal(r?.digest, sample.index.digest);
  assert.deepEqual(r?.target, { ...to.ref, digest: sample.index.digest });
  assert.deepEqual(skipped.map((e) => e.digest), [sample.index.digest]);
  assert.deepEqual([src.counts.manifestHead, dst.counts.manifestHead], [1, 1]);
  assert.equal(src.counts.manifestGet + dst.counts.manifestGet, 0);
});

Deno.test("finishUpToDate() leaves referrers and digest tags to the engine, which goes on from the precheck", async () => {
  const counts = (t: CountingTransport) => ({ ...t.counts });
  for (const options of [{ referrers: true }, { digestTags: true }]) {
    // the caller's precheck, then the engine
    const a = await setup();
    const fromA = { transport: a.src, ref: withTag(A, "v1") };
    const toA = { transport: a.dst, ref: withTag(B, "v1") };
    const pre = await precheckCopy(fromA, toA, options);
    assert.ok(pre.upToDate);
    assert.equal(finishUpToDate(pre, toA, options), undefined);
    assert.equal((await copyImage(fromA, toA, options, pre)).skipped, true);
    // the engine alone, on the same start: the same calls, nothing looked up twice
    const b = await setup();
    const r = await copyImage(
      { transport: b.src, ref: withTag(A, "v1") },
      { transport: b.dst, ref: withTag(B, "v1") },
      options,
    );
    assert.equal(r.skipped, true);
    assert.deepEqual([counts(a.src), counts(a.dst)], [counts(b.src), counts(b.dst)]);
  }
  // fast: nothing left for the engine
  const { src, dst } = await setup();
  const to = { transport: dst, ref: withTag(B, "v1") };
  const options = { referrers: true, fast: true };
  const pre = await precheckCopy({ transport: src, ref: withTag(A, "v1") }, to, options);
  assert.equal(finishUpToDate(pre, to, options)?.skipped, true);
});

Deno.test("precheckCopy() reads no source for a picked platform, a forced walk or an untagged target", async () => {
  const { src, dst, sample } = await setup();
  const from = { transport: src, ref: withTag(A, "v1") };
  for (
    const [to, options] of [
      [{ transport: dst, ref: withTag(B, "v1") }, { platforms: [sample.images[0]!.platform] }],
      [{ transport: dst, ref: withTag(B, "v1") }, { forceRecursive: true }],
      [{ transport: dst, ref: withDigest(B, sample.index.digest) }, {}],
    ] as const
  ) {
    src.reset();
    const pre = await precheckCopy(from, to, options);
    assert.equal(pre.upToDate, undefined);
    assert.equal(src.counts.manifestHead, 0);
  }
  // a target without the tag: looked up, not up to date
  const missing = await precheckCopy(from, { transport: dst, ref: withTag(B, "new") }, {});
  assert.equal(await missing.target, undefined);
  assert.equal(missing.upToDate, undefined);
});

Deno.test("precheckCopy() keeps the target lookup's error for the engine, which reports it", async () => {
  const { src, dst } = await setup();
  const failing = new Proxy(dst, {
    get(t, k) {
      if (k === "manifestHead") {
        return () => Promise.reject(new Error("the registry is down"));
      }
      const v = Reflect.get(t, k, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const from = { transport: src, ref: withTag(A, "v1") };
  const to = { transport: failing, ref: withTag(B, "v1") };
  const pre = await precheckCopy(from, to, {});
  assert.equal(pre.upToDate, undefined);
  await assert.rejects(() => copyImage(from, to, {}, pre), (err: unknown) => {
    assert.ok(err instanceof CopyError);
    assert.equal(err.side, "destination");
    return true;
  });
  // aborted before it starts: nothing is asked
  const c = new AbortController();
  c.abort();
  src.reset();
  const none = await precheckCopy(from, { transport: dst, ref: withTag(B, "v1") }, {
    signal: c.signal,
  });
  assert.deepEqual(none, { target: undefined });
  assert.equal(src.counts.manifestHead, 0);
  await assert.rejects(
    () => copyImage(from, { transport: dst, ref: withTag(B, "v1") }, { signal: c.signal }, none),
    (err: unknown) => (err as { code?: string }).code === ErrorCode.ABORTED,
  );
});

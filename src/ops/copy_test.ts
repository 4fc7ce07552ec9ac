import assert from "node:assert/strict";
import { ErrorCode, NotFoundError, UsageError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages, type SampleSet } from "../sample/sample_images.ts";
import { encodeJson, type ImageManifestJson, parseManifest } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRef, type Ref, withDigest, withTag } from "../types/ref.ts";
import { referrersFallbackTag } from "../types/referrer.ts";
import { digestOf } from "../types/digest.ts";
import { CountingTransport } from "../../tests/ops/_counting_transport.ts";
import { copyImage } from "./copy.ts";
import { validateCopyOptions } from "./copy_precheck.ts";
import { CopyError } from "./copy_error.ts";
import type { CopyEvent, CopySkipReason } from "./copy_endpoint.ts";

const A = parseRef("example.com/a");
const B = parseRef("example.com/b");

async function setup(): Promise<
  { src: CountingTransport; dst: CountingTransport; sample: SampleSet }
> {
  const src = new CountingTransport(new MemoryTransport());
  const sample = await buildSampleImages(src, A);
  src.reset();
  return { src, dst: new CountingTransport(new MemoryTransport()), sample };
}

function at(t: CountingTransport, ref: Ref) {
  return { transport: t, ref };
}

async function blobCount(t: CountingTransport, repo: Ref, digests: string[]): Promise<number> {
  let n = 0;
  for (const d of digests) {
    try {
      await t.blobHead(repo, d);
      n++;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return n;
}

Deno.test("copyImage() copies an index, its children and blobs with digests unchanged", async () => {
  const { src, dst, sample } = await setup();
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  assert.equal(r.digest, sample.index.digest);
  assert.equal(r.filtered, false);
  assert.equal(r.skipped, false);
  assert.equal(r.manifests, 3);
  const blobs = sample.images.flatMap((i) => [i.config, ...i.layers]).map((d) => d.digest);
  assert.equal(r.blobs, new Set(blobs).size);
  assert.equal((await dst.manifestHead(withTag(B, "v1"))).digest, sample.index.digest);
  for (const img of sample.images) {
    assert.equal(
      (await dst.manifestGet(withDigest(B, img.manifest.digest))).digest,
      img.manifest.digest,
    );
  }
  assert.equal(await blobCount(dst, B, blobs), new Set(blobs).size);
  // children pushed as children, the top with its tag, children first
  const puts = dst.manifestPuts;
  assert.equal(puts.at(-1)?.ref.tag, "v1");
  assert.equal(puts.at(-1)?.options?.child, false);
  assert.ok(puts.slice(0, -1).every((p) => p.options?.child === true && p.ref.tag === ""));
});

Deno.test("copyImage() re-copy makes no blob puts and at most 2 manifest calls", async () => {
  const { src, dst } = await setup();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  src.reset();
  dst.reset();
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  assert.equal(r.skipped, true);
  assert.equal(dst.counts.blobPut, 0);
  assert.equal(src.counts.blobGet, 0);
  assert.ok(src.manifestCalls() + dst.manifestCalls() <= 2);
  assert.equal(dst.counts.manifestPut, 0);
  // two HEADs decide it: the source manifest is not read (nor hashed)
  assert.equal(src.counts.manifestGet, 0);
  assert.equal(src.counts.manifestHead, 1);
  assert.equal(dst.counts.manifestHead, 1);
  const top = await src.manifestHead(withTag(A, "v1"));
  assert.deepEqual(
    [r.digest, r.sourceDigest, r.size, r.mediaType, r.target.digest],
    [top.digest, top.digest, top.size, top.mediaType, top.digest],
  );
});

Deno.test("copyImage() reads the source when the target's digest differs or the source HEAD fails", async () => {
  const { src, dst, sample } = await setup();
  // the target's tag holds another manifest: the copy goes on and replaces it
  await copyImage(
    at(src, withDigest(A, sample.images[0]!.manifest.digest)),
    at(dst, withTag(B, "v1")),
  );
  src.reset();
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  assert.equal(r.skipped, false);
  assert.ok(src.counts.manifestGet >= 1);
  assert.equal((await dst.manifestHead(withTag(B, "v1"))).digest, sample.index.digest);
  // a source that fails HEAD: the GET decides, and the copy is still a no-op
  const failing = new Proxy(src, {
    get(t, k) {
      if (k === "manifestHead") return () => Promise.reject(new Error("HEAD not allowed"));
      const v = Reflect.get(t, k, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  src.reset();
  const again = await copyImage(at(failing, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  assert.equal(again.skipped, true);
  assert.equal(src.counts.manifestGet, 1);
});

Deno.test("copyImage() to another tag of an existing image pushes only the tag", async () => {
  const { src, dst } = await setup();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  dst.reset();
  src.reset();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "other")));
  assert.equal(dst.counts.blobPut, 0);
  assert.equal(dst.counts.manifestPut, 1);
  assert.equal(src.counts.blobGet, 0);
});

Deno.test("copyImage() within one repository only retags (no blob traffic)", async () => {
  const { src, sample } = await setup();
  const r = await copyImage(at(src, withTag(A, "v1")), at(src, withTag(A, "copy")));
  assert.equal(r.digest, sample.index.digest);
  assert.equal(src.counts.blobGet, 0);
  assert.equal(src.counts.blobHead, 0);
  assert.equal(src.counts.blobPut, 0);
  assert.equal(src.counts.manifestPut, 1);
  assert.equal((await src.manifestHead(withTag(A, "copy"))).digest, sample.index.digest);
});

Deno.test("copyImage() with forceRecursive re-walks children but re-sends nothing present", async () => {
  const { src, dst } = await setup();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  dst.reset();
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), {
    forceRecursive: true,
  });
  assert.equal(r.skipped, false);
  assert.equal(dst.counts.manifestPut, 3);
  assert.ok(dst.counts.blobHead >= 6);
  assert.equal(dst.counts.blobPut, 0);
});

Deno.test("copyImage() with fast skips the referrers check when up to date", async () => {
  const { src, dst } = await setup();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  src.reset();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), {
    referrers: true,
    fast: true,
  });
  assert.equal(src.counts.referrerList, 0);
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), { referrers: true });
  assert.ok(src.counts.referrerList >= 1);
  // the up-to-date check did not stop the referrer copy
  assert.equal((await dst.referrerList(withTag(B, "v1"))).length, 1);
});

Deno.test("copyImage() with platform copies only the resolved manifest", async () => {
  const { src, dst, sample } = await setup();
  const arm = sample.images[1];
  assert.ok(arm);
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "arm")), {
    platform: { os: "linux", architecture: "arm64" },
  });
  assert.equal(r.digest, arm.manifest.digest);
  assert.equal(r.sourceDigest, sample.index.digest);
  assert.equal(dst.counts.manifestPut, 1);
  assert.equal(dst.counts.blobPut, 1 + arm.layers.length);
  await assert.rejects(
    () =>
      copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "x")), {
        platform: { os: "linux", architecture: "s390x" },
      }),
    (err: unknown) => err instanceof NotFoundError && err.code === ErrorCode.NOT_FOUND,
  );
  await assert.rejects(() => dst.manifestHead(withTag(B, "x")), NotFoundError);
});

Deno.test("copyImage() with platforms writes a real filtered index with a new digest", async () => {
  const { src, dst, sample } = await setup();
  const amd = sample.images[0];
  assert.ok(amd);
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), {
    platforms: [{ os: "linux", architecture: "amd64" }],
  });
  assert.equal(r.filtered, true);
  assert.notEqual(r.digest, sample.index.digest);
  const m = await dst.manifestGet(withTag(B, "v1"));
  assert.equal(m.digest, r.digest);
  assert.equal(await digestOf(m.raw), r.digest);
  const json = m.json as { manifests: { digest: string }[]; annotations?: unknown };
  assert.deepEqual(json.manifests.map((d) => d.digest), [amd.manifest.digest]);
  assert.ok(json.annotations !== undefined);
  // both platforms: nothing dropped, digest kept
  const all = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "all")), {
    platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }],
  });
  assert.equal(all.filtered, false);
  assert.equal(all.digest, sample.index.digest);
});

Deno.test("copyImage() with referrers copies the artifact referring to the index", async () => {
  const { src, dst, sample } = await setup();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), { referrers: true });
  const list = await dst.referrerList(withDigest(B, sample.index.digest));
  assert.deepEqual(list.map((d) => d.digest), [sample.artifact.digest]);
  assert.equal(
    (await dst.blobHead(B, sample.artifactLayer.digest)).digest,
    sample.artifactLayer.digest,
  );
  const put = dst.manifestPuts.find((p) => p.ref.digest === sample.artifact.digest);
  assert.equal(put?.options?.child, false);
});

Deno.test("copyImage() with referrerFilters copies only the referrers that match one", async () => {
  const { src, dst, sample } = await setup();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), {
    referrers: true,
    referrerFilters: [{ artifactType: "application/x-other" }],
  });
  assert.deepEqual(await dst.referrerList(withDigest(B, sample.index.digest)), []);
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), {
    referrers: true,
    referrerFilters: [{ artifactType: "application/x-other" }, {
      artifactType: sample.artifact.artifactType,
    }],
  });
  const list = await dst.referrerList(withDigest(B, sample.index.digest));
  assert.deepEqual(list.map((d) => d.digest), [sample.artifact.digest]);
});

Deno.test("copyImage() with sharedBlobs takes a blob another copy moved from the target registry", async () => {
  const { src, dst, sample } = await setup();
  const sharedBlobs = new Map();
  await Promise.all([
    copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), { sharedBlobs }),
    copyImage(at(src, withTag(A, "v1")), at(dst, parseRef("example.com/c:v1")), { sharedBlobs }),
  ]);
  const blobs = new Set(
    sample.images.flatMap((i) => [i.config.digest, ...i.layers.map((l) => l.digest)]),
  );
  assert.equal(src.counts.blobGet, blobs.size);
  assert.equal(
    (await dst.manifestHead(parseRef("example.com/c:v1"))).digest,
    sample.index.digest,
  );
});

Deno.test("copyImage() without referrers leaves the artifact out", async () => {
  const { src, dst, sample } = await setup();
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  assert.deepEqual(await dst.referrerList(withDigest(B, sample.index.digest)), []);
  assert.equal(src.counts.referrerList, 0);
});

Deno.test("copyImage() reads referrers from referrersSrc and writes them to referrersTgt", async () => {
  const { src, dst, sample } = await setup();
  const sigs = parseRef("example.com/sigs");
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), {
    referrers: true,
    referrersSrc: at(src, A),
    referrersTgt: at(dst, sigs),
  });
  assert.deepEqual(
    (await dst.referrerList(withDigest(sigs, sample.index.digest))).map((d) => d.digest),
    [sample.artifact.digest],
  );
  assert.deepEqual(await dst.referrerList(withDigest(B, sample.index.digest)), []);
});

Deno.test("copyImage() with digestTags copies <alg>-<hex> tags of copied manifests", async () => {
  const { src, dst, sample } = await setup();
  const sigTag = `${referrersFallbackTag(sample.index.digest)}.sig`;
  const other = `${referrersFallbackTag(sample.single.manifest.digest)}.sig`;
  await src.manifestPut(withTag(A, sigTag), await rawOf(src, sample.refs.artifact));
  await src.manifestPut(withTag(A, other), await rawOf(src, sample.refs.artifact));
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), { digestTags: true });
  const tags = await dst.tagList(B);
  assert.ok(tags.includes(sigTag));
  assert.ok(!tags.includes(other));
  assert.equal((await dst.manifestHead(withTag(B, sigTag))).digest, sample.artifact.digest);
  // without the flag they stay behind
  const plain = new CountingTransport(new MemoryTransport());
  await copyImage(at(src, withTag(A, "v1")), at(plain, withTag(B, "v1")));
  assert.deepEqual(await plain.tagList(B), ["v1"]);
});

async function rawOf(t: CountingTransport, ref: Ref): Promise<Uint8Array> {
  return (await t.manifestGet(ref)).raw;
}

Deno.test("copyImage() skips foreign layers unless includeExternal", async () => {
  const src = new MemoryTransport();
  const body = new TextEncoder().encode("foreign layer bytes");
  const layer = await src.blobPut(A, ReadableStream.from([body]));
  const config = await src.blobPut(A, ReadableStream.from([new TextEncoder().encode("{}")]));
  const json: ImageManifestJson = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: { mediaType: MediaType.OCI_CONFIG, digest: config.digest, size: config.size },
    layers: [{
      mediaType: MediaType.OCI_LAYER_GZIP,
      digest: layer.digest,
      size: layer.size,
      urls: ["https://example.com/layer"],
    }],
  };
  await src.manifestPut(withTag(A, "f"), encodeJson(json));
  const skips: CopySkipReason[] = [];
  const dst = new MemoryTransport();
  await copyImage({ transport: src, ref: withTag(A, "f") }, {
    transport: dst,
    ref: withTag(B, "f"),
  }, {
    onSkip: (_e: CopyEvent, reason) => skips.push(reason),
  });
  assert.deepEqual(skips, ["external"]);
  await assert.rejects(() => dst.blobHead(B, layer.digest), NotFoundError);
  const dst2 = new MemoryTransport();
  await copyImage({ transport: src, ref: withTag(A, "f") }, {
    transport: dst2,
    ref: withTag(B, "f"),
  }, {
    includeExternal: true,
  });
  assert.equal((await dst2.blobHead(B, layer.digest)).size, body.byteLength);
});

Deno.test("copyImage() resumes an interrupted copy without re-sending what arrived", async () => {
  const { src, dst } = await setup();
  dst.failBlobPutAfter = 2;
  await assert.rejects(
    () => copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), { concurrency: 1 }),
    (err: unknown) => err instanceof CopyError && err.side === "destination",
  );
  await assert.rejects(() => dst.manifestHead(withTag(B, "v1")), NotFoundError);
  const sentFirst = dst.counts.blobPut - 1;
  assert.equal(sentFirst, 2);
  dst.failBlobPutAfter = undefined;
  dst.reset();
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")));
  assert.equal(r.blobs, 6 - 2);
  assert.equal(dst.counts.blobPut, 4);
});

Deno.test("copyImage() wraps a missing source in a CopyError on the source side", async () => {
  const { src, dst } = await setup();
  await assert.rejects(
    () => copyImage(at(src, withTag(A, "nope")), at(dst, withTag(B, "v1"))),
    (err: unknown) =>
      err instanceof CopyError && err.code === ErrorCode.NOT_FOUND && err.side === "source" &&
      err.op === "get manifest",
  );
  assert.equal(dst.counts.manifestPut + dst.counts.blobPut, 0);
});

Deno.test("copyImage() refuses a target digest other than the one copied", async () => {
  const { src, dst, sample } = await setup();
  await assert.rejects(
    () =>
      copyImage(at(src, withTag(A, "v1")), at(dst, withDigest(B, sample.single.manifest.digest))),
    (err: unknown) =>
      err instanceof Error && (err as { code?: string }).code === ErrorCode.DIGEST_MISMATCH,
  );
  assert.equal(dst.counts.manifestPut + dst.counts.blobPut, 0);
  const r = await copyImage(at(src, withTag(A, "v1")), at(dst, withDigest(B, sample.index.digest)));
  assert.equal(r.digest, sample.index.digest);
  assert.deepEqual(await dst.tagList(B), []);
});

Deno.test("copyImage() detects a blob whose bytes do not match its digest", async () => {
  const src = new MemoryTransport();
  const good = await src.blobPut(A, ReadableStream.from([new TextEncoder().encode("{}")]));
  const json: ImageManifestJson = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: { mediaType: MediaType.OCI_CONFIG, digest: good.digest, size: good.size + 1 },
    layers: [],
  };
  await src.manifestPut(withTag(A, "bad"), encodeJson(json));
  const dst = new CountingTransport(new MemoryTransport());
  await assert.rejects(
    () => copyImage({ transport: src, ref: withTag(A, "bad") }, at(dst, withTag(B, "bad"))),
    (err: unknown) => err instanceof CopyError && err.code === ErrorCode.SIZE_MISMATCH,
  );
  await assert.rejects(() => dst.blobHead(B, good.digest), NotFoundError);
  await assert.rejects(() => dst.manifestHead(withTag(B, "bad")), NotFoundError);
});

Deno.test("copyImage() reports progress through the hooks", async () => {
  const { src, dst } = await setup();
  const started: string[] = [];
  const done: string[] = [];
  let bytes = 0;
  await copyImage(at(src, withTag(A, "single")), at(dst, withTag(B, "single")), {
    onStart: (e) => started.push(e.kind),
    onDone: (e) => done.push(e.kind),
    onProgress: (_e, n) => bytes = Math.max(bytes, n),
  });
  assert.deepEqual(started.sort(), ["blob", "blob", "blob", "manifest"]);
  assert.deepEqual(done.sort(), ["blob", "blob", "blob", "manifest"]);
  assert.ok(bytes > 0);
});

Deno.test("copyImage() stops with ABORTED when cancelled, writing nothing after", async () => {
  const { src, dst } = await setup();
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    () =>
      copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), {
        signal: controller.signal,
      }),
    (err: unknown) => (err as { code?: string }).code === ErrorCode.ABORTED,
  );
  assert.equal(dst.counts.manifestPut + dst.counts.blobPut, 0);
});

Deno.test("copyImage() stops when the caller aborts mid-copy, and leaves no listener on its signal", async () => {
  const { src, dst } = await setup();
  const controller = new AbortController();
  let listening = 0;
  const signal = controller.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (...a: Parameters<typeof add>) => {
    listening++;
    add(...a);
  };
  signal.removeEventListener = (...a: Parameters<typeof remove>) => {
    listening--;
    remove(...a);
  };
  // a finished copy leaves nothing behind on the caller's signal
  await copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v1")), { signal });
  assert.equal(listening, 0);
  // aborted while the first blob is read: the copy ends ABORTED
  await assert.rejects(
    () =>
      copyImage(at(src, withTag(A, "v1")), at(dst, withTag(B, "v2")), {
        signal,
        forceRecursive: true,
        onStart: () => controller.abort(new Error("stop")),
      }),
    (err: unknown) => (err as { code?: string }).code === ErrorCode.ABORTED,
  );
  assert.equal(listening, 0);
});

Deno.test("validateCopyOptions() rejects conflicting options with a UsageError", () => {
  assert.throws(
    () => validateCopyOptions({ platform: { os: "linux", architecture: "amd64" }, platforms: [] }),
    UsageError,
  );
  assert.throws(() => validateCopyOptions({ platforms: [] }), UsageError);
  const t = new MemoryTransport();
  assert.throws(() => validateCopyOptions({ referrersSrc: { transport: t, ref: A } }), UsageError);
  assert.throws(() => validateCopyOptions({ referrersTgt: { transport: t, ref: A } }), UsageError);
  validateCopyOptions({ referrers: true, referrersSrc: { transport: t, ref: A } });
});

Deno.test("copyImage() copies an index whose child manifests repeat once", async () => {
  const { src, dst, sample } = await setup();
  const child = sample.images[0];
  assert.ok(child);
  const entry = { ...child.manifest, platform: child.platform };
  const raw = encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    manifests: [entry, entry],
  });
  const idx = await parseManifest(raw);
  await src.manifestPut(withTag(A, "dup"), raw);
  src.reset();
  await copyImage(at(src, withTag(A, "dup")), at(dst, withTag(B, "dup")));
  assert.equal(src.counts.manifestGet, 2);
  assert.equal(dst.counts.manifestPut, 2);
  assert.equal((await dst.manifestHead(withTag(B, "dup"))).digest, idx.digest);
});

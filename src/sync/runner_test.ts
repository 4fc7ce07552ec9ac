import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import { createImage } from "../ops/image_create.ts";
import { parseRef, type Ref, withDigest, withTag } from "../types/ref.ts";
import { digestOf } from "../types/digest.ts";
import { MediaType } from "../types/media_type.ts";
import { CountingTransport } from "../../tests/ops/_counting_transport.ts";
import { imageManifest } from "../../tests/registry/_image.ts";
import { loadSyncConfig } from "./config.ts";
import { SyncRunner } from "./runner.ts";
import type { HookInput, SyncMode, SyncRunnerOptions } from "./runner_types.ts";

const SRC = parseRef("src.example/app");
const DST = parseRef("dst.example/app");

interface World {
  t: CountingTransport;
  client: Client;
  logs: { level: string; msg: string; fields: Record<string, unknown> }[];
  push(tag: string, seed: number, created?: string): Promise<string>;
  digest(ref: Ref): Promise<string | undefined>;
  sync(
    yaml: string,
    mode?: SyncMode,
    extra?: Partial<SyncRunnerOptions>,
  ): ReturnType<SyncRunner["run"]>;
}

function world(): World {
  const t = new CountingTransport(new MemoryTransport());
  const client = new Client({ transports: () => t });
  const logs: World["logs"] = [];
  const logger = {
    info: (msg: string, fields: Record<string, unknown> = {}) =>
      logs.push({ level: "info", msg, fields }),
    warn: (msg: string, fields: Record<string, unknown> = {}) =>
      logs.push({ level: "warn", msg, fields }),
    error: (msg: string, fields: Record<string, unknown> = {}) =>
      logs.push({ level: "error", msg, fields }),
    debug: () => {},
  };
  return {
    t,
    client,
    logs,
    async push(tag, seed, created = "2024-01-01T00:00:00Z") {
      const r = await createImage(client, withTag(SRC, tag), {
        platform: { os: "linux", architecture: "amd64" },
        labels: { seed: String(seed) },
        created: new Date(created),
      });
      return r.descriptor.digest;
    },
    async digest(ref) {
      try {
        return (await t.manifestHead(ref)).digest;
      } catch {
        return undefined;
      }
    },
    sync(yaml, mode = "once", extra = {}) {
      const { config } = loadSyncConfig(yaml);
      const runner = new SyncRunner({
        transport: () => t,
        logger,
        parallel: config.defaults.parallel,
        ...extra,
      });
      return runner.run(config.sync, mode, new AbortController().signal);
    },
  };
}

const REPO_STEP = "sync:\n  - {source: src.example/app, target: dst.example/app, type: repository";

Deno.test("SyncRunner copies a repository, then a second pass only HEADs each side", async () => {
  const w = world();
  const d1 = await w.push("v1", 1);
  const d2 = await w.push("v2", 2);
  const first = await w.sync(REPO_STEP + "}\n");
  assert.equal(first.copied, 2);
  assert.equal(await w.digest(withTag(DST, "v1")), d1);
  assert.equal(await w.digest(withTag(DST, "v2")), d2);
  w.t.reset();
  const again = await w.sync(REPO_STEP + "}\n");
  assert.deepEqual([again.copied, again.skipped, again.failed], [0, 2, 0]);
  assert.equal(w.t.counts.manifestHead, 4);
  assert.equal(w.t.counts.manifestGet ?? 0, 0);
  assert.equal(w.t.counts.blobGet ?? 0, 0);
  assert.equal(w.t.counts.tagList, 1);
});

Deno.test("SyncRunner check writes nothing and reports what would be copied or pruned", async () => {
  const w = world();
  await w.push("v1", 1);
  await w.push("v2", 2);
  await w.sync(REPO_STEP + ", tags: {allow: [v1]}}\n");
  await createImage(w.client, withTag(DST, "old"), {
    platform: { os: "linux", architecture: "amd64" },
  });
  w.t.reset();
  const s = await w.sync(REPO_STEP + ", prune: true}\n", "check");
  assert.deepEqual([s.needed, s.skipped, s.copied, s.pruned], [1, 1, 0, 1]);
  assert.equal(w.t.counts.manifestPut ?? 0, 0);
  assert.equal(w.t.counts.blobPut ?? 0, 0);
  assert.equal(w.t.counts.tagDelete ?? 0, 0);
  assert.deepEqual(await w.t.tagList(DST), ["old", "v1"]);
  assert.ok(
    w.logs.some((l) => l.msg === "Image sync needed" && l.fields.target === "dst.example/app:v2"),
  );
  assert.ok(w.logs.some((l) => l.msg === "Tag would be pruned"));
});

Deno.test("SyncRunner applies semverRange, allow, deny and tagSets; --missing copies only absent tags", async () => {
  const w = world();
  for (const [i, tag] of ["1.0.0", "1.5.0-rc1", "1.6.0", "2.0.0", "latest", "edge"].entries()) {
    await w.push(tag, i);
  }
  const step = REPO_STEP +
    ", tags: {semverRange: ['>=1.0.0 <2'], deny: ['.*-rc.*']}, tagSets: [{allow: [latest]}]}\n";
  await w.sync(step);
  assert.deepEqual(await w.t.tagList(DST), ["1.0.0", "1.6.0", "latest"]);
  // the source moves "latest"; --missing leaves it, a full pass copies it
  const moved = await w.push("latest", 99);
  const missing = await w.sync(REPO_STEP + "}\n", "missing");
  assert.equal(missing.copied, 3);
  assert.notEqual(await w.digest(withTag(DST, "latest")), moved);
  await w.sync(step);
  assert.equal(await w.digest(withTag(DST, "latest")), moved);
});

Deno.test("SyncRunner saves a backup before overwriting a changed tag, and only then", async () => {
  const w = world();
  const old = await w.push("v1", 1);
  const yaml = REPO_STEP + ", backup: 'bkup-{{ .Ref.Tag }}'}\n";
  await w.sync(yaml);
  assert.deepEqual(await w.t.tagList(DST), ["v1"]);
  const next = await w.push("v1", 2);
  const s = await w.sync(yaml);
  assert.equal(s.backups, 1);
  assert.equal(await w.digest(withTag(DST, "bkup-v1")), old);
  assert.equal(await w.digest(withTag(DST, "v1")), next);
  const full = await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/app:v1, type: image, " +
      "backup: 'dst.example/backups:{{ .Ref.Tag }}-{{ .Step.Type }}'}\n",
  );
  assert.equal(full.backups, 0);
});

Deno.test("SyncRunner's backup templates see regsync's .Ref, .Step and .Sync fields, env and file", async () => {
  const w = world();
  const old = await w.push("v1", 1);
  const tmpl =
    "b-{{ .Ref.Tag }}-{{ .Step.Type }}-{{ index .Sync.Tags.Allow 0 }}-{{ .Sync.Interval }}" +
    "-{{ .Sync.Interval.Hours }}-{{ .Sync.RateLimit.Min }}-{{ .Sync.RateLimit.Retry }}" +
    "-{{ .Sync.DigestTags }}-{{ len .Sync.MediaTypes }}-{{ if .Sync.Hooks.Pre }}pre{{ else }}nopre{{ end }}" +
    '-{{ .Sync.ReferrerSlow }}-{{ env "SUFFIX" }}{{ file "/x" }}';
  const yaml = "defaults: {interval: 90m, ratelimit: {min: 5, retry: 10m}, referrerSlow: true}\n" +
    REPO_STEP + `, tags: {allow: [v1]}, digestTags: true, backup: '${tmpl}'}\n`;
  const templateIo = { env: { SUFFIX: "e" }, readFile: (p: string) => `f${p.length}` };
  await w.sync(yaml, "once", { templateIo });
  await w.push("v1", 2);
  const s = await w.sync(yaml, "once", { templateIo });
  assert.equal(s.backups, 1);
  const backup = "b-v1-repository-v1-1h30m0s-1.5-5-10m0s-true-4-nopre-true-ef2";
  assert.deepEqual(await w.t.tagList(DST), [backup, "v1"]);
  assert.equal(await w.digest(withTag(DST, backup)), old);
  // An image step's .Ref.Reference is the target as written; with a "/" it names a full reference.
  await w.push("v1", 3);
  const img = await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/app:v1, type: image, " +
      "backup: '{{ .Ref.Reference }}-{{ .Ref.Registry }}-{{ len .Ref.CommonName }}'}\n",
  );
  assert.equal(img.backups, 1);
  assert.ok((await w.t.tagList(DST)).includes("v1-dst.example-18"));
});

Deno.test("SyncRunner's image step with platform copies one platform's manifest; platforms filters the index", async () => {
  const w = world();
  const sample = await buildSampleImages(w.t, SRC);
  const arm = sample.images[1]?.manifest.digest;
  const one = await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/one:v1, type: image, platform: linux/arm64}\n",
  );
  assert.equal(one.copied, 1);
  assert.equal(await w.digest(parseRef("dst.example/one:v1")), arm);
  const again = await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/one:v1, type: image, platform: linux/arm64}\n",
  );
  assert.deepEqual([again.copied, again.skipped], [0, 1]);
  const yaml =
    "sync:\n  - {source: src.example/app:v1, target: dst.example/some:v1, type: image, platforms: [linux/amd64]}\n";
  await w.sync(yaml);
  const idx = await w.t.manifestGet(parseRef("dst.example/some:v1"));
  assert.equal((idx.json as { manifests: unknown[] }).manifests.length, 1);
  const second = await w.sync(yaml);
  assert.deepEqual([second.copied, second.skipped], [0, 1]);
});

Deno.test("SyncRunner copies referrers matching referrerFilters, and digest tags", async () => {
  const w = world();
  const sample = await buildSampleImages(w.t, SRC);
  await w.t.manifestPut(
    withTag(SRC, `sha256-${sample.index.digest.slice(7)}.sig`),
    (await w.t.manifestGet(withDigest(SRC, sample.single.manifest.digest))).raw,
  );
  const step = (filter: string) =>
    "sync:\n  - {source: src.example/app:v1, target: dst.example/app:v1, type: image, " +
    `referrers: true, digestTags: true, referrerFilters: [{artifactType: ${filter}}]}\n`;
  await w.sync(step("application/x-none"));
  assert.deepEqual(await w.t.referrerList(withDigest(DST, sample.index.digest)), []);
  assert.ok((await w.t.tagList(DST)).includes(`sha256-${sample.index.digest.slice(7)}.sig`));
  const s = await w.sync(step(JSON.stringify(sample.artifact.artifactType)));
  assert.ok(w.logs.some((l) => l.msg === "Image refreshing"));
  assert.equal(s.copied, 1);
  const list = await w.t.referrerList(withDigest(DST, sample.index.digest));
  assert.deepEqual(list.map((d) => d.digest), [sample.artifact.digest]);
});

Deno.test("SyncRunner skips source manifests whose media type is not allowed", async () => {
  const w = world();
  await buildSampleImages(w.t, SRC);
  const s = await w.sync(
    REPO_STEP + ", mediaTypes: [application/vnd.oci.image.manifest.v1+json]}\n",
  );
  assert.deepEqual(await w.t.tagList(DST), ["single"]);
  assert.equal(s.skipped, 2);
});

Deno.test("SyncRunner prune deletes only unselected tags of the target repository; keepNewest keeps N", async () => {
  const w = world();
  for (const [i, tag] of ["1.0", "1.1", "1.2", "1.10"].entries()) await w.push(tag, i);
  await w.sync(REPO_STEP + "}\n");
  await createImage(w.client, parseRef("dst.example/other:keep"), {
    platform: { os: "linux", architecture: "amd64" },
  });
  const s = await w.sync(REPO_STEP + ", prune: true, tags: {keepNewest: 2}}\n");
  assert.equal(s.pruned, 2);
  assert.deepEqual(await w.t.tagList(DST), ["1.10", "1.2"]);
  assert.deepEqual(await w.t.tagList(parseRef("dst.example/other")), ["keep"]);
});

Deno.test("SyncRunner keepNewest orders tags that are not versions by image creation time", async () => {
  const w = world();
  await w.push("blue", 1, "2024-03-01T00:00:00Z");
  await w.push("green", 2, "2024-05-01T00:00:00Z");
  await w.push("red", 3, "2024-01-01T00:00:00Z");
  await w.sync(REPO_STEP + ", tags: {keepNewest: 2}}\n");
  assert.deepEqual(await w.t.tagList(DST), ["blue", "green"]);
});

Deno.test("SyncRunner runs hooks: a failing pre hook skips the copy, post gets the image data", async () => {
  const w = world();
  const d1 = await w.push("v1", 1);
  await w.push("v2", 2);
  const calls: HookInput[] = [];
  const runHook: SyncRunnerOptions["runHook"] = (hook, input) => {
    calls.push({ ...input });
    const refuse = hook.params[0] === "gate" && input.source.endsWith(":v2");
    return Promise.resolve({ code: refuse ? 3 : 0, timedOut: false });
  };
  const yaml = REPO_STEP +
    ", hooks: {pre: {type: exec, params: [gate]}, post: {type: exec, params: [notify]}, unchanged: {type: exec, params: [same]}}}\n";
  const s = await w.sync(yaml, "once", { runHook, checkConcurrency: 1 });
  assert.deepEqual(await w.t.tagList(DST), ["v1"]);
  assert.equal(s.copied, 1);
  const post = calls.find((c) => c.event === "post");
  assert.equal(post?.copiedDigest, d1);
  assert.equal(post?.source, "src.example/app:v1");
  assert.equal(post?.target, "dst.example/app:v1");
  assert.ok(w.logs.some((l) => l.msg === "Hook failed" && l.fields.code === 3));
  calls.length = 0;
  await w.sync(yaml, "once", { runHook, checkConcurrency: 1 });
  assert.deepEqual(calls.map((c) => c.event).sort(), ["pre", "unchanged"]);
});

Deno.test("SyncRunner bounds concurrent copies by parallel, and by a step's own parallel", async () => {
  for (const [parallel, stepParallel, peakWanted] of [[1, 0, 1], [3, 0, 3], [4, 2, 2]]) {
    const w = world();
    for (let i = 0; i < 6; i++) await w.push(`t${i}`, i);
    let active = 0;
    let peak = 0;
    const orig = w.t.manifestPut.bind(w.t);
    w.t.manifestPut = async (...args) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await orig(...args);
      } finally {
        active--;
      }
    };
    const own = stepParallel ? `, parallel: ${stepParallel}` : "";
    const s = await w.sync(`defaults: {parallel: ${parallel}}\n` + REPO_STEP + own + "}\n");
    assert.equal(s.copied, 6);
    assert.equal(peak, peakWanted);
  }
});

Deno.test("SyncRunner waits for the rate limit without holding a slot, then copies", async () => {
  const w = world();
  await w.push("v1", 1);
  let remain = 2;
  const sleeps: number[] = [];
  const s = await w.sync(REPO_STEP + ", ratelimit: {min: 5, retry: 6m}}\n", "once", {
    rateLimit: () => ({ remain, limit: 100 }),
    sleep: (ms) => {
      sleeps.push(ms);
      remain += 2;
      return Promise.resolve();
    },
  });
  assert.deepEqual(sleeps, [360_000, 360_000]);
  assert.equal(s.copied, 1);
  assert.ok(w.logs.some((l) => l.msg === "Delaying for rate limit"));
});

Deno.test("SyncRunner collects errors per image and goes on; abortOnError stops", async () => {
  const w = world();
  await w.push("a", 1);
  await w.push("b", 2);
  await w.push("c", 3);
  const orig = w.t.manifestPut.bind(w.t);
  w.t.manifestPut = (ref, ...rest) =>
    ref.tag === "b" ? Promise.reject(new Error("disk full")) : orig(ref, ...rest);
  const s = await w.sync(REPO_STEP + "}\n", "once", { checkConcurrency: 1 });
  assert.deepEqual([s.copied, s.failed], [2, 1]);
  assert.equal(s.errors[0]?.target, "dst.example/app:b");
  const w2 = world();
  for (const t of ["a", "b", "c"]) await w2.push(t, t.charCodeAt(0));
  const orig2 = w2.t.manifestPut.bind(w2.t);
  w2.t.manifestPut = (ref, ...rest) =>
    ref.tag === "a" ? Promise.reject(new Error("disk full")) : orig2(ref, ...rest);
  const s2 = await w2.sync(REPO_STEP + "}\n", "once", { checkConcurrency: 1, abortOnError: true });
  assert.deepEqual([s2.copied, s2.failed], [0, 1]);
});

Deno.test("SyncRunner fetches a blob shared by images and repositories from the source once per run", async () => {
  const src = new CountingTransport(new MemoryTransport());
  const dst = new CountingTransport(new MemoryTransport());
  const srcClient = new Client({ transports: () => src });
  for (const repo of ["team/a", "team/b"]) {
    for (const tag of ["v1", "v2", "v3"]) {
      await createImage(srcClient, parseRef(`src.example/${repo}:${tag}`), {
        platform: { os: "linux", architecture: "amd64" },
        annotations: { tag, repo },
      });
    }
  }
  src.reset();
  const { config } = loadSyncConfig(
    "defaults: {parallel: 6}\nsync:\n" +
      "  - {source: src.example/team/a, target: dst.example/team/a, type: repository}\n" +
      "  - {source: src.example/team/b, target: dst.example/team/b, type: repository}\n",
  );
  const quiet = { info() {}, warn() {}, error() {}, debug() {} };
  const runner = new SyncRunner({
    transport: (ref) => (ref.registry === "src.example" ? src : dst),
    logger: quiet,
    parallel: config.defaults.parallel,
  });
  const s = await runner.run(config.sync, "once", new AbortController().signal);
  assert.equal(s.copied, 6);
  assert.equal(src.counts.blobGet, 1);
  assert.deepEqual(await dst.tagList(parseRef("dst.example/team/b")), ["v1", "v2", "v3"]);
});

Deno.test("SyncRunner reads referrers from referrerSource and writes them to referrerTarget", async () => {
  const w = world();
  const sample = await buildSampleImages(w.t, SRC);
  const sigsSrc = parseRef("src.example/sigs");
  await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: src.example/sigs:v1, type: image, referrers: true}\n",
  );
  assert.equal((await w.t.referrerList(withDigest(sigsSrc, sample.index.digest))).length, 1);
  await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/app:v1, type: image, referrers: true, " +
      "referrerSource: src.example/sigs, referrerTarget: dst.example/sigs}\n",
  );
  const moved = await w.t.referrerList(
    withDigest(parseRef("dst.example/sigs"), sample.index.digest),
  );
  assert.deepEqual(moved.map((d) => d.digest), [sample.artifact.digest]);
  assert.deepEqual(await w.t.referrerList(withDigest(DST, sample.index.digest)), []);
});

Deno.test("SyncRunner with forceRecursive repairs a blob missing from an up-to-date target", async () => {
  const w = world();
  const sample = await buildSampleImages(w.t, SRC);
  await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/app:v1, type: image}\n",
  );
  const layer = sample.images[0]?.layers[0]?.digest ?? "";
  await w.t.blobDelete(DST, layer);
  const plain = await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/app:v1, type: image}\n",
  );
  assert.equal(plain.skipped, 1);
  await assert.rejects(() => w.t.blobHead(DST, layer));
  const forced = await w.sync(
    "sync:\n  - {source: src.example/app:v1, target: dst.example/app:v1, type: image, forceRecursive: true}\n",
  );
  assert.equal(forced.copied, 1);
  assert.equal((await w.t.blobHead(DST, layer)).digest, layer);
});

Deno.test("SyncRunner warns about a failed backup and still copies, as regsync does", async () => {
  const w = world();
  await w.push("v1", 1);
  await w.sync(REPO_STEP + "}\n");
  const next = await w.push("v1", 2);
  const s = await w.sync(REPO_STEP + ", backup: 'Not A Valid Ref:'}\n");
  assert.equal(s.backups, 0);
  assert.equal(s.copied, 1);
  assert.equal(await w.digest(withTag(DST, "v1")), next);
  assert.ok(w.logs.some((l) => l.level === "warn" && l.msg === "Failed to backup existing image"));
});

Deno.test("SyncRunner copies a foreign layer's blob only with includeExternal", async () => {
  const w = world();
  const enc = new TextEncoder();
  const config = enc.encode(JSON.stringify({ architecture: "amd64", os: "linux" }));
  const foreign = enc.encode("a layer the vendor serves from its own URL");
  for (const b of [config, foreign]) {
    await w.t.blobPut(SRC, ReadableStream.from([b]), {
      digest: await digestOf(b),
      size: b.byteLength,
    });
  }
  // the layer is foreign: its own media type, and the vendor's URL
  const plain = JSON.parse(new TextDecoder().decode(await imageManifest(config, [foreign])));
  const manifest = enc.encode(JSON.stringify({
    ...plain,
    layers: [{
      ...plain.layers[0],
      mediaType: MediaType.OCI_LAYER_FOREIGN_GZIP,
      urls: ["https://vendor.example/layer"],
    }],
  }));
  await w.t.manifestPut(withTag(SRC, "v1"), manifest, { mediaType: MediaType.OCI_MANIFEST });
  const step = (repo: string, extra: string) =>
    `sync:\n  - {source: src.example/app:v1, target: dst.example/${repo}:v1, type: image${extra}}\n`;
  const has = async (repo: string) =>
    w.t.blobHead(parseRef(`dst.example/${repo}`), await digestOf(foreign)).then(
      () => true,
      () => false,
    );
  assert.equal((await w.sync(step("plain", ""))).copied, 1);
  assert.equal(await w.digest(parseRef("dst.example/plain:v1")), await digestOf(manifest));
  assert.equal(await has("plain"), false);
  assert.equal((await w.sync(step("ext", ", includeExternal: true"))).copied, 1);
  assert.equal(await has("ext"), true);
});

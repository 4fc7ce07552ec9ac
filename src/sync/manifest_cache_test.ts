import assert from "node:assert/strict";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import { parseRef, withDigest, withTag } from "../types/ref.ts";
import { CountingTransport } from "../../tests/ops/_counting_transport.ts";
import { ManifestCache } from "./manifest_cache.ts";

async function setup() {
  const inner = new CountingTransport(new MemoryTransport());
  const repo = parseRef("example.com/app");
  const sample = await buildSampleImages(inner, repo);
  const children = sample.images.map((i) => withDigest(repo, i.manifest.digest));
  inner.reset();
  let clock = 0;
  const cache = new ManifestCache({ count: 2, ttlMs: 1000, now: () => clock });
  return {
    inner,
    repo,
    sample,
    children,
    cache,
    t: cache.wrap(inner),
    tick(ms: number) {
      clock += ms;
    },
  };
}

Deno.test("ManifestCache serves reads by digest from memory, never reads by tag", async () => {
  const s = await setup();
  const byDigest = withDigest(s.repo, s.sample.index.digest);
  await s.t.manifestGet(withTag(s.repo, "v1"));
  await s.t.manifestGet(withTag(s.repo, "v1"));
  assert.equal(s.inner.counts.manifestGet, 2);
  const m = await s.t.manifestGet(byDigest);
  assert.equal(m.digest, s.sample.index.digest);
  assert.equal((await s.t.manifestHead(byDigest)).digest, s.sample.index.digest);
  assert.equal(s.inner.counts.manifestGet, 2);
  assert.equal(s.inner.counts.manifestHead ?? 0, 0);
  // Another repository is another key.
  await assert.rejects(s.t.manifestGet(withDigest(parseRef("example.com/other"), m.digest)));
  assert.equal(s.cache.wrap(s.inner), s.t);
  assert.deepEqual(await s.t.tagList(s.repo), await s.inner.tagList(s.repo));
});

Deno.test("ManifestCache drops entries after cacheTime and beyond cacheCount (least recently used first)", async () => {
  const s = await setup();
  const [a, b] = s.children;
  const index = withDigest(s.repo, s.sample.index.digest);
  await s.t.manifestGet(a!);
  await s.t.manifestGet(b!);
  await s.t.manifestGet(a!); // a is now the most recently used
  assert.equal(s.inner.counts.manifestGet, 2);
  await s.t.manifestGet(index); // evicts b
  assert.equal(s.cache.size, 2);
  await s.t.manifestGet(a!);
  assert.equal(s.inner.counts.manifestGet, 3);
  await s.t.manifestGet(b!);
  assert.equal(s.inner.counts.manifestGet, 4);
  s.tick(1000);
  await s.t.manifestGet(b!);
  assert.equal(s.inner.counts.manifestGet, 5);
});

Deno.test("ManifestCache forgets a manifest that is deleted or pushed again", async () => {
  const s = await setup();
  const child = s.children[0]!;
  const m = await s.t.manifestGet(child);
  await s.t.manifestDelete(child);
  await assert.rejects(s.t.manifestGet(child));
  await s.t.manifestPut(child, m.raw, { mediaType: m.mediaType });
  assert.equal((await s.t.manifestGet(child)).digest, m.digest);
  assert.equal(s.inner.counts.manifestGet, 3);
});

/**
 * Mirrors and `pathPrefix` end to end: two docker-registry instances, each
 * behind a logging proxy, the mirror holding only part of the content.
 */
import assert from "node:assert/strict";
import { NotFoundError } from "../../src/errors.ts";
import type { HostConfig } from "../../src/transport/registry/host_config.ts";
import { orderPullHosts, resolveHost } from "../../src/transport/registry/host_config.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { parseRef } from "../../src/types/ref.ts";
import { freePort, hasDistribution, startDistribution } from "./_distribution.ts";
import { buildImage, collect, type TestImage } from "./_image.ts";
import { startProxy, type TestProxy } from "./_servers.ts";

const ignore = !hasDistribution;

async function push(t: RegistryTransport, ref: string, img: TestImage): Promise<void> {
  const r = parseRef(ref);
  for (const b of img.blobs) {
    await t.blobPut(r, ReadableStream.from([b.bytes]), { digest: b.digest, size: b.bytes.length });
  }
  await t.manifestPut(r, img.manifest);
}

interface Pair {
  up: TestProxy;
  mirror: TestProxy;
  a: TestImage;
  b: TestImage;
}

/** Upstream holds repo/app:a and repo/app:b, the mirror only repo/app:a. */
async function withPair(fn: (p: Pair) => Promise<void>): Promise<void> {
  const d1 = await startDistribution();
  const d2 = await startDistribution();
  const up = startProxy(`http://${d1.host}`);
  const mirror = startProxy(`http://${d2.host}`);
  const seed = new RegistryTransport({
    hosts: [{ name: up.host, tls: "disabled" }, { name: mirror.host, tls: "disabled" }],
  });
  const a = await buildImage(11);
  const b = await buildImage(12);
  try {
    await push(seed, `${up.host}/repo/app:a`, a);
    await push(seed, `${up.host}/repo/app:b`, b);
    await push(seed, `${mirror.host}/repo/app:a`, a);
    up.log.length = 0;
    mirror.log.length = 0;
    await fn({ up, mirror, a, b });
  } finally {
    await seed.close();
    await up.close();
    await mirror.close();
    await d1.stop();
    await d2.stop();
  }
}

function transport(p: Pair, extra: Partial<HostConfig> = {}, mirrors?: string[]) {
  return new RegistryTransport({
    hosts: [
      { name: p.up.host, tls: "disabled", mirrors: mirrors ?? [p.mirror.host], ...extra },
      { name: p.mirror.host, tls: "disabled" },
    ],
    sleep: () => Promise.resolve(),
  });
}

const gets = (p: TestProxy) => p.log.filter((l) => l.method === "GET" || l.method === "HEAD");

Deno.test({
  name: "manifestGet() reads from the mirror first, with ?ns=<upstream>",
  ignore,
  async fn() {
    await withPair(async (p) => {
      const t = transport(p);
      const m = await t.manifestGet(parseRef(`${p.up.host}/repo/app:a`));
      assert.equal(m.digest, p.a.digest);
      assert.equal(gets(p.up).length, 0);
      const hit = gets(p.mirror).find((l) => l.path.includes("/manifests/a"));
      assert.ok(hit);
      assert.equal(new URL(hit.path, "http://x").searchParams.get("ns"), p.up.host);
      await t.close();
    });
  },
});

Deno.test({
  name: "a mirror answering 404 moves on to the upstream for manifests, blobs and referrers",
  ignore,
  async fn() {
    await withPair(async (p) => {
      const t = transport(p);
      const ref = parseRef(`${p.up.host}/repo/app:b`);
      const desc = await t.manifestHead(ref);
      assert.equal(desc.digest, p.b.digest);
      const layer = p.b.blobs[1]!;
      const reader = await t.blobGet(ref, layer.digest);
      assert.deepEqual(await collect(reader.body), layer.bytes);
      assert.deepEqual(await t.referrerList(parseRef(`${p.up.host}/repo/app@${p.b.digest}`)), []);
      assert.ok(gets(p.mirror).some((l) => l.path.includes(`/blobs/${layer.digest}`)));
      assert.ok(gets(p.up).some((l) => l.path.includes(`/blobs/${layer.digest}`)));
      // Missing everywhere: the upstream's NotFoundError.
      await assert.rejects(
        t.manifestGet(parseRef(`${p.up.host}/repo/app:nope`)),
        (err: unknown) => err instanceof NotFoundError && err.code === "NOT_FOUND",
      );
      await t.close();
    });
  },
});

Deno.test({
  name: "tagList() and blobGet() are served by the mirror when it has them",
  ignore,
  async fn() {
    await withPair(async (p) => {
      const t = transport(p);
      const ref = parseRef(`${p.up.host}/repo/app:a`);
      assert.deepEqual(await t.tagList(ref), ["a"]);
      const cfg = p.a.blobs[0]!;
      assert.deepEqual(await collect((await t.blobGet(ref, cfg.digest)).body), cfg.bytes);
      assert.equal(gets(p.up).length, 0);
      await t.close();
    });
  },
});

Deno.test({
  name: "pushes never go to a mirror",
  ignore,
  async fn() {
    await withPair(async (p) => {
      const t = transport(p);
      const img = await buildImage(13);
      await push(t, `${p.up.host}/repo/app:c`, img);
      assert.equal(p.mirror.log.length, 0);
      assert.ok(p.up.log.some((l) => l.method === "PUT" && l.path.includes("/manifests/c")));
      await t.close();
    });
  },
});

Deno.test({
  name: "an upstream with a larger priority is tried before its mirror",
  ignore,
  async fn() {
    await withPair(async (p) => {
      const t = transport(p, { priority: 10 });
      await t.manifestGet(parseRef(`${p.up.host}/repo/app:a`));
      assert.equal(p.mirror.log.length, 0);
      assert.equal(gets(p.up).length, 1);
      await t.close();
    });
  },
});

Deno.test({
  name: "a mirror that cannot be reached moves on to the next mirror, then the upstream",
  ignore,
  async fn() {
    await withPair(async (p) => {
      const dead = `127.0.0.1:${freePort()}`;
      const t = new RegistryTransport({
        hosts: [
          { name: p.up.host, tls: "disabled", mirrors: [dead, p.mirror.host] },
          { name: dead, tls: "disabled" },
          { name: p.mirror.host, tls: "disabled" },
        ],
        sleep: () => Promise.resolve(),
      });
      const m = await t.manifestGet(parseRef(`${p.up.host}/repo/app:a`));
      assert.equal(m.digest, p.a.digest);
      assert.equal(gets(p.up).length, 0);
      assert.equal(gets(p.mirror).length, 1);
      await t.close();
    });
  },
});

Deno.test("orderPullHosts() puts larger priorities first, mirrors before the upstream on a tie, hosts in backoff last", () => {
  const hosts: HostConfig[] = [
    { name: "up", mirrors: ["m1", "m2", "m3", "up"] },
    { name: "m1" },
    { name: "m2", priority: 3 },
    { name: "m3", priority: 1 },
  ];
  const up = resolveHost(hosts, "up");
  const names = (off: string[]) =>
    orderPullHosts(hosts, up, (n) => off.includes(n)).map((h) => h.host.name);
  assert.deepEqual(names([]), ["m2", "m3", "m1", "up"]);
  assert.deepEqual(names(["m2"]), ["m3", "m1", "up", "m2"]);
  const order = orderPullHosts(hosts, up, () => false);
  assert.deepEqual(order.map((h) => h.mirror), [true, true, true, false]);
});

Deno.test({
  name: "pathPrefix is inserted after /v2/ for pushes and pulls",
  ignore,
  async fn() {
    const d = await startDistribution();
    const prefix = "/v2/pre/fix/";
    const p = startProxy(
      `http://${d.host}`,
      (path) => path.startsWith(prefix) ? "/v2/" + path.slice(prefix.length) : path,
    );
    const t = new RegistryTransport({
      hosts: [{ name: p.host, tls: "disabled", pathPrefix: "/pre/fix/" }],
    });
    try {
      const img = await buildImage(14);
      await push(t, `${p.host}/repo/x:v1`, img);
      const m = await t.manifestGet(parseRef(`${p.host}/repo/x:v1`));
      assert.equal(m.digest, img.digest);
      assert.deepEqual(await t.tagList(parseRef(`${p.host}/repo/x`)), ["v1"]);
      const api = p.log.filter((l) => !l.path.includes("/blobs/uploads/"));
      assert.ok(api.length > 3);
      for (const l of api) assert.ok(l.path.startsWith(prefix), l.path);
      // The registry itself holds the image without the prefix.
      const direct = new RegistryTransport({ hosts: [{ name: d.host, tls: "disabled" }] });
      assert.equal((await direct.manifestHead(parseRef(`${d.host}/repo/x:v1`))).digest, img.digest);
      await direct.close();
    } finally {
      await t.close();
      await p.close();
      await d.stop();
    }
  },
});

import assert from "node:assert/strict";
import {
  DigestMismatchError,
  NotFoundError,
  RegistryError,
  SizeMismatchError,
} from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { parseRef } from "../../src/types/ref.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { type Distribution, hasDistribution, startDistribution } from "./_distribution.ts";
import { buildImage, collect, randomBytes, streamOf } from "./_image.ts";
import { startProxy, type TestProxy } from "./_servers.ts";

const ignore = !hasDistribution;

interface Ctx {
  d: Distribution;
  p: TestProxy;
  t: RegistryTransport;
  sleeps: number[];
}

async function withProxy(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const d = await startDistribution();
  const p = startProxy(`http://${d.host}`);
  const sleeps: number[] = [];
  const t = new RegistryTransport({
    hosts: [{ name: p.host, tls: "disabled" }],
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  try {
    await fn({ d, p, t, sleeps });
  } finally {
    await t.close();
    await p.close();
    await d.stop();
  }
}

/** A body that yields `cut` bytes of the upstream and then breaks or ends. */
function cutBody(res: Response, cut: number, mode: "error" | "end"): Response {
  const reader = res.body!.getReader();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      const r = await reader.read();
      if (r.done) {
        c.close();
        return;
      }
      const room = cut - sent;
      if (r.value.byteLength >= room) {
        c.enqueue(r.value.subarray(0, room));
        await reader.cancel();
        if (mode === "error") c.error(new Error("connection reset"));
        else c.close();
        return;
      }
      sent += r.value.byteLength;
      c.enqueue(r.value);
    },
    async cancel() {
      await reader.cancel();
    },
  });
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return new Response(body, { status: res.status, headers });
}

const isBlobGet = (req: Request, url: URL) =>
  req.method === "GET" && url.pathname.includes("/blobs/sha256:");

Deno.test({
  name: "blobGet() resumes with Range after a connection reset and a truncated body",
  ignore,
  fn: () =>
    withProxy(async ({ p, t }) => {
      const ref = parseRef(`${p.host}/f/blob:latest`);
      const bytes = randomBytes(600_000, 5);
      const digest = await digestOf(bytes);
      await t.blobPut(ref, streamOf(bytes), { digest, size: bytes.byteLength });
      for (const mode of ["error", "end"] as const) {
        p.log.length = 0;
        p.set({
          after: (req, url, res) =>
            isBlobGet(req, url) && !req.headers.get("range") ? cutBody(res, 200_000, mode) : res,
        });
        const r = await t.blobGet(ref, digest, { size: bytes.byteLength });
        assert.deepEqual(await collect(r.body), bytes);
        const ranges = p.log.filter((l) => l.range !== null).map((l) => l.range);
        if (mode === "end") {
          assert.deepEqual(ranges, [`bytes=200000-${bytes.byteLength - 1}`]);
        } else {
          // a reset may drop bytes the proxy had queued: the resume starts at
          // what the client received, somewhere after the start and by the cut
          assert.equal(ranges.length, 1, ranges.join(", "));
          const m = /^bytes=(\d+)-(\d+)$/.exec(ranges[0] ?? "");
          assert.ok(m, ranges[0] ?? "");
          assert.ok(Number(m[1]) > 0 && Number(m[1]) <= 200_000, m[1]);
          assert.equal(Number(m[2]), bytes.byteLength - 1);
        }
      }
    }),
});

Deno.test({
  name: "blobGet() ends in a typed error when every answer is cut",
  ignore,
  fn: () =>
    withProxy(async ({ p, t }) => {
      const ref = parseRef(`${p.host}/f/cut:latest`);
      const bytes = randomBytes(300_000, 6);
      const digest = await digestOf(bytes);
      await t.blobPut(ref, streamOf(bytes), { digest, size: bytes.byteLength });
      p.set({ after: (req, url, res) => (isBlobGet(req, url) ? cutBody(res, 1000, "end") : res) });
      const r = await t.blobGet(ref, digest, { size: bytes.byteLength });
      await assert.rejects(collect(r.body), SizeMismatchError);
      assert.ok(p.log.filter((l) => l.range !== null).length <= 5);
    }),
});

Deno.test({
  name: "altered blob and manifest bytes are never accepted",
  ignore,
  fn: () =>
    withProxy(async ({ p, t }) => {
      const img = await buildImage(21);
      const ref = parseRef(`${p.host}/f/alt:v1`);
      for (const b of img.blobs) await t.blobPut(ref, streamOf(b.bytes), { digest: b.digest });
      await t.manifestPut(ref, img.manifest);
      const flip = async (res: Response) => {
        const buf = new Uint8Array(await res.arrayBuffer());
        buf[buf.length - 2] = (buf[buf.length - 2] ?? 0) ^ 1;
        return new Response(buf, { status: res.status, headers: res.headers });
      };
      p.set({
        after: (req, url, res) =>
          req.method === "GET" && res.status === 200 && !url.pathname.endsWith("/v2/")
            ? flip(res)
            : res,
      });
      const layer = img.blobs[1]!;
      const r = await t.blobGet(ref, layer.digest);
      await assert.rejects(collect(r.body), DigestMismatchError);
      await assert.rejects(t.manifestGet(ref), DigestMismatchError);
      // Uploads altered on the way are refused by the registry and not stored.
      p.set({
        before: async (req, url) => {
          if (req.method !== "PUT" || !url.pathname.includes("/blobs/uploads/")) return undefined;
          const buf = new Uint8Array(await req.arrayBuffer());
          if (buf.length > 0) buf[0] = (buf[0] ?? 0) ^ 1;
          return { body: buf };
        },
      });
      const bytes = randomBytes(4000, 22);
      await assert.rejects(
        t.blobPut(ref, streamOf(bytes), { digest: await digestOf(bytes) }),
        (e: unknown) => e instanceof RegistryError && e.status === 400,
      );
      p.set({});
      await assert.rejects(t.blobHead(ref, await digestOf(bytes)), NotFoundError);
    }),
});

Deno.test({
  name: "transient 500 and 429 answers are retried with backoff and Retry-After",
  ignore,
  fn: () =>
    withProxy(async ({ p, t, sleeps }) => {
      const img = await buildImage(31);
      const ref = parseRef(`${p.host}/f/retry:v1`);
      let failures = 0;
      p.set({
        before: () => {
          if (failures >= 4) return undefined;
          failures++;
          return failures % 2 === 1
            ? new Response("<html>oops</html>", {
              status: 500,
              headers: { "content-type": "text/html" },
            })
            : new Response("{}", { status: 429, headers: { "retry-after": "2" } });
        },
      });
      for (const b of img.blobs) await t.blobPut(ref, streamOf(b.bytes), { digest: b.digest });
      await t.manifestPut(ref, img.manifest);
      assert.equal((await t.manifestGet(ref)).digest, img.digest);
      assert.deepEqual(sleeps, [100, 2000, 400, 2000]);
    }),
});

Deno.test({
  name: "persistent 503 and 429 answers end in typed errors after bounded retries",
  ignore,
  fn: () =>
    withProxy(async ({ p, t, sleeps }) => {
      const ref = parseRef(`${p.host}/f/down:v1`);
      p.set({ before: () => new Response("down", { status: 503 }) });
      await assert.rejects(
        t.manifestGet(ref),
        (e: unknown) => e instanceof RegistryError && e.status === 503 && e.code === "REGISTRY",
      );
      assert.equal(sleeps.length, 5);
      p.set({ before: () => new Response("slow", { status: 429 }) });
      await assert.rejects(
        t.manifestHead(ref),
        (e: unknown) => e instanceof RegistryError && e.code === "RATE_LIMIT",
      );
      assert.equal(sleeps.length, 10);
    }),
});

Deno.test({
  name: "tagDelete() falls back to the dummy-manifest algorithm when DELETE by tag is refused",
  ignore,
  fn: () =>
    withProxy(async ({ p, t }) => {
      const img = await buildImage(41);
      for (const tag of ["keep", "drop"]) {
        const ref = parseRef(`${p.host}/f/del:${tag}`);
        for (const b of img.blobs) await t.blobPut(ref, streamOf(b.bytes), { digest: b.digest });
        await t.manifestPut(ref, img.manifest);
      }
      p.set({
        before: (req, url) =>
          req.method === "DELETE" && url.pathname.endsWith("/manifests/drop")
            ? Response.json({ errors: [{ code: "UNSUPPORTED" }] }, { status: 405 })
            : undefined,
      });
      await t.tagDelete(parseRef(`${p.host}/f/del:drop`));
      assert.ok(p.log.some((l) => l.method === "PUT" && l.path.endsWith("/manifests/drop")));
      assert.deepEqual(await t.tagList(parseRef(`${p.host}/f/del:keep`)), ["keep"]);
      assert.equal((await t.manifestHead(parseRef(`${p.host}/f/del:keep`))).digest, img.digest);
    }),
});

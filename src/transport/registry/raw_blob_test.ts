import assert from "node:assert/strict";
import { createTransportFactory } from "../../client.ts";
import {
  ErrorCode,
  NotFoundError,
  RegistryError,
  SizeMismatchError,
  UnsupportedError,
} from "../../errors.ts";
import { startRegistryServer } from "../../serve/server.ts";
import { digestOf } from "../../types/digest.ts";
import { parseRef } from "../../types/ref.ts";
import { isRawBlobSource, isRawBlobTarget, type RawBlob } from "../transport.ts";
import { hasDistribution, startDistribution } from "../../../tests/registry/_distribution.ts";
import { collect, randomBytes, streamOf } from "../../../tests/registry/_image.ts";
import { RegistryTransport } from "./registry_transport.ts";
import { rawBlobFromSource } from "../byte_source.ts";
import { bytesSource } from "../../../tests/_byte_source.ts";

const SIZE = 2 * 1024 * 1024 + 12345;

async function raw(
  bytes: Uint8Array,
  digest?: string,
  size = bytes.byteLength,
): Promise<RawBlob> {
  return { digest: digest ?? await digestOf(bytes), size, body: streamOf(bytes) };
}

/** The raw round trip and its refusals against one registry at `host`. */
async function exercise(host: string, seed: number): Promise<void> {
  const t = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    const ref = parseRef(`${host}/raw/blob`);
    assert.equal(isRawBlobSource(t), true);
    assert.equal(isRawBlobTarget(t), true);
    assert.equal(t.canPutRaw(ref), true);
    const bytes = randomBytes(SIZE, seed);
    const digest = await digestOf(bytes);

    // put raw, then read back both raw and verified
    const desc = await t.blobPutRaw(ref, await raw(bytes));
    assert.equal(desc.digest, digest);
    assert.equal(desc.size, SIZE);
    // a blob still being opened when the upload session starts
    const later = randomBytes(SIZE, seed + 200);
    const opening = new Promise<RawBlob>((resolve) =>
      setTimeout(async () => resolve(await raw(later)), 20)
    );
    assert.equal((await t.blobPutRaw(ref, opening)).digest, await digestOf(later));
    assert.equal((await t.blobHead(ref, await digestOf(later))).size, SIZE);
    assert.equal((await t.blobHead(ref, digest)).size, SIZE);
    const got = await t.blobGetRaw(ref, digest, { size: SIZE });
    assert.equal(got.digest, digest);
    assert.equal(got.size, SIZE);
    assert.deepEqual(await collect(got.body), bytes);
    const verified = await t.blobGet(ref, digest, { size: SIZE });
    assert.deepEqual(await collect(verified.body), bytes);

    // wrong expected size: not raw
    await assert.rejects(
      t.blobGetRaw(ref, digest, { size: SIZE + 1 }),
      (e: unknown) => e instanceof UnsupportedError && e.code === ErrorCode.UNSUPPORTED,
    );
    await assert.rejects(
      t.blobGetRaw(ref, digest, { size: SIZE - 1 }),
      UnsupportedError,
    );
    // missing blob
    const other = randomBytes(SIZE, seed + 100);
    await assert.rejects(
      t.blobGetRaw(ref, await digestOf(other), { size: SIZE }),
      (e: unknown) => e instanceof NotFoundError && e.code === ErrorCode.NOT_FOUND,
    );

    // wrong bytes under a digest: the registry refuses, nothing stored
    const wrong = other.slice();
    wrong[777] = (wrong[777] ?? 0) ^ 0x40;
    const target = await digestOf(other);
    await assert.rejects(
      t.blobPutRaw(ref, await raw(wrong, target, SIZE)),
      (e: unknown) => e instanceof RegistryError && e.code === ErrorCode.REGISTRY,
    );
    await assert.rejects(t.blobHead(ref, target), NotFoundError);
    // too short for the digest: refused as well
    await assert.rejects(
      t.blobPutRaw(ref, await raw(other.subarray(0, SIZE - 5), target, SIZE)),
      RegistryError,
    );
    await assert.rejects(t.blobHead(ref, target), NotFoundError);
    // a refused upload does not turn raw puts off
    assert.equal(t.canPutRaw(ref), true);
  } finally {
    await t.close();
  }
}

/** Registers `exercise` as two tests: on a fresh `ocictl serve` and on distribution (when installed). */
function onBothRegistries(
  what: string,
  exercise: (host: string, seed: number) => Promise<void>,
  seed: number,
): void {
  Deno.test(`${what} on ocictl serve`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocictl_rawreg_" });
    const srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    try {
      await exercise(`127.0.0.1:${srv.addr.port}`, seed);
    } finally {
      await srv.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  });
  Deno.test({
    name: `${what} on distribution`,
    ignore: !hasDistribution,
    fn: async () => {
      const d = await startDistribution();
      try {
        await exercise(d.host, seed + 1);
      } finally {
        await d.stop();
      }
    },
  });
}

onBothRegistries(
  "RegistryTransport raw blobs round-trip, wrong bytes and sizes are refused,",
  exercise,
  21,
);

/** A transport made as the CLI makes it (network seam included) for `host`, closed after `fn`. */
async function withConfigured(
  host: string,
  fn: (t: ReturnType<ReturnType<typeof createTransportFactory>>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_rawreg_" });
  const t = createTransportFactory()("reg", {
    env: { OCICTL_CONFIG: `${dir}/config.json` },
    hostFlags: [`reg=${host},tls=disabled`],
  });
  try {
    await fn(t);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `fn` against a transport made as the CLI makes it, on a fresh `ocictl serve`. */
async function withServeConfigured(
  fn: (t: ReturnType<ReturnType<typeof createTransportFactory>>, host: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_rawreg_" });
  const srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${srv.addr.port}`;
  try {
    await withConfigured(host, (t) => fn(t, host));
  } finally {
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ConfiguredRegistryTransport delegates the raw blob methods", async () => {
  await withServeConfigured(async (t, host) => {
    assert.ok(isRawBlobSource(t) && isRawBlobTarget(t));
    const ref = parseRef(`${host}/raw/configured`);
    assert.equal(t.canPutRaw(ref), true);
    const bytes = randomBytes(SIZE, 23);
    const digest = await digestOf(bytes);
    assert.equal((await t.blobPutRaw(ref, await raw(bytes))).digest, digest);
    const got = await t.blobGetRaw(ref, digest, { size: SIZE });
    assert.deepEqual(await collect(got.body), bytes);
    await assert.rejects(t.blobGetRaw(ref, digest, { size: 1 }), UnsupportedError);
    assert.equal(t.canPutRaw(ref), true);
  });
});

Deno.test("RegistryTransport.canPutRaw() is false for a host set to upload in chunks (blobMax)", async () => {
  const t = new RegistryTransport({
    hosts: [{ name: "127.0.0.1:9", tls: "disabled", blobMax: 1024 }],
  });
  try {
    assert.equal(t.canPutRaw(parseRef("127.0.0.1:9/a/b")), false);
  } finally {
    await t.close();
  }
});

Deno.test("RegistryTransport.blobPutRaw() on a host that answers 411 rejects with status 411 and turns canPutRaw off", async () => {
  const seen: { method: string; path: string; length: string | null; digest: string | null }[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      seen.push({
        method: req.method,
        path: url.pathname,
        length: req.headers.get("content-length"),
        digest: url.searchParams.get("digest"),
      });
      // Drain whatever was sent before answering.
      if (req.body) await req.body.pipeTo(new WritableStream()).catch(() => {});
      if (req.method === "GET" && url.pathname === "/v2/") return new Response("{}");
      if (req.method === "POST" && url.pathname === "/v2/raw/len/blobs/uploads/") {
        return new Response(null, {
          status: 202,
          headers: { Location: "/v2/raw/len/blobs/uploads/session-1" },
        });
      }
      if (url.pathname === "/v2/raw/len/blobs/uploads/session-1") {
        if (req.method === "PUT") return new Response("length required", { status: 411 });
        if (req.method === "DELETE") return new Response(null, { status: 204 });
      }
      return new Response("not found", { status: 404 });
    },
  );
  const host = `127.0.0.1:${server.addr.port}`;
  const t = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    const ref = parseRef(`${host}/raw/len`);
    assert.equal(t.canPutRaw(ref), true);
    const bytes = randomBytes(300_000, 24);
    const blob = await raw(bytes);
    await assert.rejects(
      t.blobPutRaw(ref, blob),
      (e: unknown) =>
        e instanceof RegistryError && e.code === ErrorCode.REGISTRY && e.status === 411,
    );
    assert.equal(t.canPutRaw(ref), false);
    // Other hosts are not affected.
    assert.equal(t.canPutRaw(parseRef("127.0.0.1:9/raw/len")), true);
    const puts = seen.filter((s) => s.method === "PUT");
    assert.equal(puts.length, 1);
    assert.equal(puts[0]?.digest, blob.digest);
    assert.equal(puts[0]?.length, null); // sent chunked
    assert.ok(seen.some((s) => s.method === "DELETE"), "the upload session is cancelled");
  } finally {
    await t.close();
    ac.abort();
    await server.finished;
  }
});

Deno.test("RegistryTransport.blobPutRaw() given a blob that fails to open rejects with that error and cancels its session", async () => {
  const seen: string[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      seen.push(`${req.method} ${url.pathname}`);
      if (req.body) await req.body.pipeTo(new WritableStream()).catch(() => {});
      if (req.method === "POST") {
        return new Response(null, {
          status: 202,
          headers: { Location: "/v2/raw/fail/blobs/uploads/s1" },
        });
      }
      if (req.method === "DELETE") return new Response(null, { status: 204 });
      return new Response("unexpected", { status: 500 });
    },
  );
  const host = `127.0.0.1:${server.addr.port}`;
  const t = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    const failure = new NotFoundError("Cannot find blob: gone");
    await assert.rejects(
      t.blobPutRaw(parseRef(`${host}/raw/fail`), Promise.reject(failure)),
      (e: unknown) => e === failure,
    );
    assert.deepEqual(seen, [
      "POST /v2/raw/fail/blobs/uploads/",
      "DELETE /v2/raw/fail/blobs/uploads/s1",
    ]);
    assert.equal(t.canPutRaw(parseRef(`${host}/raw/fail`)), true);
  } finally {
    await t.close();
    ac.abort();
    await server.finished;
  }
});

Deno.test("RegistryTransport stops raw reads from a host that compresses blob bodies, and refuses raw puts it cannot make", async () => {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    () =>
      new Response(new Uint8Array(16), {
        headers: { "Content-Encoding": "gzip", "Content-Type": "application/octet-stream" },
      }),
  );
  const host = `127.0.0.1:${server.addr.port}`;
  const t = new RegistryTransport({
    hosts: [{ name: host, tls: "disabled" }, { name: "chunky.test", tls: "disabled", blobMax: 0 }],
  });
  try {
    const ref = parseRef(`${host}/raw/gz`);
    assert.equal(t.canGetRaw(ref), true);
    await assert.rejects(
      t.blobGetRaw(ref, await digestOf(new Uint8Array(16)), { size: 16 }),
      UnsupportedError,
    );
    assert.equal(t.canGetRaw(ref), false);
    assert.equal(t.canGetRaw(parseRef("chunky.test/raw/gz")), true);

    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    await assert.rejects(
      t.blobPutRaw(parseRef("chunky.test/raw/put"), {
        digest: await digestOf(new Uint8Array(1)),
        size: 1,
        body,
      }),
      (e: unknown) => e instanceof UnsupportedError && e.code === ErrorCode.UNSUPPORTED,
    );
    assert.equal(cancelled, true);
  } finally {
    await t.close();
    ac.abort();
    await server.finished;
  }
});

Deno.test("a raw blob asked for as a byte source comes off the connection (the network seam's wire fetch)", async () => {
  await withServeConfigured(async (t, host) => {
    assert.ok(isRawBlobSource(t));
    const ref = parseRef(`${host}/raw/source`);
    const bytes = randomBytes(SIZE, 24);
    const digest = await digestOf(bytes);
    await t.blobPut(ref, streamOf(bytes), { digest, size: SIZE });
    const got = await t.blobGetRaw(ref, digest, { size: SIZE, byteSource: true });
    assert.ok(got.source !== undefined);
    const out = new Uint8Array(SIZE);
    let at = 0;
    for (
      let n = await got.source.read(out.subarray(at));
      n !== null;
      n = await got.source.read(out.subarray(at))
    ) {
      at += n;
      if (at === SIZE) {
        assert.equal(await got.source.read(new Uint8Array(1)), null);
        break;
      }
    }
    assert.equal(at, SIZE);
    assert.deepEqual(out, bytes);
    // not asked for: a plain body
    const plain = await t.blobGetRaw(ref, digest, { size: SIZE });
    assert.equal(plain.source, undefined);
    assert.deepEqual(await collect(plain.body), bytes);
    // a source cancelled early lets its connection go
    const early = await t.blobGetRaw(ref, digest, { size: SIZE, byteSource: true });
    assert.ok((await early.source!.read(new Uint8Array(1024))) !== null);
    await early.source!.cancel();
    assert.equal(await early.source!.read(new Uint8Array(8)), null);
  });
});

Deno.test("a byte source whose server closes before its Content-Length fails the read", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${listener.addr.port}`;
  const serving = (async () => {
    for (let i = 0; i < 4; i++) {
      const conn = await listener.accept().catch(() => undefined);
      if (conn === undefined) return;
      await conn.read(new Uint8Array(64 * 1024));
      const head =
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n";
      await conn.write(new TextEncoder().encode(head));
      await conn.write(new Uint8Array(40));
      conn.close();
    }
  })();
  try {
    await withConfigured(host, async (t) => {
      assert.ok(isRawBlobSource(t));
      const digest = await digestOf(new Uint8Array(100));
      const got = await t.blobGetRaw(parseRef(`${host}/raw/short`), digest, {
        size: 100,
        byteSource: true,
      });
      const buf = new Uint8Array(256);
      let read = 0;
      await assert.rejects(async () => {
        for (;;) {
          const n = await got.source!.read(buf);
          if (n === null) break;
          read += n;
        }
      }, (e: unknown) => e instanceof TypeError && /closed inside the body/.test(e.message));
      assert.equal(read, 40);
    });
  } finally {
    listener.close();
    await serving;
  }
});

/** Uploads raw blobs read from byte sources through the CLI's transport: good, wrong, short. */
async function exerciseSourcePut(host: string, seed: number): Promise<void> {
  await withConfigured(host, async (t) => {
    assert.ok(isRawBlobTarget(t));
    const ref = parseRef(`${host}/raw/sourced`);
    await t.blobHead(ref, await digestOf(new Uint8Array(1))).catch(() => {}); // loads the transport
    assert.equal(t.takesByteSources, true);
    const bytes = randomBytes(SIZE, seed);
    const digest = await digestOf(bytes);
    const sourced = (b: Uint8Array, d = digest, size = SIZE) =>
      rawBlobFromSource(d, size, bytesSource(b, 100_000));
    assert.equal((await t.blobPutRaw(ref, sourced(bytes))).digest, digest);
    assert.deepEqual(await collect((await t.blobGet(ref, digest, { size: SIZE })).body), bytes);
    // wrong bytes: the registry refuses them; short ones never make a whole request
    const other = randomBytes(SIZE, seed + 1);
    const target = await digestOf(other);
    const wrong = other.slice();
    wrong[99] = (wrong[99] ?? 0) ^ 1;
    await assert.rejects(t.blobPutRaw(ref, sourced(wrong, target)), RegistryError);
    await assert.rejects(
      t.blobPutRaw(ref, sourced(other.subarray(0, SIZE - 1), target)),
      (e: unknown) =>
        e instanceof SizeMismatchError && e.code === ErrorCode.SIZE_MISMATCH &&
        e.expected === SIZE && e.actual === SIZE - 1,
    );
    // a source that fails: its own error, not the registry's
    const boom = new TypeError("the connection closed inside the body");
    const failing = rawBlobFromSource(target, SIZE, {
      read: () => Promise.reject(boom),
      cancel: () => Promise.resolve(),
    });
    await assert.rejects(t.blobPutRaw(ref, failing), (e: unknown) => e === boom);
    await assert.rejects(t.blobHead(ref, target), NotFoundError);
  });
}

onBothRegistries(
  "raw blobs read from byte sources upload with their length; wrong and short ones are refused;",
  exerciseSourcePut,
  25,
);

Deno.test("a RegistryTransport takes and offers byte sources only when its fetch is the network seam", () => {
  const plain = new RegistryTransport({ hosts: [{ name: "r.test", tls: "disabled" }] });
  assert.equal(plain.takesByteSources, false);
  assert.equal(plain.offersByteSources(parseRef("r.test/a")), false);
});

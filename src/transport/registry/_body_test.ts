import assert from "node:assert/strict";
import { SizeLimitError } from "../../errors.ts";
import { readCapped, readLimited } from "./_body.ts";

const body = (n: number, headers: Record<string, string> = {}) =>
  new Response(ReadableStream.from([new Uint8Array(n / 2), new Uint8Array(n / 2)]), { headers });

Deno.test("readCapped() returns bodies within the cap and refuses larger ones", async () => {
  assert.equal((await readCapped(body(10), 10, "x")).byteLength, 10);
  await assert.rejects(readCapped(body(12), 10, "x"), SizeLimitError);
  await assert.rejects(readCapped(body(4, { "content-length": "99" }), 10, "x"), SizeLimitError);
});

Deno.test("readLimited() truncates and cancels the rest", async () => {
  assert.equal((await readLimited(body(20), 5)).byteLength, 5);
  assert.equal((await readLimited(new Response(null), 5)).byteLength, 0);
});

Deno.test("readCapped() and readLimited() keep the cap when Content-Length understates the body", async () => {
  // a body read whole by its declared length is still checked against the cap
  await assert.rejects(readCapped(body(12, { "content-length": "4" }), 10, "x"), SizeLimitError);
  assert.equal((await readLimited(body(12, { "content-length": "4" }), 10)).byteLength, 10);
  assert.equal((await readCapped(body(8, { "content-length": "8" }), 10, "x")).byteLength, 8);
  assert.equal((await readLimited(body(8, { "content-length": "8" }), 10)).byteLength, 8);
});

Deno.test("readCapped() refuses a gzip body that fetch decodes past the cap", async () => {
  // Content-Length counts the compressed bytes; fetch hands over the decoded ones
  const { gzipSync } = await import("node:zlib");
  const packed = new Uint8Array(gzipSync(new Uint8Array(64 * 1024)));
  const srv = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () =>
      new Response(packed, {
        headers: { "content-encoding": "gzip", "content-length": String(packed.byteLength) },
      }),
  );
  try {
    const url = `http://127.0.0.1:${srv.addr.port}/`;
    // such a body is never read whole: a small gzip can decode to gigabytes
    const unread = async () => {
      const res = await fetch(url);
      Object.defineProperty(res, "bytes", {
        value: () => Promise.reject(new Error("read whole")),
      });
      return res;
    };
    const res = await unread();
    assert.ok(Number(res.headers.get("content-length")) < 1024);
    await assert.rejects(readCapped(res, 1024, "x"), SizeLimitError);
    assert.equal((await readLimited(await unread(), 1024)).byteLength, 1024);
  } finally {
    await srv.shutdown();
  }
});

Deno.test("discardBody() keeps a wire connection after a short body, closes it after a long one, and builds no stream", async () => {
  const { discardBody } = await import("./_body.ts");
  const { WireFetch } = await import("./wire_fetch.ts");
  const ports: number[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) => {
      ports.push(info.remoteAddr.port);
      const size = Number(new URL(req.url).searchParams.get("size") ?? "0");
      return new Response(new Uint8Array(size), { status: 401 });
    },
  );
  const wire = new WireFetch({
    dial: (url) => Deno.connect({ hostname: url.hostname, port: Number(url.port) }),
    now: () => 0,
  });
  const real = globalThis.ReadableStream;
  let built = 0;
  globalThis.ReadableStream = new Proxy(real, {
    construct(target, args, newTarget) {
      built++;
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    const url = (size: number) => new URL(`http://127.0.0.1:${server.addr.port}/?size=${size}`);
    await discardBody(await wire.fetch(url(300)));
    await discardBody(await wire.fetch(url(200_000)));
    await discardBody(await wire.fetch(url(10)));
    assert.equal(built, 0, "no stream is built to drop a wire body");
    assert.equal(ports[0], ports[1], "the short body was read and its connection reused");
    assert.notEqual(ports[2], ports[1], "the long body's connection was closed");
  } finally {
    globalThis.ReadableStream = real;
    wire.close();
    await server.shutdown();
  }
});

import assert from "node:assert/strict";
import { nodeFetch } from "./node_fetch.ts";

function bytes(n: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(n).map((_, i) => i & 0xff);
}

async function withServer(
  fn: (origin: string, seen: { length: string | null; got: number }[]) => Promise<void>,
): Promise<void> {
  const seen: { length: string | null; got: number }[] = [];
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    async (req) => {
      let got = 0;
      try {
        for await (const c of req.body ?? ReadableStream.from([])) got += c.byteLength;
      } catch {
        got = -1;
      }
      seen.push({ length: req.headers.get("content-length"), got });
      return new Response(`got ${got}`, { status: 201, headers: { "x-seen": String(got) } });
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, seen);
  } finally {
    ac.abort();
    await server.finished;
  }
}

Deno.test("nodeFetch() sends a stream with its Content-Length, not chunked", async () => {
  await withServer(async (origin, seen) => {
    const body = bytes(3 * 1024 * 1024);
    const res = await nodeFetch(new URL(`${origin}/up`), {
      method: "PUT",
      headers: { "Content-Length": String(body.byteLength) },
      body: ReadableStream.from([body.subarray(0, 1000), body.subarray(1000)]),
    });
    assert.equal(res.status, 201);
    assert.equal(await res.text(), `got ${body.byteLength}`);
    assert.equal(res.url, `${origin}/up`);
    assert.deepEqual(seen, [{ length: String(body.byteLength), got: body.byteLength }]);
  });
});

Deno.test("nodeFetch() fails a stream shorter or longer than its Content-Length", async () => {
  await withServer(async (origin) => {
    for (const n of [10, 30]) {
      await assert.rejects(
        nodeFetch(new URL(`${origin}/up`), {
          method: "PUT",
          headers: { "Content-Length": "20" },
          body: ReadableStream.from([bytes(n)]),
        }).then((res) => res.body?.cancel()),
        TypeError,
      );
    }
  });
});

Deno.test("nodeFetch() sends byte and empty bodies with a length and HEAD without a body", async () => {
  await withServer(async (origin, seen) => {
    const put = await nodeFetch(new URL(`${origin}/a`), { method: "PUT", body: bytes(5) });
    await put.body?.cancel();
    const post = await nodeFetch(new URL(`${origin}/b`), { method: "POST" });
    await post.body?.cancel();
    const head = await nodeFetch(new URL(`${origin}/c`), { method: "HEAD" });
    assert.equal(head.body, null);
    assert.deepEqual(seen.map((s) => s.length), ["5", "0", null]);
  });
});

Deno.test("nodeFetch() rejects at once when the signal is already aborted", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop"));
  await assert.rejects(
    nodeFetch(new URL("http://127.0.0.1:9/"), { signal: ac.signal }),
    /stop/,
  );
});

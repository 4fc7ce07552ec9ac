import assert from "node:assert/strict";
import { SizeLimitError } from "./errors.ts";
import { readBlobCapped, readCapped, readUpTo } from "./read_capped.ts";

Deno.test("readCapped() joins chunks up to the limit", async () => {
  const body = ReadableStream.from([new Uint8Array([1, 2]), new Uint8Array([3])]);
  assert.deepEqual(await readCapped(body, 3, "t"), new Uint8Array([1, 2, 3]));
});

Deno.test("readCapped() fails past the limit and cancels the stream", async () => {
  let cancelled = false;
  let n = 0;
  const body = new ReadableStream<Uint8Array>({
    pull: (c) => {
      n++;
      c.enqueue(new Uint8Array(10));
    },
    cancel: () => {
      cancelled = true;
    },
  });
  await assert.rejects(readCapped(body, 25, "t"), SizeLimitError);
  assert.ok(cancelled);
  assert.ok(n < 10);
});

Deno.test("readCapped() accepts a missing body as empty", async () => {
  assert.equal((await readCapped(null, 1, "t")).byteLength, 0);
});

Deno.test("readUpTo() keeps the first bytes and cancels the rest", async () => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull: (c) => c.enqueue(new Uint8Array([7, 7, 7, 7])),
    cancel: () => {
      cancelled = true;
    },
  });
  assert.deepEqual(await readUpTo(body, 6), new Uint8Array([7, 7, 7, 7, 7, 7]));
  assert.ok(cancelled);
  const short = ReadableStream.from([new Uint8Array([1])]);
  assert.deepEqual(await readUpTo(short, 6), new Uint8Array([1]));
});

Deno.test("readBlobCapped() reads a verified blob and refuses one over the cap", async () => {
  const { MemoryTransport } = await import("./transport/memory/memory_transport.ts");
  const { parseRef } = await import("./types/ref.ts");
  const t = new MemoryTransport();
  const repo = parseRef("localhost:5000/a/b");
  const body = new TextEncoder().encode('{"architecture":"amd64"}');
  const d = await t.blobPut(repo, ReadableStream.from([body]));
  assert.deepEqual(await readBlobCapped(t, repo, { digest: d.digest, size: d.size }), body);
  await assert.rejects(readBlobCapped(t, repo, { digest: d.digest, limit: 4 }), SizeLimitError);
});

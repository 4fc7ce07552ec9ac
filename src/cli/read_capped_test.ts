import assert from "node:assert/strict";
import { SizeLimitError } from "../errors.ts";
import { readCapped } from "./read_capped.ts";

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

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

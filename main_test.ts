import assert from "node:assert/strict";
import { denoIo, writeAllTo } from "./main.ts";

Deno.test("writeAllTo() writes every byte when the destination takes a few at a time", async () => {
  const got: number[] = [];
  const calls: number[] = [];
  const to = {
    write(p: Uint8Array): Promise<number> {
      const n = Math.min(3, p.byteLength);
      calls.push(p.byteLength);
      got.push(...p.subarray(0, n));
      return Promise.resolve(n);
    },
  };
  await writeAllTo(to, new TextEncoder().encode("abcdefgh"));
  assert.equal(new TextDecoder().decode(new Uint8Array(got)), "abcdefgh");
  assert.deepEqual(calls, [8, 5, 2]);
});

Deno.test("writeAllTo() passes the destination's error on", async () => {
  const to = { write: () => Promise.reject(new Deno.errors.BrokenPipe("gone")) };
  await assert.rejects(writeAllTo(to, new Uint8Array(1)), Deno.errors.BrokenPipe);
});

Deno.test("denoIo() gives the standard streams as getters, built once on first read", () => {
  const io = denoIo(new AbortController().signal);
  for (const k of ["stdout", "stderr", "stdin"] as const) {
    assert.equal(typeof Object.getOwnPropertyDescriptor(io, k)?.get, "function", k);
  }
  assert.equal(io.stdout, io.stdout);
  assert.equal(io.stderr, io.stderr);
  assert.ok(io.writeDirect);
});

import { deepEqual, rejects } from "node:assert/strict";
import { readCappedBody } from "./_body.ts";
import { ApiError } from "./errors_body.ts";

Deno.test("readCappedBody() reads a body up to the limit", async () => {
  const req = new Request("http://x/", { method: "PUT", body: new Uint8Array([1, 2, 3]) });
  deepEqual([...await readCappedBody(req, 3)], [1, 2, 3]);
  deepEqual([...await readCappedBody(new Request("http://x/"), 3)], []);
});

Deno.test("readCappedBody() refuses a streamed body over the limit with 413", async () => {
  const body = ReadableStream.from([new Uint8Array(2), new Uint8Array(2)]);
  const req = new Request("http://x/", { method: "PUT", body });
  await rejects(readCappedBody(req, 3), (e: unknown) => e instanceof ApiError && e.status === 413);
});

Deno.test("readCappedBody() refuses a declared Content-Length over the limit", async () => {
  const req = new Request("http://x/", {
    method: "PUT",
    body: new Uint8Array(10),
    headers: { "Content-Length": "10" },
  });
  await rejects(readCappedBody(req, 3), (e: unknown) => e instanceof ApiError && e.status === 413);
});

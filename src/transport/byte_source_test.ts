import assert from "node:assert/strict";
import {
  byteSourceStream,
  cancelRawBlob,
  countedSource,
  rawBlobFromSource,
} from "./byte_source.ts";
import { bytesSource } from "../../tests/_byte_source.ts";

const sourceOf = (bytes: Uint8Array, piece = 3) => bytesSource(bytes, piece);

const BYTES = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

Deno.test("byteSourceStream() streams every byte of the source", async () => {
  const got = await new Response(byteSourceStream(sourceOf(BYTES))).bytes();
  assert.deepEqual(got, BYTES);
});

Deno.test("byteSourceStream() cancelled cancels the source with the reason", async () => {
  const s = sourceOf(BYTES);
  await byteSourceStream(s).cancel("enough");
  assert.deepEqual(s.cancelled, ["enough"]);
});

Deno.test("rawBlobFromSource() builds its body once, only when asked for", async () => {
  const s = sourceOf(BYTES);
  const blob = rawBlobFromSource("sha256:ab", BYTES.byteLength, s);
  assert.equal(blob.source, s);
  assert.equal(blob.digest, "sha256:ab");
  assert.equal(blob.size, 8);
  const body = blob.body;
  assert.equal(blob.body, body);
  assert.deepEqual(await new Response(body).bytes(), BYTES);
});

Deno.test("countedSource() tells the running total after each read", async () => {
  const totals: number[] = [];
  const s = countedSource(sourceOf(BYTES), (n) => totals.push(n));
  const buf = new Uint8Array(8);
  while ((await s.read(buf)) !== null);
  assert.deepEqual(totals, [3, 6, 8]);
});

Deno.test("cancelRawBlob() cancels through the source and builds no stream; else through the body", async () => {
  const s = sourceOf(BYTES);
  let asked = false;
  await cancelRawBlob({
    digest: "sha256:ab",
    size: 8,
    source: s,
    get body(): ReadableStream<Uint8Array> {
      asked = true;
      throw new Error("no stream wanted");
    },
  }, "stop");
  assert.deepEqual(s.cancelled, ["stop"]);
  assert.equal(asked, false);
  let reason: unknown;
  await cancelRawBlob({
    digest: "sha256:ab",
    size: 8,
    body: new ReadableStream({ cancel: (r) => void (reason = r) }),
  }, "halt");
  assert.equal(reason, "halt");
});

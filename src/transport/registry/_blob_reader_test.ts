import assert from "node:assert/strict";
import { DigestMismatchError, ErrorCode } from "../../errors.ts";
import { digestOf } from "../../types/digest.ts";
import { parseRef } from "../../types/ref.ts";
import { RegistryTransport } from "./registry_transport.ts";

const HOST = "registry.test";
const REF = parseRef(`${HOST}/a`);

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed) & 0xff;
  return out;
}

/** A transport whose every blob GET answers `body()` with the given length. */
function transport(body: () => BodyInit, length: number): RegistryTransport {
  const fetchFn = (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    return Promise.resolve(
      new Response(body(), {
        status: 200,
        headers: { "content-length": String(length) },
      }),
    ).then((res) => {
      Object.defineProperty(res, "url", { value: url.href });
      return res;
    });
  };
  return new RegistryTransport({
    fetch: fetchFn as typeof fetch,
    hosts: [{ name: HOST, tls: "disabled" }],
    sleep: () => Promise.resolve(),
  });
}

/** Reads with one reused buffer of `size` bytes, as a file writer would. */
async function readByob(
  body: ReadableStream<Uint8Array>,
  size: number,
): Promise<{ data: Uint8Array; reads: number[] }> {
  const reader = body.getReader({ mode: "byob" });
  let buf = new Uint8Array(size);
  const out: number[] = [];
  const reads: number[] = [];
  for (;;) {
    const r = await reader.read(buf);
    if (r.done) break;
    reads.push(r.value.byteLength);
    out.push(...r.value);
    buf = new Uint8Array(r.value.buffer);
  }
  return { data: new Uint8Array(out), reads };
}

Deno.test("blobGet() body is a byte stream a reader can fill its own buffer from", async () => {
  const data = bytes(100_000, 1);
  const t = transport(() => data.slice(), data.byteLength);
  const blob = await t.blobGet(REF, await digestOf(data), { size: data.byteLength });
  const { data: got, reads } = await readByob(blob.body, 4096);
  assert.deepEqual(got, data);
  assert.ok(reads.every((n) => n <= 4096));
  await t.close();
});

Deno.test("blobGet() splits plain wire chunks larger than the reader's buffer", async () => {
  const data = bytes(50_000, 2);
  const t = transport(
    () => ReadableStream.from([data.slice(0, 30_000), data.slice(30_000)]),
    data.byteLength,
  );
  const blob = await t.blobGet(REF, await digestOf(data), { size: data.byteLength });
  const { data: got, reads } = await readByob(blob.body, 1000);
  assert.deepEqual(got, data);
  assert.ok(reads.every((n) => n <= 1000));
  const plain = await t.blobGet(REF, await digestOf(data), { size: data.byteLength });
  assert.deepEqual(new Uint8Array(await new Response(plain.body).arrayBuffer()), data);
  await t.close();
});

Deno.test("blobGet() body errors instead of ending when the bytes do not match", async () => {
  const data = bytes(20_000, 3);
  const t = transport(() => data.slice(), data.byteLength);
  const blob = await t.blobGet(REF, await digestOf(bytes(20_000, 4)), { size: data.byteLength });
  await assert.rejects(readByob(blob.body, 4096), (err: unknown) => {
    assert.ok(err instanceof DigestMismatchError);
    assert.equal(err.code, ErrorCode.DIGEST_MISMATCH);
    return true;
  });
  await t.close();
});

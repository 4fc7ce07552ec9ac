import assert from "node:assert/strict";
import { DigestMismatchError, SizeMismatchError } from "./errors.ts";
import { digestOf, SMALL_HASH_BYTES } from "./types/digest.ts";
import { VerifyStream } from "./verify_stream.ts";

const data = new TextEncoder().encode("the quick brown fox");
const chunks = [data.subarray(0, 4), data.subarray(4, 10), data.subarray(10)];

async function collect(v: VerifyStream, input: Uint8Array[]): Promise<Uint8Array> {
  const buf = await new Response(ReadableStream.from(input).pipeThrough(v)).arrayBuffer();
  return new Uint8Array(buf);
}

Deno.test("VerifyStream passes matching content through unchanged", async () => {
  const v = new VerifyStream({ digest: await digestOf(data), size: data.byteLength });
  assert.deepEqual(await collect(v, chunks), data);
  assert.equal(v.count, data.byteLength);
  assert.equal(v.digest, await digestOf(data));
});

Deno.test("VerifyStream computes a digest when none is expected", async () => {
  const v = new VerifyStream({ algorithm: "sha512" });
  await collect(v, chunks);
  assert.equal(v.digest, await digestOf(data, "sha512"));
});

Deno.test("VerifyStream fails on a digest mismatch", async () => {
  const v = new VerifyStream({ digest: await digestOf(new TextEncoder().encode("other")) });
  await assert.rejects(collect(v, chunks), DigestMismatchError);
});

Deno.test("VerifyStream fails on short content", async () => {
  const v = new VerifyStream({ digest: await digestOf(data), size: data.byteLength + 1 });
  await assert.rejects(collect(v, chunks), (e: unknown) => {
    assert.ok(e instanceof SizeMismatchError);
    assert.equal(e.code, "SIZE_MISMATCH");
    return true;
  });
});

Deno.test("VerifyStream fails as soon as content runs long", async () => {
  const v = new VerifyStream({ size: 3 });
  await assert.rejects(collect(v, chunks), SizeMismatchError);
});

Deno.test("VerifyStream fails on truncated content with the right digest expected", async () => {
  const v = new VerifyStream({ digest: await digestOf(data) });
  await assert.rejects(collect(v, chunks.slice(0, 2)), DigestMismatchError);
});

// Small expected sizes are hashed with Web Crypto, larger ones with node:crypto:
// both must pass good content and refuse a flipped byte.
for (const size of [SMALL_HASH_BYTES, SMALL_HASH_BYTES + 1]) {
  Deno.test(`VerifyStream checks ${size} bytes (both hashers) and fails on one flipped byte`, async () => {
    const good = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
    const pieces = (b: Uint8Array) => [b.subarray(0, 65_536), b.subarray(65_536)];
    const digest = await digestOf(good);
    const ok = new VerifyStream({ digest, size });
    assert.deepEqual(await collect(ok, pieces(good)), good);
    const bad = good.slice();
    bad[size - 1] = (good[size - 1] ?? 0) ^ 1;
    await assert.rejects(collect(new VerifyStream({ digest, size }), pieces(bad)), (e: unknown) => {
      assert.ok(e instanceof DigestMismatchError);
      assert.equal(e.code, "DIGEST_MISMATCH");
      return true;
    });
  });
}

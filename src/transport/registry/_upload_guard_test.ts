import assert from "node:assert/strict";
import { DigestMismatchError, ErrorCode, SizeMismatchError } from "../../errors.ts";
import { digestOf } from "../../types/digest.ts";
import { VerifyStream } from "../../verify_stream.ts";
import { _UploadGuard } from "./_upload_guard.ts";

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function pieces(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.byteLength; i += size) out.push(data.slice(i, i + size));
  return out;
}

/** Reads a stream chunk by chunk, keeping what arrived before it failed. */
async function drain(
  stream: ReadableStream<Uint8Array>,
): Promise<{ got: number; err: unknown }> {
  const reader = stream.getReader();
  let got = 0;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return { got, err: undefined };
      got += r.value.byteLength;
    }
  } catch (err) {
    return { got, err };
  }
}

Deno.test("_UploadGuard passes a good body through and computes its digest", async () => {
  const data = bytes(10_000, 1);
  const g = new _UploadGuard(ReadableStream.from(pieces(data, 1000)), {
    algorithm: "sha256",
    verified: false,
    subject: "blob",
  });
  const out = new Uint8Array(await new Response(g.stream).arrayBuffer());
  assert.deepEqual(out, data);
  assert.equal(g.digest, await digestOf(data));
  assert.equal(g.count, data.byteLength);
  assert.equal(g.error, undefined);
});

Deno.test("_UploadGuard holds the last chunk back when the digest does not match", async () => {
  const data = bytes(5000, 2);
  const g = new _UploadGuard(ReadableStream.from(pieces(data, 1000)), {
    digest: await digestOf(bytes(5000, 3)),
    size: data.byteLength,
    algorithm: "sha256",
    verified: false,
    subject: "blob",
  });
  const { got, err } = await drain(g.stream);
  assert.ok(err instanceof DigestMismatchError);
  assert.equal(err.code, ErrorCode.DIGEST_MISMATCH);
  assert.equal(got, 4000, "the full length never leaves");
  assert.equal(g.error, err);
});

Deno.test("_UploadGuard with a verified source does not hash but still holds the end", async () => {
  const data = bytes(4000, 4);
  const wrong = await digestOf(bytes(4000, 5));
  // A self-verifying source (like every blobGet body) that fails at its end.
  const source = ReadableStream.from(pieces(data, 1000)).pipeThrough(
    new VerifyStream({ digest: wrong, size: data.byteLength }),
  );
  const g = new _UploadGuard(source, {
    digest: wrong,
    size: data.byteLength,
    algorithm: "sha256",
    verified: true,
    subject: "blob",
  });
  const { got, err } = await drain(g.stream);
  assert.ok(err instanceof DigestMismatchError);
  assert.equal(got, 3000);
  assert.equal(g.error, err);
});

Deno.test("_UploadGuard trusts a verified source's digest at a clean end", async () => {
  const data = bytes(3000, 6);
  const digest = await digestOf(data);
  const g = new _UploadGuard(ReadableStream.from(pieces(data, 1000)), {
    digest,
    size: data.byteLength,
    algorithm: "sha256",
    verified: true,
    subject: "blob",
  });
  const { got, err } = await drain(g.stream);
  assert.equal(err, undefined);
  assert.equal(got, data.byteLength);
  assert.equal(g.digest, digest);
});

Deno.test("_UploadGuard fails on the first byte past the size and cancels the source", async () => {
  let cancelled = false;
  const chunks = pieces(bytes(3000, 7), 1000);
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = chunks.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  const g = new _UploadGuard(source, {
    size: 1500,
    algorithm: "sha256",
    verified: false,
    subject: "blob",
  });
  const { got, err } = await drain(g.stream);
  assert.ok(err instanceof SizeMismatchError);
  assert.equal(got, 0);
  assert.ok(cancelled);
});

Deno.test("_UploadGuard fails a short body before its last chunk", async () => {
  const data = bytes(2000, 8);
  const g = new _UploadGuard(ReadableStream.from(pieces(data, 1000)), {
    digest: await digestOf(data),
    size: 2500,
    algorithm: "sha256",
    verified: true,
    subject: "blob",
  });
  const { got, err } = await drain(g.stream);
  assert.ok(err instanceof SizeMismatchError);
  assert.equal(got, 1000);
});

Deno.test("_UploadGuard records a source error and cancel reaches the source", async () => {
  const boom = new Error("broken source");
  const failing = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes(10, 9));
    },
    pull(c) {
      c.error(boom);
    },
  });
  const g = new _UploadGuard(failing, { algorithm: "sha256", verified: false, subject: "blob" });
  const { err } = await drain(g.stream);
  assert.equal(err, boom);
  assert.equal(g.error, boom);

  let cancelled: unknown;
  const idle = new ReadableStream<Uint8Array>({
    cancel(reason) {
      cancelled = reason;
    },
  });
  const g2 = new _UploadGuard(idle, { algorithm: "sha256", verified: false, subject: "blob" });
  await g2.stream.cancel("stop");
  assert.equal(cancelled, "stop");
});

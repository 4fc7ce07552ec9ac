import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { DigestMismatchError, ErrorCode, NotFoundError, SizeMismatchError } from "../../errors.ts";
import { digestOf, SMALL_HASH_BYTES } from "../../types/digest.ts";
import { denoFileSystem as fs } from "./file_system.ts";
import { hashPiecesOffThread, hashWorkerRunning } from "./_hash_pool.ts";
import type { PieceHasher } from "./file_system_types.ts";
import { openVerifiedFile, sharedVerifiedStream } from "./verified_file_stream.ts";

const enc = new TextEncoder();

async function withFile(
  content: Uint8Array,
  fn: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_vfs_" });
  try {
    await Deno.writeFile(`${dir}/f`, content);
    await fn(`${dir}/f`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads a stream to its end; returns the pieces and the error it ended with, if any. */
async function drain(
  body: ReadableStream<Uint8Array>,
): Promise<{ pieces: Uint8Array[]; error: unknown }> {
  const pieces: Uint8Array[] = [];
  try {
    for await (const p of body) pieces.push(p);
    return { pieces, error: undefined };
  } catch (error) {
    return { pieces, error };
  }
}

function concat(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(total(pieces));
  let offset = 0;
  for (const p of pieces) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

const total = (pieces: Uint8Array[]) => pieces.reduce((n, p) => n + p.byteLength, 0);

Deno.test("openVerifiedFile() streams a matching file in pieces of the asked size", async () => {
  const data = enc.encode("0123456789abcdefghij");
  await withFile(data, async (path) => {
    const body = await openVerifiedFile(fs, path, {
      digest: await digestOf(data),
      size: data.byteLength,
      chunkSize: 8,
    });
    const { pieces, error } = await drain(body);
    equal(error, undefined);
    deepEqual(pieces.map((p) => p.byteLength), [8, 8, 4]);
    deepEqual(concat(pieces), data);
  });
});

Deno.test("openVerifiedFile() gives a reader without a buffer pieces of autoChunkSize, at most chunkSize", async () => {
  const data = enc.encode("0123456789abcdefghij");
  await withFile(data, async (path) => {
    for (
      const [chunkSize, autoChunkSize, want] of [[16, 6, [6, 6, 6, 2]], [8, 32, [8, 8, 4]]] as const
    ) {
      const body = await openVerifiedFile(fs, path, {
        digest: await digestOf(data),
        size: data.byteLength,
        chunkSize,
        autoChunkSize,
      });
      const { pieces, error } = await drain(body);
      equal(error, undefined);
      deepEqual(pieces.map((p) => p.byteLength), want);
      deepEqual(concat(pieces), data);
    }
  });
});

Deno.test("openVerifiedFile() streams an empty file that matches the empty digest", async () => {
  const data = new Uint8Array(0);
  await withFile(data, async (path) => {
    const { pieces, error } = await drain(
      await openVerifiedFile(fs, path, { digest: await digestOf(data), size: 0 }),
    );
    equal(error, undefined);
    equal(total(pieces), 0);
  });
});

Deno.test("openVerifiedFile() errors on tampered bytes and holds back the last piece", async () => {
  const good = enc.encode("original bytes of the blob");
  const bad = enc.encode("tampered bytes of the blob");
  equal(bad.byteLength, good.byteLength);
  await withFile(bad, async (path) => {
    const errors: Error[] = [];
    const body = await openVerifiedFile(fs, path, {
      digest: await digestOf(good),
      size: good.byteLength,
      chunkSize: 10,
      onError: (err) => errors.push(err),
    });
    const { pieces, error } = await drain(body);
    ok(error instanceof DigestMismatchError);
    equal(error.code, ErrorCode.DIGEST_MISMATCH);
    ok(total(pieces) < good.byteLength, "a reader never gets the whole corrupt file");
    equal(errors.length, 1);
  });
});

Deno.test("openVerifiedFile() errors when the file is shorter or longer than expected", async () => {
  const data = enc.encode("twelve bytes");
  for (const size of [data.byteLength + 1, data.byteLength - 1]) {
    await withFile(data, async (path) => {
      const { pieces, error } = await drain(
        await openVerifiedFile(fs, path, { digest: await digestOf(data), size, chunkSize: 4 }),
      );
      ok(error instanceof SizeMismatchError, `size ${size}`);
      equal(error.code, ErrorCode.SIZE_MISMATCH);
      ok(total(pieces) < size, "the reader never gets the size it expects");
    });
  }
});

Deno.test("openVerifiedFile() refuses a missing file with NotFoundError", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_vfs_" });
  try {
    await rejects(
      openVerifiedFile(fs, `${dir}/missing`, { digest: await digestOf(new Uint8Array()), size: 0 }),
      (e: unknown) => e instanceof NotFoundError && e.code === ErrorCode.NOT_FOUND,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openVerifiedFile() closes the file when the reader cancels", async () => {
  const data = new Uint8Array(64).fill(7);
  await withFile(data, async (path) => {
    const errors: Error[] = [];
    const body = await openVerifiedFile(fs, path, {
      digest: await digestOf(data),
      size: data.byteLength,
      chunkSize: 16,
      onError: (err) => errors.push(err),
    });
    const reader = body.getReader();
    equal((await reader.read()).value?.byteLength, 16);
    await reader.cancel();
    equal(errors.length, 0);
  });
});

Deno.test("openVerifiedFile() reads into a BYOB reader's own buffer and hands it back", async () => {
  const data = new Uint8Array(100_000).map((_, i) => (i * 31) % 251);
  await withFile(data, async (path) => {
    const body = await openVerifiedFile(fs, path, {
      digest: await digestOf(data),
      size: data.byteLength,
    });
    const reader = body.getReader({ mode: "byob" });
    let buf = new Uint8Array(40_000);
    const pieces: Uint8Array[] = [];
    for (;;) {
      const r = await reader.read(buf);
      ok(r.value !== undefined);
      equal(r.value.buffer.byteLength, 40_000, "the same buffer comes back");
      buf = new Uint8Array(r.value.buffer);
      if (r.done) break;
      pieces.push(r.value.slice());
    }
    deepEqual(pieces.map((p) => p.byteLength), [40_000, 40_000, 20_000]);
    deepEqual(concat(pieces), data);
  });
});

Deno.test("openVerifiedFile() gives a default reader pieces of at most 64 KiB", async () => {
  const data = new Uint8Array(150_000).fill(3);
  await withFile(data, async (path) => {
    const { pieces, error } = await drain(
      await openVerifiedFile(fs, path, { digest: await digestOf(data), size: data.byteLength }),
    );
    equal(error, undefined);
    deepEqual(pieces.map((p) => p.byteLength), [65_536, 65_536, 150_000 - 131_072]);
  });
});

Deno.test("openVerifiedFile() holds back the last piece from a BYOB reader of a tampered file", async () => {
  const good = enc.encode("original bytes of the blob");
  const bad = enc.encode("tampered bytes of the blob");
  await withFile(bad, async (path) => {
    const errors: Error[] = [];
    const body = await openVerifiedFile(fs, path, {
      digest: await digestOf(good),
      size: good.byteLength,
      onError: (err) => errors.push(err),
    });
    const reader = body.getReader({ mode: "byob" });
    let got = 0;
    let error: unknown;
    try {
      for (;;) {
        const r = await reader.read(new Uint8Array(64));
        if (r.done) break;
        got += r.value.byteLength;
      }
    } catch (err) {
      error = err;
    }
    ok(error instanceof DigestMismatchError);
    equal(error.code, ErrorCode.DIGEST_MISMATCH);
    equal(got, 0, "the only piece was the last one, and it is never handed out");
    equal(errors.length, 1);
  });
});

// Files up to SMALL_HASH_BYTES are hashed with Web Crypto, larger ones with
// node:crypto: on both sides a flipped byte ends in DIGEST_MISMATCH and the
// reader never gets the whole file.
for (const size of [SMALL_HASH_BYTES, SMALL_HASH_BYTES + 1]) {
  Deno.test(`openVerifiedFile() checks a ${size}-byte file with either hasher`, async () => {
    const good = new Uint8Array(size).map((_, i) => (i * 13) & 0xff);
    const digest = await digestOf(good);
    await withFile(good, async (path) => {
      const { pieces, error } = await drain(await openVerifiedFile(fs, path, { digest, size }));
      equal(error, undefined);
      deepEqual(concat(pieces), good);
    });
    const bad = good.slice();
    bad[0] = (good[0] ?? 0) ^ 1;
    await withFile(bad, async (path) => {
      const { pieces, error } = await drain(await openVerifiedFile(fs, path, { digest, size }));
      ok(error instanceof DigestMismatchError);
      equal(error.code, ErrorCode.DIGEST_MISMATCH);
      ok(total(pieces) < size, "a reader never gets the whole corrupt file");
    });
  });
}

/** A hasher on the real worker, or one that fails, for {@link sharedVerifiedStream}. */
function workerHasher(): PieceHasher {
  const h = hashPiecesOffThread("sha256");
  ok(h !== undefined, "the hashing worker runs");
  return h;
}

Deno.test("sharedVerifiedStream() hashes on the worker the pieces it sends, and holds back the last until they match", async () => {
  const good = new Uint8Array(100_000).map((_, i) => (i * 31) % 251);
  const bad = good.slice();
  bad[99_999] = (bad[99_999] ?? 0) ^ 1;
  for (
    const [content, size] of [[good, 100_000], [bad, 100_000], [good, 100_001], [
      good,
      99_999,
    ]] as const
  ) {
    await withFile(content, async (path) => {
      const errors: Error[] = [];
      const body = sharedVerifiedStream(await fs.openReader(path), workerHasher(), {
        digest: await digestOf(good),
        size,
        subject: "f",
        pieceSize: 40_000,
        onError: (err) => errors.push(err),
      });
      const { pieces, error } = await drain(body);
      if (content === good && size === good.byteLength) {
        equal(error, undefined);
        deepEqual(pieces.map((p) => p.byteLength), [40_000, 40_000, 20_000]);
        deepEqual(concat(pieces), good);
      } else {
        ok(error instanceof (content === bad ? DigestMismatchError : SizeMismatchError));
        ok(total(pieces) < size, "the reader never gets the size it expects");
        equal(errors.length, 1);
      }
    });
  }
  equal(hashWorkerRunning(), false, "every job let the worker go");
});

Deno.test("sharedVerifiedStream() errors when the worker cannot tell, and lets it go on cancel", async () => {
  const data = new Uint8Array(1000).fill(3);
  await withFile(data, async (path) => {
    let stopped = 0;
    const failing: PieceHasher = {
      update: () => {},
      digest: () => Promise.resolve(undefined),
      stop: () => void stopped++,
    };
    const opts = { digest: await digestOf(data), size: 1000, subject: "f", pieceSize: 400 };
    const { pieces, error } = await drain(
      sharedVerifiedStream(await fs.openReader(path), failing, opts),
    );
    ok(error instanceof Error && /hashing failed/.test(error.message));
    equal(total(pieces), 800, "the last piece is never sent");
    const reader = sharedVerifiedStream(await fs.openReader(path), workerHasher(), opts)
      .getReader();
    equal((await reader.read()).value?.byteLength, 400);
    await reader.cancel();
    equal(hashWorkerRunning(), false);
    equal(stopped, 1);
  });
});

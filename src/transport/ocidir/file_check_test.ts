import assert from "node:assert/strict";
import {
  AbortedError,
  DigestMismatchError,
  ErrorCode,
  InvalidDigestError,
  NotFoundError,
  SizeMismatchError,
} from "../../errors.ts";
import { digestOf } from "../../types/digest.ts";
import { checkFile, FILE_CHECK_CHUNK } from "./file_check.ts";
import { denoFileSystem, type FileSystem } from "./file_system.ts";
import { randomBytes } from "../../../tests/registry/_image.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_file_check_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Appends `bytes` to `path` in `pieces` parts with a pause before each. */
async function writeSlowly(
  path: string,
  bytes: Uint8Array,
  pieces: number,
  pauseMs: number,
  failAfter?: { pieces: number; error: Error },
): Promise<void> {
  const file = await Deno.open(path, { write: true, append: true });
  try {
    const step = Math.ceil(bytes.byteLength / pieces);
    for (let i = 0; i * step < bytes.byteLength; i++) {
      const at = i * step;
      await sleep(pauseMs);
      if (failAfter !== undefined && i === failAfter.pieces) throw failAfter.error;
      const piece = bytes.subarray(at, Math.min(at + step, bytes.byteLength));
      let off = 0;
      while (off < piece.byteLength) off += await file.write(piece.subarray(off));
    }
  } finally {
    file.close();
  }
}

/** denoFileSystem without its worker: files are hashed on this thread. */
const onThisThread: FileSystem = { ...denoFileSystem, hashFile: undefined };

/** {@link onThisThread} whose readers count `sync()` calls. */
function countingSyncs(): { fs: FileSystem; syncs: () => number } {
  let syncs = 0;
  const fs: FileSystem = {
    ...onThisThread,
    async openReader(path) {
      const r = await denoFileSystem.openReader(path);
      return {
        read: (b) => r.read(b),
        sync: async () => {
          syncs++;
          await r.sync?.();
        },
        close: () => r.close(),
      };
    },
  };
  return { fs, syncs: () => syncs };
}

/**
 * The tests every way of hashing passes: the worker of `denoFileSystem`,
 * and this thread (a file system without `hashFile`).
 */
function sharedTests(where: string, fs: FileSystem): void {
  Deno.test(`checkFile() accepts a file that matches its digest and size (several 1 MiB reads) (${where})`, async () => {
    await withDir(async (dir) => {
      for (const size of [0, 1, FILE_CHECK_CHUNK, FILE_CHECK_CHUNK * 2 + 12345]) {
        const bytes = randomBytes(size, size + 3);
        await Deno.writeFile(`${dir}/f`, bytes);
        await checkFile(fs, `${dir}/f`, {
          digest: await digestOf(bytes),
          size,
          subject: "f",
        });
      }
    });
  });

  Deno.test(`checkFile() rejects a short file and a long file with SizeMismatchError (${where})`, async () => {
    await withDir(async (dir) => {
      const bytes = randomBytes(FILE_CHECK_CHUNK + 100, 5);
      const digest = await digestOf(bytes);
      await Deno.writeFile(`${dir}/short`, bytes.subarray(0, bytes.byteLength - 1));
      await assert.rejects(
        checkFile(fs, `${dir}/short`, { digest, size: bytes.byteLength, subject: "s" }),
        (e: unknown) => e instanceof SizeMismatchError && e.code === ErrorCode.SIZE_MISMATCH,
      );
      const long = new Uint8Array(bytes.byteLength + 1);
      long.set(bytes);
      await Deno.writeFile(`${dir}/long`, long);
      await assert.rejects(
        checkFile(fs, `${dir}/long`, { digest, size: bytes.byteLength, subject: "l" }),
        (e: unknown) => e instanceof SizeMismatchError && e.code === ErrorCode.SIZE_MISMATCH,
      );
      // A long file that is also a prefix-sized small expectation.
      await assert.rejects(
        checkFile(fs, `${dir}/long`, { digest, size: 10, subject: "l" }),
        SizeMismatchError,
      );
      await Deno.writeFile(`${dir}/empty`, new Uint8Array());
      await assert.rejects(
        checkFile(fs, `${dir}/empty`, { digest, size: bytes.byteLength, subject: "e" }),
        SizeMismatchError,
      );
    });
  });

  Deno.test(`checkFile() rejects bytes of the right length but another digest with DigestMismatchError (${where})`, async () => {
    await withDir(async (dir) => {
      const bytes = randomBytes(FILE_CHECK_CHUNK * 2, 9);
      const digest = await digestOf(bytes);
      const wrong = bytes.slice();
      wrong[FILE_CHECK_CHUNK + 7] = (wrong[FILE_CHECK_CHUNK + 7] ?? 0) ^ 0xff;
      await Deno.writeFile(`${dir}/f`, wrong);
      await assert.rejects(
        checkFile(fs, `${dir}/f`, { digest, size: bytes.byteLength, subject: "f" }),
        (e: unknown) => e instanceof DigestMismatchError && e.code === ErrorCode.DIGEST_MISMATCH,
      );
    });
  });

  Deno.test(`checkFile() rejects a missing file and a malformed digest with typed errors (${where})`, async () => {
    await withDir(async (dir) => {
      await assert.rejects(
        checkFile(fs, `${dir}/missing`, {
          digest: await digestOf(new Uint8Array()),
          size: 0,
          subject: "m",
        }),
        (e: unknown) => e instanceof NotFoundError && e.code === ErrorCode.NOT_FOUND,
      );
      await Deno.writeFile(`${dir}/f`, new Uint8Array(3));
      await assert.rejects(
        checkFile(fs, `${dir}/f`, { digest: "sha256:nothex", size: 3, subject: "f" }),
        InvalidDigestError,
      );
    });
  });

  Deno.test(`checkFile() follows a file written in pieces with pauses and ends with the write (${where})`, async () => {
    await withDir(async (dir) => {
      const bytes = randomBytes(FILE_CHECK_CHUNK * 2 + 777, 11);
      const path = `${dir}/growing`;
      await Deno.writeFile(path, new Uint8Array());
      let writeEnded = false;
      const writing = writeSlowly(path, bytes, 6, 15).then(() => {
        writeEnded = true;
      });
      await checkFile(fs, path, {
        digest: await digestOf(bytes),
        size: bytes.byteLength,
        subject: "growing",
        writing,
      });
      // The check saw every byte, so it cannot have ended before the write.
      assert.equal(writeEnded, true);
      await writing;
    });
  });

  Deno.test(`checkFile() following a write finds wrong or too many bytes (${where})`, async () => {
    await withDir(async (dir) => {
      const bytes = randomBytes(300_000, 12);
      const wrong = bytes.slice();
      wrong[0] = (wrong[0] ?? 0) ^ 1;
      await Deno.writeFile(`${dir}/a`, new Uint8Array());
      const w1 = writeSlowly(`${dir}/a`, wrong, 4, 5);
      await assert.rejects(
        checkFile(fs, `${dir}/a`, {
          digest: await digestOf(bytes),
          size: bytes.byteLength,
          subject: "a",
          writing: w1,
        }),
        DigestMismatchError,
      );
      await w1;
      const long = new Uint8Array(bytes.byteLength + 10);
      long.set(bytes);
      await Deno.writeFile(`${dir}/b`, new Uint8Array());
      const w2 = writeSlowly(`${dir}/b`, long, 4, 5);
      await assert.rejects(
        checkFile(fs, `${dir}/b`, {
          digest: await digestOf(bytes),
          size: bytes.byteLength,
          subject: "b",
          writing: w2,
        }),
        SizeMismatchError,
      );
      await w2;
    });
  });

  Deno.test(`checkFile() following a write that rejects ends with the same error (${where})`, async () => {
    await withDir(async (dir) => {
      const bytes = randomBytes(500_000, 13);
      const path = `${dir}/broken`;
      await Deno.writeFile(path, new Uint8Array());
      const boom = new Error("the body broke");
      const writing = writeSlowly(path, bytes, 5, 10, { pieces: 3, error: boom });
      await assert.rejects(
        checkFile(fs, path, {
          digest: await digestOf(bytes),
          size: bytes.byteLength,
          subject: "broken",
          writing,
        }),
        (e: unknown) => e === boom,
      );
      await assert.rejects(writing, (e: unknown) => e === boom);
    });
  });

  Deno.test(`checkFile() stops with AbortedError when the signal aborts (${where})`, async () => {
    await withDir(async (dir) => {
      const bytes = randomBytes(FILE_CHECK_CHUNK + 1, 14);
      await Deno.writeFile(`${dir}/f`, bytes);
      const done = new AbortController();
      done.abort();
      await assert.rejects(
        checkFile(fs, `${dir}/f`, {
          digest: await digestOf(bytes),
          size: bytes.byteLength,
          subject: "f",
          signal: done.signal,
        }),
        (e: unknown) => e instanceof AbortedError && e.code === ErrorCode.ABORTED,
      );
      // Aborted while following a write that never ends.
      await Deno.writeFile(`${dir}/g`, bytes.subarray(0, 1000));
      const ac = new AbortController();
      const never = new Promise<void>(() => {});
      const timer = setTimeout(() => ac.abort(), 30);
      try {
        await assert.rejects(
          checkFile(fs, `${dir}/g`, {
            digest: await digestOf(bytes),
            size: bytes.byteLength,
            subject: "g",
            signal: ac.signal,
            writing: never,
          }),
          AbortedError,
        );
      } finally {
        clearTimeout(timer);
      }
    });
  });

  Deno.test(`checkFile() reports the bytes checked after each piece, up to the size (${where})`, async () => {
    await withDir(async (dir) => {
      const data = randomBytes(2 * FILE_CHECK_CHUNK + 5, 91);
      await Deno.writeFile(`${dir}/f`, data);
      const seen: number[] = [];
      await checkFile(fs, `${dir}/f`, {
        digest: await digestOf(data),
        size: data.byteLength,
        subject: "f",
        onBytes: (n) => seen.push(n),
      });
      assert.deepEqual(seen, [FILE_CHECK_CHUNK, 2 * FILE_CHECK_CHUNK, data.byteLength]);
    });
  });
}

sharedTests("worker", denoFileSystem);
sharedTests("this thread", onThisThread);

Deno.test("checkFile() flushes a followed file every syncEvery bytes, and not when it is not writing", async () => {
  await withDir(async (dir) => {
    const bytes = randomBytes(FILE_CHECK_CHUNK * 4, 15);
    const digest = await digestOf(bytes);
    const path = `${dir}/synced`;
    await Deno.writeFile(path, new Uint8Array());
    const following = countingSyncs();
    const writing = writeSlowly(path, bytes, 8, 10);
    await checkFile(following.fs, path, {
      digest,
      size: bytes.byteLength,
      subject: "synced",
      writing,
      syncEvery: FILE_CHECK_CHUNK,
    });
    await writing;
    assert.ok(following.syncs() >= 1, `syncs: ${following.syncs()}`);
    // A finished file is never flushed, and syncEvery 0 (default) never flushes.
    const still = countingSyncs();
    await checkFile(still.fs, path, {
      digest,
      size: bytes.byteLength,
      subject: "synced",
      syncEvery: FILE_CHECK_CHUNK,
    });
    assert.equal(still.syncs(), 0);
    await Deno.writeFile(`${dir}/again`, new Uint8Array());
    const none = countingSyncs();
    const w2 = writeSlowly(`${dir}/again`, bytes, 8, 5);
    await checkFile(none.fs, `${dir}/again`, {
      digest,
      size: bytes.byteLength,
      subject: "again",
      writing: w2,
    });
    await w2;
    assert.equal(none.syncs(), 0);
  });
});

/**
 * Checking a whole file against a digest and size by reading it through
 * once in large pieces: how bytes that were moved without JavaScript (a
 * raw copy) are verified before they are trusted. A file still being
 * written can be followed as it grows, so the check ends with the write.
 *
 * @module
 */
import { AbortedError, DigestMismatchError, SizeMismatchError } from "../../errors.ts";
import { loadHasher, parseDigest } from "../../types/digest.ts";
import type { FileHash, FileSystem } from "./file_system.ts";
import { afterMs } from "../../timers.ts";

/** Bytes read at once while hashing a file (1 MiB, one reused buffer). */
export const FILE_CHECK_CHUNK = 1024 * 1024;

/** What {@link checkFile} compares the file with. */
export interface FileCheckOptions {
  /** Expected digest. */
  digest: string;
  /** Expected size. */
  size: number;
  /** Names the content in error messages, e.g. `blob "sha256:…" in "…"`. */
  subject: string;
  /** Cancels the check. */
  signal?: AbortSignal | undefined;
  /**
   * The file is still being written: it is read on as it grows until this
   * settles (a rejection ends the check with the same error).
   */
  writing?: Promise<unknown> | undefined;
  /**
   * While following a write, flush the file to disk every this many bytes,
   * so the writer's final flush is short. @default 0 (never)
   */
  syncEvery?: number | undefined;
  /** Hears the number of bytes checked so far, after each piece. */
  onBytes?: ((count: number) => void) | undefined;
}

/**
 * Wait between reads that find nothing new in a file being written: 2 ms
 * at first, doubled while nothing arrives (a stalled download), up to 64 ms.
 */
const FOLLOW_POLL_MS = 2;
const FOLLOW_POLL_MAX_MS = 64;

/**
 * Reads a file through and checks its length and digest.
 *
 * @param fs file system
 * @param path the file
 * @param o expected digest and size, subject for errors, cancellation
 * @returns nothing when the file matches
 * @throws {SizeMismatchError} when the file is shorter or longer than `size`
 * @throws {DigestMismatchError} when its bytes hash to another digest
 * @throws {InvalidDigestError} when `digest` is malformed
 * @throws {NotFoundError} when the file does not exist
 * @throws {AbortedError} when the signal aborts
 *
 * @example A file checks out against its own digest
 * ```ts
 * import { digestOf } from "../../types/digest.ts";
 * import { checkFile } from "./file_check.ts";
 * import { denoFileSystem } from "./file_system.ts";
 * const dir = await Deno.makeTempDir();
 * const data = new TextEncoder().encode("hello");
 * await Deno.writeFile(`${dir}/f`, data);
 * await checkFile(denoFileSystem, `${dir}/f`, { digest: await digestOf(data), size: 5, subject: "f" });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkFile(
  fs: FileSystem,
  path: string,
  o: FileCheckOptions,
): Promise<void> {
  const algorithm = parseDigest(o.digest).algorithm;
  const off = await _hashOffThread(fs, path, algorithm, o);
  if (off !== undefined) {
    if (off.count !== o.size) throw new SizeMismatchError(o.subject, o.size, off.count);
    if (off.digest !== o.digest) throw new DigestMismatchError(o.subject, o.digest, off.digest);
    return;
  }
  const hasher = (await loadHasher())(algorithm);
  const file = await fs.openReader(path);
  let ended = o.writing === undefined;
  let failure: { err: unknown } | undefined;
  o.writing?.then(() => (ended = true), (err) => (failure = { err }));
  try {
    // One byte more than expected fits, so a longer file is noticed.
    const buffer = new Uint8Array(Math.min(FILE_CHECK_CHUNK, o.size + 1));
    let count = 0;
    let synced = 0;
    let wait = FOLLOW_POLL_MS;
    for (;;) {
      if (o.signal?.aborted) {
        throw new AbortedError(`Cannot check ${o.subject}: the operation was cancelled`);
      }
      if (failure !== undefined) throw failure.err;
      // Whether the write was over before this read: then an empty read is the end.
      const final = ended;
      const n = await file.read(buffer);
      if (n === null) {
        if (final) break;
        await _nextWrite(o.writing, wait);
        wait = Math.min(wait * 2, FOLLOW_POLL_MAX_MS);
        continue;
      }
      wait = FOLLOW_POLL_MS;
      count += n;
      if (count > o.size) throw new SizeMismatchError(o.subject, o.size, count);
      hasher.update(n === buffer.byteLength ? buffer : buffer.subarray(0, n));
      o.onBytes?.(count);
      if (!ended && o.syncEvery && count - synced >= o.syncEvery) {
        synced = count;
        await file.sync?.();
      }
    }
    if (count !== o.size) throw new SizeMismatchError(o.subject, o.size, count);
  } finally {
    file.close();
  }
  const actual = hasher.digest();
  if (actual !== o.digest) throw new DigestMismatchError(o.subject, o.digest, actual);
}

/**
 * The file system's off-thread hash, when it has one (errors keep their
 * meaning: a failed write's error, or cancellation).
 */
async function _hashOffThread(
  fs: FileSystem,
  path: string,
  algorithm: string,
  o: FileCheckOptions,
): Promise<FileHash | undefined> {
  if (fs.hashFile === undefined) return undefined;
  try {
    return await fs.hashFile(path, {
      algorithm,
      size: o.size,
      writing: o.writing,
      syncEvery: o.syncEvery,
      onBytes: o.onBytes,
      signal: o.signal,
    });
  } catch (err) {
    if (o.signal?.aborted) {
      throw new AbortedError(`Cannot check ${o.subject}: the operation was cancelled`);
    }
    throw err;
  }
}

/** Waits until the write settles or `ms` pass. */
async function _nextWrite(writing: Promise<unknown> | undefined, ms: number): Promise<void> {
  let cancel = () => {};
  try {
    await Promise.race([
      writing?.catch(() => {}),
      new Promise<void>((resolve) => (cancel = afterMs(ms, resolve))),
    ]);
  } finally {
    cancel();
  }
}

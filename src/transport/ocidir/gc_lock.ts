/**
 * The garbage-collection lock of an OCI layout (regclient's idea): writers
 * hold a shared lease on `<layout>/.ocictl.gc.lock` from their first touch
 * of the layout until they close, and garbage collection takes it
 * exclusively. A collection in one process therefore never runs while
 * another process is between "this blob is already there" and the manifest
 * that references it.
 *
 * In one process the leases of a layout share one shared file lock (a
 * count). An exclusive section while this process holds leases converts
 * that file lock to exclusive for its length (waiting for other processes
 * only), so a process never blocks on itself; leases asked for meanwhile
 * wait. Other transports of the same process are not waited for.
 *
 * @module
 */
import type { FileLock, FileSystem } from "./file_system.ts";

/** Name of the garbage-collection lock file inside a layout directory. */
export const GC_LOCK_FILE = ".ocictl.gc.lock";

/** A held shared lease; release it exactly once. */
export interface GcLease {
  /** Ends the lease. @returns nothing */
  release(): Promise<void>;
}

interface _State {
  holders: number;
  file: Promise<FileLock> | undefined;
  /** Settles when this process's exclusive section (if any) ends. */
  exclusive: Promise<void> | undefined;
}

const states = new Map<string, _State>();

function _state(dir: string): _State {
  let s = states.get(dir);
  if (s === undefined) {
    s = { holders: 0, file: undefined, exclusive: undefined };
    states.set(dir, s);
  }
  return s;
}

/**
 * Takes a shared lease on a layout's garbage-collection lock; waits while a
 * collection (in any process) holds it exclusively.
 *
 * @param fs file system
 * @param dir layout directory (must exist)
 * @returns the lease
 * @throws whatever opening the lock file throws (a read-only layout)
 *
 * @example A lease then a collection
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { denoFileSystem } from "./file_system.ts";
 * import { holdGcLease, withGcExclusive } from "./gc_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const order: string[] = [];
 * const lease = await holdGcLease(denoFileSystem, dir);
 * const gc = withGcExclusive(denoFileSystem, dir, async () => {
 *   order.push("gc");
 * });
 * order.push("write");
 * await lease.release();
 * await gc;
 * equal(order.join(","), "write,gc");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function holdGcLease(fs: FileSystem, dir: string): Promise<GcLease> {
  const s = _state(dir);
  while (s.exclusive !== undefined) await s.exclusive;
  s.holders++;
  s.file ??= fs.lock(`${dir}/${GC_LOCK_FILE}`, { shared: true });
  const file = s.file;
  try {
    await file;
  } catch (err) {
    await _leave(s, dir, file);
    throw err;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await _leave(s, dir, file);
    },
  };
}

async function _leave(s: _State, dir: string, file: Promise<FileLock>): Promise<void> {
  s.holders--;
  if (s.holders > 0) return;
  // an exclusive section of this process may be running on this very file lock (converted)
  while (s.exclusive !== undefined) await s.exclusive;
  if (s.holders > 0) return;
  if (s.file === file) s.file = undefined;
  const held = await file.catch(() => undefined);
  await held?.release();
  if (s.exclusive === undefined && s.holders === 0) states.delete(dir);
}

/**
 * Runs `fn` holding a layout's garbage-collection lock exclusively: while
 * no other process holds a lease (this process's own leases are converted,
 * see the module notes).
 *
 * @param fs file system
 * @param dir layout directory (must exist)
 * @param fn the collection
 * @returns what `fn` returns
 * @throws whatever `fn` throws (the lock is released first)
 */
export async function withGcExclusive<T>(
  fs: FileSystem,
  dir: string,
  fn: () => Promise<T>,
): Promise<T> {
  const s = _state(dir);
  while (s.exclusive !== undefined) await s.exclusive;
  let done!: () => void;
  s.exclusive = new Promise<void>((resolve) => (done = resolve));
  try {
    const own = s.holders > 0 && s.file !== undefined
      ? await s.file.catch(() => undefined)
      : undefined;
    if (own?.convert !== undefined) {
      await own.convert(true);
      try {
        return await fn();
      } finally {
        await own.convert(false);
      }
    }
    const lock = await fs.lock(`${dir}/${GC_LOCK_FILE}`);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  } finally {
    s.exclusive = undefined;
    done();
    if (s.holders === 0) states.delete(dir);
  }
}

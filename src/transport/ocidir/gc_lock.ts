/**
 * The garbage-collection lock of an OCI layout (regclient's idea): writers
 * hold a shared lease on `<layout>/.ocictl.gc.lock` from their first touch
 * of the layout until they close, and garbage collection takes it
 * exclusively. A collection in one process therefore never runs while
 * another process is between "this blob is already there" and the manifest
 * that references it.
 *
 * The lock file is made only on write paths (a writer's lease, including a
 * copy's lookups in its target, and a collection); reads lease it only when
 * it exists, so a layout that is only read is never written to. See `LayoutStore.hold` for how a blob
 * found before the lock file existed is kept safe.
 *
 * In one process the state is kept per file system and per real path of
 * the layout (two spellings of one directory, or two transports on it,
 * share it): the leases share one shared file lock (a count).
 * {@link withGcExclusive} (`serve gc`) waits until every lease of the
 * process has ended, as it waits for other processes' leases through the
 * file lock. A transport's own collection ({@link collectWhenFree}) does
 * not block on the process's other transports, which would hang a process
 * that closes its transports one after the other: while one of them holds a
 * lease, the collection is handed to the last lease, and runs when that
 * lease ends. Leases asked for while a collection waits or runs wait for it.
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
  /** Leases held in this process. */
  holders: number;
  /** The shared file lock the leases share. */
  file: Promise<FileLock> | undefined;
  /** Shared file locks being released. */
  closing: number;
  /** Settles when this process's collection (waiting or running) ends. */
  exclusive: Promise<void> | undefined;
  /** Collections waiting for the leases to end. */
  waiting: (() => void)[];
  /** Collections handed to the last lease, run when it ends. */
  handed: (() => Promise<void>)[];
}

const registry = new WeakMap<FileSystem, Map<string, _State>>();

async function _key(fs: FileSystem, dir: string): Promise<string> {
  if (fs.realPath === undefined) return dir;
  return await fs.realPath(dir).catch(() => dir);
}

function _state(fs: FileSystem, key: string): _State {
  let states = registry.get(fs);
  if (states === undefined) {
    states = new Map();
    registry.set(fs, states);
  }
  let s = states.get(key);
  if (s === undefined) {
    s = { holders: 0, file: undefined, closing: 0, exclusive: undefined, waiting: [], handed: [] };
    states.set(key, s);
  }
  return s;
}

/** The layout's state once no collection of this process waits or runs. */
async function _unlocked(fs: FileSystem, key: string): Promise<_State> {
  let s = _state(fs, key);
  while (s.exclusive !== undefined) {
    await s.exclusive;
    // the ended collection may have forgotten that state
    s = _state(fs, key);
  }
  return s;
}

/** Wakes waiting collections once no lease is held, and forgets an idle state. */
function _settle(fs: FileSystem, key: string, s: _State): void {
  if (s.holders > 0 || s.closing > 0) return;
  for (const wake of s.waiting.splice(0)) wake();
  if (s.exclusive !== undefined || s.handed.length > 0) return;
  const states = registry.get(fs);
  if (states?.get(key) === s) states.delete(key);
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
  const key = await _key(fs, dir);
  const s = await _unlocked(fs, key);
  s.holders++;
  s.file ??= fs.lock(`${dir}/${GC_LOCK_FILE}`, { shared: true });
  const file = s.file;
  try {
    await file;
  } catch (err) {
    if (s.file === file) s.file = undefined;
    await _leave(fs, key, s, file);
    throw err;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await _leave(fs, key, s, file);
    },
  };
}

async function _leave(
  fs: FileSystem,
  key: string,
  s: _State,
  file: Promise<FileLock>,
): Promise<void> {
  s.holders--;
  if (s.holders > 0) return;
  if (s.file === file) s.file = undefined;
  s.closing++;
  try {
    const held = await file.catch(() => undefined);
    await held?.release();
  } finally {
    s.closing--;
  }
  // the last lease ended: the collections handed to it run now (or go to a newer lease)
  const handed = s.holders === 0 ? s.handed.splice(0) : [];
  _settle(fs, key, s);
  for (const run of handed) await run();
}

/**
 * Runs `fn` holding a layout's garbage-collection lock exclusively: once no
 * lease is held, in this process (any transport, any spelling of the
 * directory) or another. Leases asked for meanwhile wait.
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
  const key = await _key(fs, dir);
  return await _exclusive(fs, dir, key, await _unlocked(fs, key), fn);
}

/**
 * Runs a transport's collection of a layout: at once (as
 * {@link withGcExclusive}) when no lease of this process is held on it;
 * otherwise it is handed to the last lease and runs when that lease ends
 * (its release waits for it), and this returns at once. A handed-over
 * collection that fails leaves its garbage for a later one.
 *
 * @param fs file system
 * @param dir layout directory (must exist)
 * @param fn the collection
 * @returns when it ran, or was handed over
 * @throws whatever `fn` throws when it runs at once
 *
 * @example A collection waits for another transport's lease
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { denoFileSystem } from "./file_system.ts";
 * import { collectWhenFree, holdGcLease } from "./gc_lock.ts";
 * const dir = await Deno.makeTempDir();
 * let ran = false;
 * const lease = await holdGcLease(denoFileSystem, dir);
 * await collectWhenFree(denoFileSystem, dir, async () => {
 *   ran = true;
 * });
 * equal(ran, false);
 * await lease.release();
 * equal(ran, true);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function collectWhenFree(
  fs: FileSystem,
  dir: string,
  fn: () => Promise<void>,
): Promise<void> {
  const key = await _key(fs, dir);
  const s = await _unlocked(fs, key);
  if (s.holders > 0) {
    s.handed.push(() => collectWhenFree(fs, dir, fn).catch(() => {}));
    return;
  }
  await _exclusive(fs, dir, key, s, fn);
}

/** {@link withGcExclusive} on a state found free of collections (no await in between). */
async function _exclusive<T>(
  fs: FileSystem,
  dir: string,
  key: string,
  s: _State,
  fn: () => Promise<T>,
): Promise<T> {
  let done!: () => void;
  s.exclusive = new Promise<void>((resolve) => (done = resolve));
  try {
    while (s.holders > 0 || s.closing > 0) {
      await new Promise<void>((resolve) => s.waiting.push(resolve));
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
    _settle(fs, key, s);
  }
}

/**
 * The lock around every read-modify-write of an OCI layout's `index.json`:
 * an in-process mutex per layout directory plus an exclusive file lock on
 * `<layout>/.ocictl.lock`, so other processes (and other ocictl instances)
 * are kept out too.
 *
 * @module
 */
import type { FileSystem } from "./file_system.ts";

/** Name of the lock file inside a layout directory. */
export const LOCK_FILE = ".ocictl.lock";

const tails = new Map<string, Promise<void>>();

async function _inProcess<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

/**
 * Runs `fn` while holding the layout lock of `dir`. The directory must exist.
 * Calls for the same directory run one at a time in this process, and the
 * file lock keeps other processes out.
 *
 * @param fs file system
 * @param dir layout directory
 * @param fn the critical section
 * @returns what `fn` returns
 * @throws whatever `fn` throws (the lock is released first)
 *
 * @example Serialise two updates
 * ```ts
 * import { deepEqual } from "node:assert/strict";
 * import { denoFileSystem } from "./file_system.ts";
 * import { withLayoutLock } from "./lock.ts";
 * const dir = await Deno.makeTempDir();
 * const seen: number[] = [];
 * await Promise.all([1, 2].map((n) => withLayoutLock(denoFileSystem, dir, async () => {
 *   seen.push(n);
 * })));
 * deepEqual(seen, [1, 2]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function withLayoutLock<T>(fs: FileSystem, dir: string, fn: () => Promise<T>): Promise<T> {
  return _inProcess(dir, async () => {
    const lock = await fs.lock(`${dir}/${LOCK_FILE}`);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  });
}

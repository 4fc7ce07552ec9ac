/**
 * A memory of blob files whose bytes were checked against their digest,
 * keyed by path and tied to the file's identity (inode, size, modification
 * and change times). A long-running reader (`ocictl serve`) hashes a blob
 * once, when it is written or first read, and serves it again without
 * hashing for as long as the file is provably the same one. Any write,
 * truncation, replacement or `touch` through the file system changes the
 * identity (the change time cannot be set back by users), and the next
 * read hashes the file again.
 *
 * What it cannot see: bytes that change on the medium without the file
 * system knowing (bit rot on a file system without checksums).
 *
 * @module
 */
import type { FileInfo } from "./file_system.ts";

/** Default number of files remembered. */
export const VERIFIED_FILES_MAX = 100_000;

/**
 * The files known to hold the bytes their digest names.
 *
 * @example A file is trusted until its identity changes
 * ```ts
 * import assert from "node:assert/strict";
 * import { VerifiedFiles } from "./verified_files.ts";
 * const v = new VerifiedFiles();
 * const info = { isFile: true, isDirectory: false, size: 3, mtime: 1, ino: 7, ctime: 1 };
 * v.add("/l/blobs/sha256/ab", info);
 * assert.equal(v.has("/l/blobs/sha256/ab", info), true);
 * assert.equal(v.has("/l/blobs/sha256/ab", { ...info, mtime: 2 }), false);
 * ```
 */
export class VerifiedFiles {
  #max: number;
  #files = new Map<string, string>();

  /**
   * Creates an empty memory.
   *
   * @param max files remembered; the oldest are forgotten first
   */
  constructor(max: number = VERIFIED_FILES_MAX) {
    this.#max = Math.max(1, max);
  }

  /**
   * Remembers that the file at `path`, as `info` describes it, was checked.
   * Files whose identity is not fully known are not remembered.
   *
   * @param path the file
   * @param info its `stat` taken before the check began
   * @returns nothing
   */
  add(path: string, info: FileInfo): void {
    const id = _identity(info);
    if (id === undefined) return;
    this.#files.delete(path);
    this.#files.set(path, id);
    if (this.#files.size > this.#max) {
      const oldest = this.#files.keys().next();
      if (!oldest.done) this.#files.delete(oldest.value);
    }
  }

  /**
   * Tells whether the file at `path` is still the one that was checked.
   *
   * @param path the file
   * @param info its current `stat`
   * @returns true when its identity is unchanged since the check
   */
  has(path: string, info: FileInfo): boolean {
    const id = _identity(info);
    return id !== undefined && this.#files.get(path) === id;
  }

  /**
   * Forgets a file (deleted, or found corrupt).
   *
   * @param path the file
   * @returns nothing
   */
  delete(path: string): void {
    this.#files.delete(path);
  }
}

function _identity(info: FileInfo): string | undefined {
  if (!info.isFile || info.ino === undefined || info.mtime === undefined) return undefined;
  if (info.ctime === undefined) return undefined;
  return `${info.ino}:${info.size}:${info.mtime}:${info.ctime}`;
}

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

/**
 * Default number of files remembered: about 10 MiB of memory when full
 * (measured near 220 bytes a file, most of it the path).
 */
export const VERIFIED_FILES_MAX = 50_000;

/** Numbers kept per file: inode, size, modification and change time. */
const _FIELDS = 4;

/**
 * The files known to hold the bytes their digest names. Each file costs
 * its path (the key) and four numbers in a shared typed array; the oldest
 * are forgotten beyond the bound.
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
  /** Path → slot in {@link #ids}, oldest first. */
  #files = new Map<string, number>();
  #ids = new Float64Array(0);
  #free: number[] = [];

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
    let slot = this.#files.get(path);
    if (slot !== undefined) {
      this.#files.delete(path);
    } else if (this.#files.size >= this.#max) {
      const [oldest, reused] = this.#files.entries().next().value as [string, number];
      this.#files.delete(oldest);
      slot = reused;
    } else {
      slot = this.#free.pop() ?? this.#files.size;
    }
    this.#room(slot);
    this.#ids.set(id, slot * _FIELDS);
    this.#files.set(path, slot);
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
    const slot = this.#files.get(path);
    if (id === undefined || slot === undefined) return false;
    const at = slot * _FIELDS;
    return id.every((n, i) => this.#ids[at + i] === n);
  }

  /**
   * Forgets a file (deleted, or found corrupt).
   *
   * @param path the file
   * @returns nothing
   */
  delete(path: string): void {
    const slot = this.#files.get(path);
    if (slot === undefined) return;
    this.#files.delete(path);
    this.#free.push(slot);
  }

  /** Grows the typed array (doubling, up to the bound) so `slot` fits. */
  #room(slot: number): void {
    if ((slot + 1) * _FIELDS <= this.#ids.length) return;
    const slots = Math.min(this.#max, Math.max(64, (slot + 1) * 2));
    const grown = new Float64Array(slots * _FIELDS);
    grown.set(this.#ids);
    this.#ids = grown;
  }
}

function _identity(info: FileInfo): number[] | undefined {
  if (!info.isFile || info.ino === undefined || info.mtime === undefined) return undefined;
  if (info.ctime === undefined) return undefined;
  return [info.ino, info.size, info.mtime, info.ctime];
}

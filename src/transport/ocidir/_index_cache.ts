/**
 * Parsed `index.json` files kept by a long-running reader (`ocictl serve`):
 * one is reused while the file is provably the same one (inode, size,
 * modification and change times; every write replaces the file by a
 * rename), within a budget of file bytes, least recently used first out.
 * A request then costs one `stat` instead of reading and parsing the whole
 * index, whose size grows with the number of tags.
 *
 * @module
 */
import type { FileInfo, FileSystem } from "./file_system.ts";
import { INDEX_FILE, type LayoutIndex, readLayout } from "./layout.ts";

/** Default budget: the sizes of the `index.json` files kept, in bytes (4 MiB). */
export const INDEX_CACHE_BYTES = 4 * 1024 * 1024;

interface _Entry {
  id: string;
  size: number;
  index: LayoutIndex;
}

function _identity(info: FileInfo | undefined): string | undefined {
  if (info === undefined || !info.isFile || info.ino === undefined) return undefined;
  if (info.mtime === undefined || info.ctime === undefined) return undefined;
  return `${info.ino}:${info.size}:${info.mtime}:${info.ctime}`;
}

/** The cache; the indexes it returns are shared and must not be changed. */
export class IndexCache {
  #budget: number;
  #used = 0;
  #entries = new Map<string, _Entry>();

  /**
   * Creates an empty cache.
   * @param budget total size of the files kept, in bytes
   */
  constructor(budget: number = INDEX_CACHE_BYTES) {
    this.#budget = budget;
  }

  /**
   * Reads a layout's `index.json` as `readLayout` does, from the cache
   * while the file is unchanged.
   * @param fs file system
   * @param dir layout directory
   * @returns the parsed index (do not change it)
   * @throws what `readLayout` throws
   */
  async read(fs: FileSystem, dir: string): Promise<LayoutIndex> {
    const path = `${dir}/${INDEX_FILE}`;
    const id = _identity(await fs.stat(path));
    const hit = this.#entries.get(dir);
    if (hit !== undefined) {
      this.#entries.delete(dir);
      if (id !== undefined && hit.id === id) {
        this.#entries.set(dir, hit);
        return hit.index;
      }
      this.#used -= hit.size;
    }
    const index = await readLayout(fs, dir);
    const after = await fs.stat(path);
    // kept only when the file read is the one looked at before and after
    if (id === undefined || _identity(after) !== id || after === undefined) return index;
    if (after.size > this.#budget || this.#entries.has(dir)) return index;
    for (const [key, old] of this.#entries) {
      if (this.#used + after.size <= this.#budget) break;
      this.#entries.delete(key);
      this.#used -= old.size;
    }
    this.#entries.set(dir, { id, size: after.size, index });
    this.#used += after.size;
    return index;
  }
}

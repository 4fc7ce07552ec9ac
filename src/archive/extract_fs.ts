/**
 * The file-system seam of safe extraction: the few operations needed to
 * write a tree without ever following a symlink, and {@link denoExtractFs},
 * the implementation over Deno's file APIs.
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";

/** What {@link ExtractFs.lstat} reports (symlinks are not followed). */
export interface ExtractStat {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** A symlink. */
  isSymlink: boolean;
}

/** File operations of safe extraction. Paths use `/` separators. */
export interface ExtractFs {
  /**
   * Describes a path without following a final symlink.
   * @param path path
   * @returns its info, or `undefined` when it does not exist
   */
  lstat(path: string): Promise<ExtractStat | undefined>;
  /**
   * Creates one directory (its parent must exist).
   * @param path directory
   * @param mode permission bits
   * @returns nothing
   */
  mkdir(path: string, mode: number): Promise<void>;
  /**
   * Creates a new file (failing when the path exists) from a stream.
   * @param path new file
   * @param body bytes (consumed)
   * @param mode permission bits
   * @returns nothing
   */
  writeFile(path: string, body: ReadableStream<Uint8Array>, mode: number): Promise<void>;
  /**
   * Creates a symlink.
   * @param target link target as written in the layer
   * @param path the new link
   * @returns nothing
   */
  symlink(target: string, path: string): Promise<void>;
  /**
   * Creates a hard link.
   * @param existing existing file
   * @param path the new name
   * @returns nothing
   */
  link(existing: string, path: string): Promise<void>;
  /**
   * Removes a path (a directory with its contents); never follows symlinks.
   * @param path path
   * @returns nothing
   */
  remove(path: string): Promise<void>;
  /**
   * Changes permission bits (of a directory or file, not a symlink).
   * @param path path
   * @param mode permission bits
   * @returns nothing
   */
  chmod(path: string, mode: number): Promise<void>;
  /**
   * Lists the names in a directory.
   * @param path directory
   * @returns names
   * @throws {NotFoundError} when it does not exist
   */
  readDir(path: string): Promise<string[]>;
}

/**
 * The {@link ExtractFs} over Deno's file APIs.
 *
 * @example Write a file
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoExtractFs } from "./extract_fs.ts";
 * const dir = await Deno.makeTempDir();
 * await denoExtractFs.writeFile(`${dir}/a`, ReadableStream.from([new Uint8Array([1])]), 0o644);
 * assert.equal((await denoExtractFs.lstat(`${dir}/a`))?.isFile, true);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const denoExtractFs: ExtractFs = {
  async lstat(path) {
    try {
      const i = await Deno.lstat(path);
      return { isFile: i.isFile, isDirectory: i.isDirectory, isSymlink: i.isSymlink };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
  },
  async mkdir(path, mode) {
    await Deno.mkdir(path, { mode });
  },
  async writeFile(path, body, mode) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { write: true, createNew: true, mode });
    } catch (err) {
      await body.cancel(err).catch(() => {});
      throw err;
    }
    await body.pipeTo(file.writable);
  },
  async symlink(target, path) {
    await Deno.symlink(target, path);
  },
  async link(existing, path) {
    await Deno.link(existing, path);
  },
  async remove(path) {
    await Deno.remove(path, { recursive: true });
  },
  async chmod(path, mode) {
    await Deno.chmod(path, mode);
  },
  async readDir(path) {
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(path)) names.push(e.name);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new NotFoundError(`Cannot list "${path}": it does not exist`, { cause: err });
      }
      throw err;
    }
    return names;
  },
};

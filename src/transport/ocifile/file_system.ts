/**
 * The file-system seam of the `ocifile` transport and of image import:
 * the OCI layout operations plus temp directories, and
 * {@link denoOciFileSystem}, its implementation over Deno's file APIs.
 *
 * @module
 */
import { denoFileSystem, type FileSystem } from "../ocidir/file_system.ts";

/** {@link FileSystem} plus temp directories. */
export interface OciFileSystem extends FileSystem {
  /**
   * Creates a new empty temp directory.
   * @param prefix start of its name
   * @returns its path
   */
  makeTempDir(prefix: string): Promise<string>;
  /**
   * Removes a directory and everything in it (missing is fine).
   * @param path directory
   * @returns nothing
   */
  removeTree(path: string): Promise<void>;
}

/**
 * The {@link OciFileSystem} over Deno's file APIs.
 *
 * @example A temp directory
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoOciFileSystem } from "./file_system.ts";
 * const dir = await denoOciFileSystem.makeTempDir("x_");
 * assert.equal((await denoOciFileSystem.stat(dir))?.isDirectory, true);
 * await denoOciFileSystem.removeTree(dir);
 * ```
 */
export const denoOciFileSystem: OciFileSystem = {
  ...denoFileSystem,
  async makeTempDir(prefix) {
    return await Deno.makeTempDir({ prefix });
  },
  async removeTree(path) {
    try {
      await Deno.remove(path, { recursive: true });
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  },
};

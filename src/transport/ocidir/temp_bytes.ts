/**
 * Writing bytes held in memory (a manifest, `index.json`, `oci-layout`) to a
 * new temp file, without web streams: a pull into a layout writes only such
 * files and raw blobs, so it never loads Deno's streams implementation.
 *
 * @module
 */
import { checkSignal } from "../transport_checks.ts";
import type { FileSystem } from "./file_system_types.ts";

/** Options of {@link writeTempBytes}. */
export interface TempBytesOptions {
  /** Start of the temp file's name (e.g. `index.json.`). */
  prefix?: string | undefined;
  /** Cancels the write; the temp file is then removed. */
  signal?: AbortSignal | undefined;
}

/**
 * Writes `bytes` to a new temp file in `dir` and flushes it to disk. On any
 * failure, or when the signal aborts, the temp file is removed.
 *
 * @param fs file system
 * @param dir existing directory for the temp file
 * @param bytes the bytes
 * @param options name prefix and cancellation
 * @returns the temp file's path (rename it into place)
 * @throws {AbortedError} when the signal aborts
 *
 * @example Write a file atomically
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoFileSystem } from "./file_system.ts";
 * import { writeTempBytes } from "./temp_bytes.ts";
 * const dir = await Deno.makeTempDir();
 * const tmp = await writeTempBytes(denoFileSystem, dir, new TextEncoder().encode("{}"));
 * await denoFileSystem.rename(tmp, `${dir}/index.json`);
 * assert.equal(await Deno.readTextFile(`${dir}/index.json`), "{}");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeTempBytes(
  fs: FileSystem,
  dir: string,
  bytes: Uint8Array,
  options: TempBytesOptions = {},
): Promise<string> {
  const what = `write a file in ${dir}`;
  checkSignal(options.signal, what);
  const file = await fs.createTemp(dir, { prefix: options.prefix });
  try {
    await file.write(bytes);
    await file.sync();
    checkSignal(options.signal, what);
  } catch (err) {
    file.close();
    await fs.remove(file.path).catch(() => {});
    throw err;
  }
  file.close();
  return file.path;
}

/**
 * Reads a small file whole, refusing anything over a size cap.
 *
 * @module
 */
import { SizeLimitError } from "../../errors.ts";
import { readCapped as readStreamCapped } from "../../read_capped.ts";
import type { FileSystem } from "./file_system.ts";

/**
 * Reads a file into memory with a cap checked before and while reading.
 *
 * @param fs file system
 * @param path file
 * @param limit largest size accepted, in bytes
 * @param subject names the content in errors
 * @returns the bytes
 * @throws {NotFoundError} when the file does not exist
 * @throws {SizeLimitError} when it is larger than `limit`
 */
export async function readCapped(
  fs: FileSystem,
  path: string,
  limit: number,
  subject: string,
): Promise<Uint8Array> {
  const info = await fs.stat(path);
  if (info !== undefined && info.size > limit) throw new SizeLimitError(subject, limit);
  return await readStreamCapped(await fs.open(path), limit, subject);
}

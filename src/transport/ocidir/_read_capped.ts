/**
 * Reads a small file whole, refusing anything over a size cap.
 *
 * @module
 */
import { SizeLimitError } from "../../errors.ts";
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
  const reader = (await fs.open(path)).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel();
        throw new SizeLimitError(subject, limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/**
 * Reads a small file whole, refusing anything over a size cap.
 *
 * @module
 */
import { concatBytes } from "../../bytes.ts";
import { SizeLimitError } from "../../errors.ts";
import type { FileSystem } from "./file_system.ts";

/** Most bytes asked of one read when the file's size is not known. */
const _PIECE = 64 * 1024;

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
  // Read through a plain reader, not a stream: a short command that reads
  // only index.json and a manifest then never loads Deno's web streams
  // (3–4 ms of start-up). One read of the size seen, one more to see the end.
  const file = await fs.openReader(path);
  try {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let want = info === undefined ? _PIECE : info.size + 1;
    for (;;) {
      const piece = new Uint8Array(Math.max(1, Math.min(want, limit + 1 - total)));
      const n = await file.read(piece);
      if (n === null || n === 0) break;
      total += n;
      if (total > limit) throw new SizeLimitError(subject, limit);
      chunks.push(piece.subarray(0, n));
      want = _PIECE;
    }
    return concatBytes(chunks, total);
  } finally {
    file.close();
  }
}

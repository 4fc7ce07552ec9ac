/**
 * Reads a whole byte stream into memory under a size cap (manifest bodies on
 * stdin, config blobs).
 *
 * @module
 */
import { SizeLimitError } from "../errors.ts";

/**
 * Reads a stream to the end, failing as soon as it passes `limit` bytes. The
 * stream is consumed or cancelled.
 *
 * @param body the bytes
 * @param limit the cap in bytes
 * @param subject names the content in the error, e.g. `manifest from stdin`
 * @returns the bytes
 * @throws {SizeLimitError} when the stream is longer than `limit`
 *
 * @example Under the cap
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCapped } from "./read_capped.ts";
 * const bytes = await readCapped(ReadableStream.from([new Uint8Array([1, 2])]), 2, "test");
 * assert.equal(bytes.byteLength, 2);
 * ```
 */
export async function readCapped(
  body: ReadableStream<Uint8Array>,
  limit: number,
  subject: string,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw new SizeLimitError(subject, limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

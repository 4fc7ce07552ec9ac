/**
 * Joining byte chunks: the one implementation for every buffer that is
 * gathered in pieces (capped reads, batched writes, upload chunks).
 *
 * @module
 */

/**
 * Joins byte chunks into one array. A single chunk is returned as it is.
 *
 * @param chunks the pieces, in order
 * @param total their total length, when the caller already counted it
 * @returns the joined bytes
 *
 * @example Join two pieces
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "./bytes.ts";
 * assert.deepEqual(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]), new Uint8Array([1, 2, 3]));
 * ```
 */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total ?? chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reading a small request body (a manifest) whole, with a size cap checked
 * before and while reading.
 *
 * @module
 */
import { ApiError } from "./errors_body.ts";

/**
 * Reads a request body into memory, refusing more than `limit` bytes.
 *
 * @param req the request
 * @param limit largest body accepted, in bytes
 * @returns the bytes (empty when there is no body)
 * @throws {ApiError} 413 `MANIFEST_INVALID` over the limit (the body is cancelled)
 */
export async function readCappedBody(req: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new ApiError(413, "MANIFEST_INVALID", `Cannot accept manifest: larger than ${limit} bytes`, {
      detail: { limit },
    });
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (req.body === null) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
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

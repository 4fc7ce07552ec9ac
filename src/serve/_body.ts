/**
 * Reading a small request body (a manifest) whole, with a size cap checked
 * before and while reading.
 *
 * @module
 */
import { SizeLimitError } from "../errors.ts";
import { readCapped } from "../read_capped.ts";
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
  try {
    return await readCapped(req.body, limit, "manifest");
  } catch (err) {
    if (err instanceof SizeLimitError) throw tooLarge();
    throw err;
  }
}

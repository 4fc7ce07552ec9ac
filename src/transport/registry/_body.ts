/**
 * Bounded reads of response bodies.
 *
 * @module
 */
import { SizeLimitError } from "../../errors.ts";
import { readCapped as readStreamCapped, readUpTo } from "../../read_capped.ts";

/**
 * Reads a response body up to a limit and cancels the rest.
 *
 * @param res the response
 * @param limit most bytes kept
 * @returns the bytes, truncated at the limit
 */
export function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  return readUpTo(res.body, limit);
}

/**
 * Reads a whole response body that must not exceed a limit.
 *
 * @param res the response
 * @param limit most bytes allowed
 * @param subject names the content in the error
 * @returns the bytes
 * @throws {SizeLimitError} when the body (or its Content-Length) is over the limit
 */
export async function readCapped(
  res: Response,
  limit: number,
  subject: string,
): Promise<Uint8Array> {
  const cl = Number(res.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(cl) && cl > limit) {
    await res.body?.cancel();
    throw new SizeLimitError(subject, limit);
  }
  return await readStreamCapped(res.body, limit, subject);
}

/**
 * Reads a numeric `Content-Length`.
 *
 * @param res response
 * @returns the length, or undefined when absent or malformed
 */
export function contentLength(res: Response): number | undefined {
  const v = res.headers.get("content-length");
  if (v === null || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

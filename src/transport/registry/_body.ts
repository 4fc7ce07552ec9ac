/**
 * Bounded reads of response bodies.
 *
 * @module
 */
import { SizeLimitError } from "../../errors.ts";

/**
 * Reads a response body up to a limit and cancels the rest.
 *
 * @param res the response
 * @param limit most bytes kept
 * @returns the bytes, truncated at the limit
 */
export async function readLimited(res: Response, limit: number): Promise<Uint8Array> {
  return (await _read(res, limit, false)).bytes;
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
  const got = await _read(res, limit, true);
  if (got.over) throw new SizeLimitError(subject, limit);
  return got.bytes;
}

async function _read(
  res: Response,
  limit: number,
  strict: boolean,
): Promise<{ bytes: Uint8Array; over: boolean }> {
  if (!res.body) return { bytes: new Uint8Array(), over: false };
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  let over = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - n;
      if (value.byteLength > room || (!strict && value.byteLength === room)) {
        over = value.byteLength > room;
        parts.push(value.subarray(0, room));
        n += room;
        await reader.cancel();
        break;
      }
      parts.push(value);
      n += value.byteLength;
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return { bytes: out, over };
}

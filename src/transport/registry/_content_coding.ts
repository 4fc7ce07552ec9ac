/**
 * Decoding of a wire response the server content-encoded although asked
 * not to (`Accept-Encoding: identity`), as fetch would decode it; loaded only
 * when a server does so.
 *
 * @module
 */
import type { WireResponse } from "./wire_response.ts";

/**
 * Decodes a gzip or deflate body, keeping the headers (so the body's length
 * is not taken from `Content-Length`).
 *
 * @param res the encoded response
 * @param url the request URL, for the error
 * @param coding its `Content-Encoding`, trimmed and lower case
 * @returns the response with the decoded body (`res` itself when it has none)
 * @throws {TypeError} for another coding (the response is discarded first)
 */
export async function decodeContentCoding(
  res: WireResponse,
  url: URL,
  coding: string,
): Promise<Response> {
  if (res.body === null) return res;
  const format = coding === "gzip" || coding === "x-gzip"
    ? "gzip"
    : coding === "deflate"
    ? "deflate"
    : undefined;
  if (format === undefined) {
    await res.discard();
    throw new TypeError(
      `fetch failed: ${url.href} sent an unsupported Content-Encoding "${coding}"`,
    );
  }
  const decoded = res.body.pipeThrough(new DecompressionStream(format));
  const out = new Response(decoded, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  Object.defineProperty(out, "url", { value: res.url });
  return out;
}

/**
 * Parser of the `Link` header (RFC 8288) used for tag, catalog and referrers
 * pagination.
 *
 * @module
 */

/**
 * Finds the `rel="next"` target of a `Link` header, resolved against the
 * request URL. `rel=next` is accepted with or without quotes, and a `rel`
 * list containing `next` counts.
 *
 * @param header the header value, or null
 * @param base the URL of the request that returned it
 * @returns the next URL, or undefined when there is none or it does not parse
 *
 * @example Resolve a relative next link
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLinkNext } from "./link_header.ts";
 * const next = parseLinkNext('</v2/a/tags/list?n=2&last=b>; rel="next"', new URL("http://r/v2/a/tags/list?n=2"));
 * assert.equal(next?.href, "http://r/v2/a/tags/list?n=2&last=b");
 * ```
 */
export function parseLinkNext(header: string | null, base: URL): URL | undefined {
  if (!header) return undefined;
  const re = /<([^>]*)>((?:\s*;\s*[^;,<=]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g;
  for (const m of header.matchAll(re)) {
    const target = m[1] ?? "";
    const params = m[2] ?? "";
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(params);
    const rels = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/);
    if (!rels.includes("next")) continue;
    try {
      return new URL(target, base);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

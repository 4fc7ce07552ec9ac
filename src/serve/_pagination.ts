/**
 * `n`/`last` pagination of tag and repository lists, with `Link` headers.
 *
 * @module
 */
import { ApiError } from "./errors_body.ts";

/** Largest page size honoured; bigger `n` values are clamped. */
export const MAX_PAGE_SIZE = 10_000;

/**
 * Pages a sorted list.
 *
 * @param items sorted items
 * @param params the request's query (`n`, `last`)
 * @param path path of the endpoint for the `Link` header
 * @returns the page and the `Link` header value when more items follow
 * @throws {ApiError} 400 `UNSUPPORTED` when `n` is not a non-negative integer
 */
export function paginate(
  items: readonly string[],
  params: URLSearchParams,
  path: string,
): { page: string[]; link: string | undefined } {
  const last = params.get("last");
  let rest = last === null || last === "" ? [...items] : items.filter((t) => t > last);
  const nParam = params.get("n");
  if (nParam === null || nParam === "") return { page: rest, link: undefined };
  if (!/^\d{1,9}$/.test(nParam)) {
    throw new ApiError(400, "UNSUPPORTED", `Cannot list: "n" must be a non-negative integer`, {
      detail: { n: nParam },
    });
  }
  const n = Math.min(Number(nParam), MAX_PAGE_SIZE);
  if (n === 0) return { page: [], link: undefined };
  const page = rest.slice(0, n);
  rest = rest.slice(n);
  const tail = page.at(-1);
  if (rest.length === 0 || tail === undefined) return { page, link: undefined };
  const next = new URLSearchParams({ n: String(n), last: tail });
  return { page, link: `<${path}?${next}>; rel="next"` };
}

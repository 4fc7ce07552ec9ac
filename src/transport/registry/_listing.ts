/**
 * Paged name listings of the registry transport (`tags/list`, `_catalog`):
 * `n`/`last` paging and `Link` headers followed with loop, host and page
 * guards. Loaded on first use (`manifest head` lists nothing).
 *
 * @module
 */
import { RegistryError } from "../../errors.ts";
import type { Ref } from "../../types/ref.ts";
import type { TagListOptions } from "../transport.ts";
import { readCapped } from "./_body.ts";
import { hostOf, normRef, pullFrom, type RegistryContext, repoName } from "./_registry_context.ts";
import { apiBase, pullUrl, type ResolvedHost } from "./host_config.ts";
import { parseLinkNext } from "./link_header.ts";
import { utf8Text } from "../../utf8_text.ts";

/** Most pages followed by a listing. */
export const MAX_PAGES = 1000;
/** Largest listing page read (16 MiB). */
const LIST_PAGE_LIMIT = 16 * 1024 * 1024;

/** What a listing request says about itself. */
export interface ListRequest {
  /** For messages: `list tags`. */
  action: string;
  /** For messages: the repository or registry. */
  subject: string;
  /** Repository (for the token scope), empty for the catalog. */
  repository: string;
  /** Extra token scopes. */
  scopes: string[];
  /** Do not retry (mirrors). */
  noRetry: boolean;
}

/**
 * Lists a repository's tags (`tags/list`). Mirrors are tried first.
 *
 * @param ctx shared state
 * @param ref repository reference
 * @param options `limit` (n), `last`, cancellation
 * @returns tags, sorted
 * @throws {RegistryError} on a looping or cross-host `Link`, or a body that is not JSON
 */
export function listTags(
  ctx: RegistryContext,
  ref: Ref,
  options: TagListOptions,
): Promise<string[]> {
  const r = normRef(ctx, ref);
  return pullFrom(
    ctx,
    r,
    options,
    (h) =>
      listNames(ctx, h.host, pullUrl(h, r.repository, "tags/list"), "tags", {
        action: "list tags",
        subject: repoName(r),
        repository: r.repository,
        scopes: [],
        noRetry: h.mirror,
      }, options),
  );
}

/**
 * Lists a registry's repositories (`_catalog`).
 *
 * @param ctx shared state
 * @param ref any reference on the registry
 * @param options `limit` (n), `last`, cancellation
 * @returns repository names, sorted
 * @throws {RegistryError} when the registry refuses or answers garbage
 */
export async function listRepositories(
  ctx: RegistryContext,
  ref: Ref,
  options: TagListOptions,
): Promise<string[]> {
  const host = hostOf(ctx, ref);
  return await listNames(ctx, host, new URL("_catalog", apiBase(host)), "repositories", {
    action: "list repositories",
    subject: host.name,
    repository: "",
    scopes: ["registry:catalog:*"],
    noRetry: false,
  }, options);
}

/**
 * Lists names page by page.
 *
 * @param ctx shared state
 * @param host the host asked
 * @param start URL of the first page
 * @param key JSON field holding the names
 * @param req what the request says about itself
 * @param options `limit` (n), `last`, cancellation
 * @returns the names, sorted, after `last`, at most `limit`
 * @throws {RegistryError} on a looping or cross-host `Link`, too many pages, or a body that is not a JSON list
 */
export async function listNames(
  ctx: RegistryContext,
  host: ResolvedHost,
  start: URL,
  key: "tags" | "repositories",
  req: ListRequest,
  options: TagListOptions,
): Promise<string[]> {
  const url = new URL(start);
  if (options.limit !== undefined) url.searchParams.set("n", String(options.limit));
  if (options.last !== undefined) url.searchParams.set("last", options.last);
  const seenUrls = new Set<string>();
  const out = new Set<string>();
  let next: URL | undefined = url;
  for (let page = 0; next; page++) {
    const fail = (detail: string) =>
      new RegistryError(`Cannot ${req.action} "${req.subject}": ${detail}`, {
        status: 200,
        method: "GET",
        url: next?.href ?? url.href,
      });
    if (page >= MAX_PAGES) throw fail(`more than ${MAX_PAGES} pages`);
    if (seenUrls.has(next.href)) throw fail(`the Link header loops back to "${next.href}"`);
    if (next.origin !== url.origin) {
      throw fail(`the Link header points to another host ("${next.origin}")`);
    }
    seenUrls.add(next.href);
    const res = await ctx.http.request(host, {
      ...req,
      method: "GET",
      url: next,
      signal: options.signal,
    });
    const body = await readCapped(res, LIST_PAGE_LIMIT, `${key} list of "${req.subject}"`);
    const names = _jsonStrings(body, key);
    if (names === undefined) {
      throw fail("the registry answered with something that is not a JSON list");
    }
    const before = out.size;
    for (const n of names) out.add(n);
    if (options.limit !== undefined && out.size >= options.limit) break;
    const link = parseLinkNext(res.headers.get("link"), next);
    if (link && seenUrls.has(link.href)) {
      throw fail(`the Link header loops back to "${link.href}"`);
    }
    if (link && out.size === before) break; // no progress: a registry that ignores n/last
    next = link;
  }
  // Some registries (distribution 2.8) ignore `last` without `n`.
  const last = options.last;
  const list = [...out].filter((n) => last === undefined || n > last).sort();
  return options.limit !== undefined ? list.slice(0, options.limit) : list;
}

function _jsonStrings(body: Uint8Array, key: string): string[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(utf8Text(body));
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const list = (json as Record<string, unknown>)[key];
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) return undefined;
  return list.filter((x): x is string => typeof x === "string");
}

/**
 * `ocictl serve --ui`: a read-only registry browser under `/ui/`, rendered on
 * the server with hono's JSX (no script, no asset from elsewhere). It reads
 * through the registry's own storage ({@link ServeState}) and shows only the
 * repositories the `canPull` predicate allows for the authenticated user.
 *
 * Pages: `/ui/` (repositories, `?q=` filter, `?page=`), `/ui/r/<repo>`
 * (tags, `?sort=name|time`, `?page=`), `/ui/r/<repo>/-/m/<tag|digest>` (a
 * manifest) and `/ui/r/<repo>/-/layer/<digest>` (a layer's files, streamed
 * from the blob).
 *
 * @module
 */
import { Client } from "../../client.ts";
import { NotFoundError, OciError } from "../../errors.ts";
import { buildReferrerTree } from "../../ops/referrer_query.ts";
import { isImage } from "../../types/manifest.ts";
import { parseDigest } from "../../types/digest.ts";
import type { ServeState } from "../_serve_state.ts";
import { listRepositories } from "../_repos.ts";
import { isValidRepoName } from "../routes.ts";
import { streamLayerPage } from "./_layer_view.tsx";
import { ManifestPage } from "./_manifest_view.tsx";
import { readImageConfig, repoRows, tagRows } from "./_ui_data.ts";
import { ErrorPage, type Html, PAGE_HEADERS, RepoListPage, TagListPage } from "./_views.tsx";

/** Tells whether `user` (undefined without `--auth`) may pull `repo`. */
export type CanPull = (repo: string, user: string | undefined) => boolean | Promise<boolean>;

/** Options of {@link createUi}. */
export interface UiOptions {
  /** Which repositories a user sees. @default every repository */
  canPull?: CanPull | undefined;
  /** Rows per page of the repository and tag lists. @default 50 */
  pageSize?: number | undefined;
  /**
   * Age in ms after which the repository listing is read again in the
   * background (the old one answers meanwhile). @default 2000
   */
  listingTtl?: number | undefined;
}

/** The browser, as the registry handler calls it. */
export interface RegistryUi {
  /**
   * Answers a request under `/ui`.
   * @param req the request
   * @param st the registry's storage
   * @param user the authenticated user, if any
   * @returns the page (never rejects)
   */
  fetch(req: Request, st: ServeState, user: string | undefined): Promise<Response>;
  /**
   * The page asking for credentials (401 with `WWW-Authenticate`).
   * @returns the response
   */
  unauthorized(): Promise<Response>;
  /**
   * Waits for a repository listing still being read in the background.
   * @returns nothing
   */
  close(): Promise<void>;
}

/** Most tags summarised to sort a repository by time. */
const TIME_SORT_MAX = 2000;

/**
 * Creates the registry browser.
 *
 * @param options access predicate and paging
 * @returns the browser
 * @throws never
 *
 * @example Show an empty registry
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { createRegistryHandler } from "../handler.ts";
 * import { createUi } from "./ui.tsx";
 * const dir = await Deno.makeTempDir();
 * const reg = createRegistryHandler({ dir, ui: createUi() });
 * const res = await reg.fetch(new Request("http://registry/ui/"));
 * ok((await res.text()).includes("0 repositories"));
 * await reg.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function createUi(options: UiOptions = {}): RegistryUi {
  const ui = new _Ui(options);
  return {
    fetch: (req, st, user) => ui.fetch(req, st, user),
    close: () => ui.close(),
    unauthorized: () =>
      _page(
        401,
        <ErrorPage
          status={401}
          title="Sign in required"
          message="This registry needs a user name and password: reload the page and sign in."
        />,
        { "WWW-Authenticate": 'Basic realm="ocictl"' },
      ),
  };
}

class _Ui {
  #canPull: CanPull;
  #pageSize: number;
  #ttl: number;
  #listing: { at: number; names: Promise<string[]> } | undefined;
  #refresh: Promise<void> | undefined;

  constructor(options: UiOptions) {
    this.#canPull = options.canPull ?? (() => true);
    this.#pageSize = options.pageSize ?? 50;
    this.#ttl = options.listingTtl ?? 2000;
  }

  async fetch(req: Request, st: ServeState, user: string | undefined): Promise<Response> {
    try {
      if (req.method !== "GET" && req.method !== "HEAD") {
        const res = await _error(
          405,
          "Not allowed",
          `Cannot ${req.method} here: the browser is read-only`,
        );
        res.headers.set("Allow", "GET, HEAD");
        return res;
      }
      const url = new URL(req.url);
      const path = url.pathname;
      if (path === "/ui") return new Response(null, { status: 302, headers: { Location: "/ui/" } });
      if (path === "/ui/") return await this.#repos(st, url, user);
      if (path.startsWith("/ui/r/")) {
        const rest = path.slice("/ui/r/".length);
        const cut = rest.indexOf("/-/");
        const repo = _decode(cut < 0 ? rest.replace(/\/$/, "") : rest.slice(0, cut));
        await this.#requirePull(st, repo, user);
        if (cut < 0) return await this.#tags(st, url, repo);
        const [kind, arg = ""] = rest.slice(cut + 3).split(/\/(.*)/s);
        const reference = _decode(arg);
        if (kind === "m" && reference !== "") {
          return await this.#manifest(st, url, repo, reference);
        }
        if (kind === "layer" && reference !== "") {
          parseDigest(reference);
          return await streamLayerPage(st, repo, reference);
        }
      }
      return await _error(404, "Not found", `Cannot find the page "${path}"`);
    } catch (err) {
      return await _errorOf(err, st);
    }
  }

  async #requirePull(st: ServeState, repo: string, user: string | undefined): Promise<void> {
    if (
      !isValidRepoName(repo) || !(await this.#canPull(repo, user)) || !(await st.repoExists(repo))
    ) {
      throw new NotFoundError(`Cannot find repository "${repo}" (or you may not pull it)`);
    }
  }

  async close(): Promise<void> {
    await this.#refresh;
  }

  /** The repository names; an old listing is answered while a new one is read. */
  async #names(st: ServeState): Promise<string[]> {
    const now = st.now();
    const listing = this.#listing;
    if (listing === undefined) {
      this.#listing = { at: now, names: listRepositories(st.fs, st.dir) };
      return await this.#listing.names;
    }
    if (now - listing.at > this.#ttl && this.#refresh === undefined) {
      this.#refresh = listRepositories(st.fs, st.dir).then(
        (names) => void (this.#listing = { at: st.now(), names: Promise.resolve(names) }),
        (err: unknown) => st.log(`Cannot list repositories: ${String(err)}`),
      ).finally(() => this.#refresh = undefined);
    }
    return await listing.names;
  }

  async #repos(st: ServeState, url: URL, user: string | undefined): Promise<Response> {
    const q = (url.searchParams.get("q") ?? "").trim();
    const visible: string[] = [];
    for (const name of await this.#names(st)) {
      if (q !== "" && !name.includes(q.toLowerCase())) continue;
      if (await this.#canPull(name, user)) visible.push(name);
    }
    const { page, pages, slice } = _paginate(visible, url, this.#pageSize);
    const rows = await repoRows(st, slice);
    return await _page(
      200,
      <RepoListPage rows={rows} q={q} page={page} pages={pages} total={visible.length} />,
    );
  }

  async #tags(st: ServeState, url: URL, repo: string): Promise<Response> {
    const tags = [...await st.t.tagList(st.ref(repo))].sort();
    const sort = url.searchParams.get("sort") === "time" ? "time" : "name";
    let rows;
    let paging;
    if (sort === "time") {
      const all = await tagRows(st, repo, tags.slice(0, TIME_SORT_MAX));
      all.sort((a, b) =>
        (b.created ?? "").localeCompare(a.created ?? "") || (a.tag < b.tag ? -1 : 1)
      );
      paging = _paginate(all, url, this.#pageSize);
      rows = paging.slice;
    } else {
      paging = _paginate(tags, url, this.#pageSize);
      rows = await tagRows(st, repo, paging.slice);
    }
    return await _page(
      200,
      <TagListPage
        repo={repo}
        rows={rows}
        sort={sort}
        page={paging.page}
        pages={paging.pages}
        total={tags.length}
      />,
    );
  }

  async #manifest(st: ServeState, url: URL, repo: string, reference: string): Promise<Response> {
    const byDigest = reference.includes(":");
    if (byDigest) parseDigest(reference);
    const ref = byDigest ? st.ref(repo, "", reference) : st.ref(repo, reference);
    const manifest = await st.t.manifestGet(ref);
    const config = isImage(manifest) ? await readImageConfig(st, repo, manifest) : undefined;
    const client = new Client({ transports: () => st.t });
    const tree = await buildReferrerTree(client, st.ref(repo, "", manifest.digest));
    return await _page(
      200,
      <ManifestPage
        repo={repo}
        reference={reference}
        manifest={manifest}
        config={config}
        host={url.host}
        plainHttp={url.protocol === "http:"}
        tree={tree}
      />,
    );
  }
}

function _decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function _paginate<T>(
  items: readonly T[],
  url: URL,
  size: number,
): { page: number; pages: number; slice: T[] } {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const asked = Number.parseInt(url.searchParams.get("page") ?? "1", 10);
  const page = Number.isFinite(asked) ? Math.min(Math.max(asked, 1), pages) : 1;
  return { page, pages, slice: items.slice((page - 1) * size, page * size) };
}

async function _page(
  status: number,
  view: Html,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = `<!doctype html>${await view}`;
  return new Response(body, { status, headers: { ...PAGE_HEADERS, ...headers } });
}

function _error(status: number, title: string, message: string): Promise<Response> {
  return _page(status, <ErrorPage status={status} title={title} message={message} />);
}

function _errorOf(err: unknown, st: ServeState): Promise<Response> {
  const message = (err instanceof Error ? err.message : String(err))
    .replaceAll(`ocidir://${st.dir}/`, "").replaceAll(`${st.dir}/`, "");
  if (err instanceof NotFoundError) return _error(404, "Not found", message);
  if (err instanceof OciError) {
    const usage = err.code === "USAGE" || err.code === "INVALID_DIGEST";
    return _error(
      usage ? 400 : 502,
      usage ? "Bad address" : "Cannot read this content",
      message,
    );
  }
  st.log(`Cannot render a page: ${message}`);
  return _error(
    500,
    "Internal error",
    "Cannot render the page: internal error (see the server log)",
  );
}

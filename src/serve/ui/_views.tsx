/**
 * The pages of the registry browser as hono JSX components (rendered on the
 * server; every value is HTML-escaped by the renderer). No script, no asset
 * from elsewhere: the stylesheet is inlined.
 *
 * @module
 */
import { raw } from "hono/html";
import { UI_CSS } from "./_style.ts";
import type { RepoRow, TagRow } from "./_ui_data.ts";

/** A string the renderer has escaped (the shape of hono's `HtmlEscapedString`). */
export type Escaped = string & { isEscaped: true };

/** What a component renders to. */
export type Html = Escaped | Promise<Escaped>;

/** What a page may hold. */
export type Content = Html | string | number | boolean | null | undefined | Content[];

/** Security headers of every page: nothing runs, nothing loads from elsewhere. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
};

/** A breadcrumb: label and link (the last one has none). */
export interface Crumb {
  /** Shown text. */
  label: string;
  /** Link, when it is not the current page. */
  href?: string | undefined;
}

/**
 * Link to a repository's tag list.
 *
 * @param repo repository name
 * @param query query string without `?`, or ""
 * @returns the path
 */
export function repoHref(repo: string, query = ""): string {
  return `/ui/r/${_segments(repo)}${query === "" ? "" : `?${query}`}`;
}

/**
 * Link to a manifest page (by tag or digest).
 *
 * @param repo repository name
 * @param reference tag or digest
 * @returns the path
 */
export function manifestHref(repo: string, reference: string): string {
  return `/ui/r/${_segments(repo)}/-/m/${encodeURIComponent(reference)}`;
}

/**
 * Link to a layer's file list.
 *
 * @param repo repository name
 * @param digest layer digest
 * @returns the path
 */
export function layerHref(repo: string, digest: string): string {
  return `/ui/r/${_segments(repo)}/-/layer/${encodeURIComponent(digest)}`;
}

function _segments(repo: string): string {
  return repo.split("/").map(encodeURIComponent).join("/");
}

/**
 * A size for people: bytes, KiB, MiB or GiB with one decimal.
 *
 * @param n bytes
 * @returns the text
 */
export function humanSize(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * A time as `YYYY-MM-DD HH:MM:SS UTC`.
 *
 * @param t ms since the epoch, or an RFC 3339 string
 * @returns the text, or "" when unknown or unparsable
 */
export function shortTime(t: number | string | undefined): string {
  if (t === undefined) return "";
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return typeof t === "string" ? t : "";
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * The frame of every page: head, stylesheet, header with breadcrumbs.
 *
 * @param props title, breadcrumbs and body
 * @returns the page
 */
export function Page(props: { title: string; crumbs: Crumb[]; children?: Content }): Html {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{props.title} · ocictl registry</title>
        <style dangerouslySetInnerHTML={{ __html: UI_CSS }} />
      </head>
      <body>
        <header>
          <a class="brand" href="/ui/">ocictl registry</a>
          <nav class="crumbs" aria-label="breadcrumbs">
            {props.crumbs.map((c, i) => (
              <span>
                {i > 0 ? " / " : ""}
                {c.href === undefined ? <strong>{c.label}</strong> : <a href={c.href}>{c.label}</a>}
              </span>
            ))}
          </nav>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/**
 * A table whose columns are given as `"label"` or `"class:label"` (class
 * `num` aligns right, `wide` hides on phones); with `cards`, rows become
 * stacked cards on narrow screens.
 *
 * @param props columns, card layout and the rows
 * @returns the table in a horizontally scrolling box
 */
export function Table(props: { columns: string[]; cards?: boolean; children?: Content }): Html {
  return (
    <div class="table">
      <table class={props.cards ? "cards" : undefined}>
        <thead>
          <tr>
            {props.columns.map((c) => {
              const [cls, label] = c.includes(":") ? c.split(/:(.*)/s) : [undefined, c];
              return <th key={c} class={cls}>{label}</th>;
            })}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/**
 * Previous/next links of a paginated list.
 *
 * @param props page (1-based), page count and how to link a page
 * @returns the pager, or nothing for a single page
 */
export function Pager(
  props: { page: number; pages: number; href: (page: number) => string },
): Html {
  if (props.pages <= 1) return raw("");
  return (
    <nav class="pager" aria-label="pages">
      {props.page > 1 ? <a href={props.href(props.page - 1)} rel="prev">← Previous</a> : ""}
      <span class="muted">Page {props.page} of {props.pages}</span>
      {props.page < props.pages ? <a href={props.href(props.page + 1)} rel="next">Next →</a> : ""}
    </nav>
  );
}

/**
 * The repository list with its filter box.
 *
 * @param props rows of this page, filter, paging
 * @returns the page
 */
export function RepoListPage(
  props: { rows: RepoRow[]; q: string; page: number; pages: number; total: number },
): Html {
  const href = (p: number) => `/ui/?${new URLSearchParams({ q: props.q, page: String(p) })}`;
  return (
    <Page title="Repositories" crumbs={[{ label: "repositories" }]}>
      <h1>Repositories</h1>
      <form class="filter" method="get" action="/ui/" role="search">
        <input
          type="search"
          name="q"
          value={props.q}
          placeholder="Filter repositories"
          aria-label="Filter repositories"
        />
        <button type="submit">Filter</button>
      </form>
      <p class="muted">
        {props.total} repositories{props.q === "" ? "" : ` matching “${props.q}”`}
      </p>
      <Table cards columns={["Repository", "num:Tags", "Last change"]}>
        {props.rows.map((r) => (
          <tr>
            <td>
              <a href={repoHref(r.name)}>{r.name}</a>
            </td>
            <td class="num">{r.tags}</td>
            <td class="muted">{shortTime(r.changed)}</td>
          </tr>
        ))}
      </Table>
      <Pager page={props.page} pages={props.pages} href={href} />
    </Page>
  );
}

/**
 * A repository's tags, sortable by name and by time.
 *
 * @param props repository, rows of this page, sort, paging
 * @returns the page
 */
export function TagListPage(
  props: {
    repo: string;
    rows: TagRow[];
    sort: "name" | "time";
    page: number;
    pages: number;
    total: number;
  },
): Html {
  const q = (sort: string, page: number) => new URLSearchParams({ sort, page: String(page) });
  return (
    <Page
      title={props.repo}
      crumbs={[{ label: "repositories", href: "/ui/" }, { label: props.repo }]}
    >
      <h1>{props.repo}</h1>
      <p class="muted">
        {props.total} tags · sort by {props.sort === "name"
          ? <strong>name</strong>
          : <a href={repoHref(props.repo, `${q("name", 1)}`)}>name</a>} · {props.sort === "time"
          ? <strong>time</strong>
          : <a href={repoHref(props.repo, `${q("time", 1)}`)}>time</a>}
      </p>
      <Table
        cards
        columns={["Tag", "Digest", "wide:Media type", "Platforms", "num:Size", "Created"]}
      >
        {props.rows.map((r) => (
          <tr>
            <td>
              <a href={manifestHref(props.repo, r.tag)}>{r.tag}</a>
            </td>
            <td class="digest mono">
              {r.digest === ""
                ? <span class="muted">unreadable</span>
                : <a href={manifestHref(props.repo, r.digest)}>{r.digest.slice(0, 19)}…</a>}
            </td>
            <td class="wide mono">{r.artifactType ?? r.mediaType}</td>
            <td>{r.platforms.map((p) => <span key={p} class="badge">{p}</span>)}</td>
            <td class="num" title={`${r.size} bytes`}>{humanSize(r.size)}</td>
            <td class="muted">{shortTime(r.created)}</td>
          </tr>
        ))}
      </Table>
      <Pager
        page={props.page}
        pages={props.pages}
        href={(p) =>
          repoHref(props.repo, `${q(props.sort, p)}`)}
      />
    </Page>
  );
}

/**
 * A readable error page (no stack trace).
 *
 * @param props status, heading and one-line message
 * @returns the page
 */
export function ErrorPage(props: { status: number; title: string; message: string }): Html {
  return (
    <Page title={props.title} crumbs={[{ label: "repositories", href: "/ui/" }]}>
      <div class="error" role="alert">
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        <p class="muted">
          HTTP {props.status} · <a href="/ui/">Back to the repositories</a>
        </p>
      </div>
    </Page>
  );
}

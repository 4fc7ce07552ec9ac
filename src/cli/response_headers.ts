/**
 * The headers a registry really sent, for `--format raw-headers` (and
 * `{{.RawHeaders}}`) as regctl prints them: every response header, keys in
 * Go's canonical form.
 *
 * @module
 */
import { Client, type TransportSettings } from "../client.ts";
import type { CliContext } from "./context.ts";
import type { RawHeaders } from "./output.ts";

/** A client that remembers the last manifest, blob, tag or catalog response it received. */
export interface HeaderCapture {
  /** Use this client for the call whose headers are wanted. */
  client: Client;
  /** The last such response's headers, when a registry answered. @returns the headers */
  headers(): Headers | undefined;
  /** Closes the client. @returns when closed */
  close(): Promise<void>;
}

/**
 * Writes a header name as Go's `textproto.CanonicalMIMEHeaderKey` does:
 * upper case at the start and after each `-`, lower case elsewhere; names
 * with characters outside a token are left alone.
 *
 * @param name header name
 * @returns the canonical name
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalHeaderKey } from "./response_headers.ts";
 * assert.equal(canonicalHeaderKey("docker-distribution-api-version"), "Docker-Distribution-Api-Version");
 * ```
 */
export function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name.toLowerCase().replace(
    /(^|-)([a-z])/g,
    (_m, sep: string, c: string) => sep + c.toUpperCase(),
  );
}

/**
 * Converts fetch headers to regctl's `RawHeaders` map (canonical keys; a
 * repeated `Set-Cookie` keeps its values apart).
 *
 * @param headers response headers
 * @returns the map
 */
export function rawHeadersOf(headers: Headers): RawHeaders {
  const out: RawHeaders = {};
  for (const [name, value] of headers) {
    const key = canonicalHeaderKey(name);
    const values = name === "set-cookie" ? headers.getSetCookie() : [value];
    out[key] = name === "set-cookie" ? values : [...(out[key] ?? []), ...values];
  }
  return out;
}

/**
 * Creates a client, like the command's own, that keeps the headers of the
 * last `/manifests/…`, `/blobs/…`, `/tags/list` or `/_catalog` response (or
 * of a redirected one).
 *
 * @param ctx command context (transports, settings, signal)
 * @param settings transport settings that differ from the command's (hosts, User-Agent)
 * @returns the client and the captured headers
 * @throws never
 */
export function captureHeaders(
  ctx: CliContext,
  settings: Partial<TransportSettings> = {},
): HeaderCapture {
  let last: Headers | undefined;
  const client = new Client({
    transports: ctx.transports,
    signal: ctx.signal,
    settings: {
      ...ctx.transportSettings,
      ...settings,
      onResponse: (res) => {
        const path = new URL(res.url || "http://x/").pathname;
        if (res.redirected || /\/((manifests|blobs)\/[^/]+|tags\/list|_catalog)$/.test(path)) {
          last = res.headers;
        }
      },
    },
  });
  return { client, headers: () => last, close: () => client.close() };
}

/**
 * A view whose `RawHeaders` are the headers received, everything else
 * forwarded to the view itself (its fields, methods and pretty form).
 *
 * @param view the view (a class instance with `RawHeaders`)
 * @param headers the headers received; the view is returned as is when undefined
 * @returns the view, or a proxy of it
 */
export function withReceivedHeaders<T extends object>(view: T, headers: Headers | undefined): T {
  if (headers === undefined) return view;
  const raw = rawHeadersOf(headers);
  return new Proxy(view, {
    get(target, key) {
      if (key === "RawHeaders") return () => raw;
      const v: unknown = Reflect.get(target, key, target);
      // methods run on the view itself (private fields); the class stays as it is
      return typeof v === "function" && key !== "constructor" ? v.bind(target) : v;
    },
  });
}

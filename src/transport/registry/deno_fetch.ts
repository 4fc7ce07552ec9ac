/**
 * The Deno network seam of the registry transport: a `fetch` that applies
 * each registry host's TLS settings (extra CAs, client certificates, no
 * verification) and the `HTTP(S)_PROXY`/`NO_PROXY` environment. The seam (this
 * file and the modules it loads below) is the only code that calls
 * `Deno.createHttpClient` or `node:http(s)` (via node_fetch.ts).
 *
 * - Short exchanges (no proxy, a body of bytes or text, redirects left to
 *   the caller, not a blob download, not `tls: insecure`) go through the
 *   wire fetch (`wire_fetch.ts`): HTTP/1.1 over `Deno.connect` /
 *   `Deno.startTls` with the host's CAs (`Deno.connectTls` with its client
 *   certificate), so a short command loads none of Deno's fetch and stream
 *   modules. Everything else goes through Deno's fetch or `node:http(s)`.
 * - Copy's fast path goes through the wire fetch too, where it can: a blob
 *   download asked for as a byte source ({@link PREFER_WIRE}) and an upload
 *   whose body is a byte source of known length ({@link SOURCE_BODY}), so
 *   a big blob is moved with no web stream and no Deno fetch. Through a
 *   proxy or to a `tls: insecure` host, the download comes as a body and the
 *   upload's source is sent as a stream of known length (below).
 * - `tls: disabled` hosts are contacted over plain http by the transport; the
 *   seam only adds a proxy when one applies.
 * - `tls: enabled` hosts with `regcert`, `clientCert`/`clientKey` or a proxy
 *   get one `Deno.createHttpClient({ caCerts, cert, key, proxy, http2: false })`
 *   (HTTP/1.1: streamed uploads over h2 are several times slower).
 * - A streamed body with a `Content-Length` header (a blob upload of known
 *   size) goes through `node:http(s)` (node_fetch.ts) with that length and
 *   the host's CA and client certificate, because Deno's fetch would send it
 *   chunked; through an http(s) proxy too (a `CONNECT` tunnel for https);
 *   without a length, or through a socks proxy, it stays a chunked fetch.
 * - `tls: insecure` hosts are pinned (Deno's fetch with the certificates
 *   the server presents), or reached through `node:https` without
 *   verification (`_insecure_fetch.ts`).
 *
 * Only the wire path is loaded with the seam. What the other paths need is
 * imported by the first request that takes them: Deno's fetch with HTTP
 * clients (`_native_fetch.ts`), `tls: insecure` (`_insecure_fetch.ts`), the
 * proxy rules (`proxy_env.ts`, when the scheme's proxy variable is set), a
 * host's extra CAs (`_pem.ts`), a content-encoded answer
 * (`_content_coding.ts`) and the typed errors of failures
 * (`_tls_error.ts`, `_https_only.ts`).
 *
 * @module
 */
import { proxyVariable } from "../../config/proxy_variable.ts";
import { type HostConfig, resolveHost } from "./host_config.ts";
import { isRedirect, type RegistryLogger } from "./http.ts";
import type { InsecureFetch } from "./_insecure_fetch.ts";
import type { NativeFetch } from "./_native_fetch.ts";
import type { WireConn } from "./wire_response.ts";
import { type SourceBody, WireFetch, type WireRequestInit } from "./wire_fetch.ts";
import {
  isPlainBody,
  isRequestInput,
  PREFER_WIRE,
  SOURCE_BODY,
  SourceBodyError,
  TAKES_SOURCE_BODY,
} from "./wire_headers.ts";
import { byteSourceStream } from "../byte_source.ts";

/** A fetch with resources that must be released. */
export interface RegistryFetch {
  /** The fetch to hand to the registry transport. */
  fetch: typeof fetch;
  /** Closes the HTTP clients created. @returns nothing */
  close(): void;
}

/** Options of {@link createDenoFetch}. */
export interface DenoFetchOptions {
  /** Host configurations (TLS settings are read from them). */
  hosts: readonly HostConfig[];
  /** Environment for the proxy variables. @default {} */
  env?: Record<string, string> | undefined;
  /** Where to report which path a `tls: insecure` host takes (debug). */
  logger?: RegistryLogger | undefined;
}

/**
 * Creates the fetch seam for a set of hosts: requests are dispatched by the
 * URL's `host[:port]` to the settings of the registry contacted there.
 *
 * @param options hosts and environment
 * @returns the fetch and its `close`
 * @throws never (bad PEM data or proxy variables fail the request that needs them)
 *
 * @example A plain-http host needs no client
 * ```ts
 * import { createDenoFetch } from "./deno_fetch.ts";
 * const seam = createDenoFetch({ hosts: [{ name: "localhost:5000", tls: "disabled" }] });
 * seam.close();
 * ```
 */
export function createDenoFetch(options: DenoFetchOptions): RegistryFetch {
  const env = options.env ?? {};
  const byHost = new Map<string, HostConfig>();
  for (const h of options.hosts) {
    const key = resolveHost(options.hosts, h.name).hostname.toLowerCase();
    if (!byHost.has(key)) byHost.set(key, h);
  }
  let closed = false;
  let wire: WireFetch | undefined;
  let native: NativeFetch | undefined;
  let insecure: InsecureFetch | undefined;
  const wireFetch = () =>
    wire ??= new WireFetch({
      dial: (url, signal) => _dial(url, byHost, signal),
      now: () => Date.now(),
    });
  const registryName = (url: URL) => byHost.get(url.host.toLowerCase())?.name ?? url.host;
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await dispatch(input, init);
    } catch (err) {
      if (err instanceof SourceBodyError) throw err; // the body's source, not this host
      const url = new URL(isRequestInput(input) ? input.url : input);
      const { classifyTlsError } = await import("./_tls_error.ts");
      throw classifyTlsError(err, url, init?.method ?? "GET", registryName(url)) ?? err;
    }
    if (res.status === 400 && !isRequestInput(input) && new URL(input).protocol === "http:") {
      const url = new URL(input);
      const { checkHttpsOnly } = await import("./_https_only.ts");
      return await checkHttpsOnly(res, url, init?.method ?? "GET", registryName(url));
    }
    return res;
  };
  const dispatch = async (
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> => {
    if (closed) throw _closedError();
    // the registry transport hands over URL objects: not parsed again
    const url = input instanceof URL ? input : new URL(isRequestInput(input) ? input.url : input);
    const host = byHost.get(url.host.toLowerCase());
    let proxy: string | undefined;
    if (proxyVariable(url, env) !== undefined) {
      // the proxy rules are loaded only when the scheme's variable is set
      proxy = (await import("../../config/proxy_env.ts")).proxyFor(url, env);
      if (closed) throw _closedError();
    }
    const sourced = (init as { [SOURCE_BODY]?: SourceBody } | undefined)?.[SOURCE_BODY];
    if (proxy === undefined && _wireable(input, init, url, host)) {
      return _wireSend(wireFetch(), url, {
        ...init as WireRequestInit & { redirect?: string },
        source: sourced,
      });
    }
    if (sourced !== undefined) {
      // not over the wire (a proxy, tls insecure): a stream of known length
      init = { ...init, body: byteSourceStream(sourced.source), duplex: "half" } as RequestInit;
    }
    if (url.protocol === "https:" && host?.tls === "insecure") {
      const { InsecureFetch } = await import("./_insecure_fetch.ts");
      if (closed) throw _closedError();
      insecure ??= new InsecureFetch({ logger: options.logger });
      return insecure.fetch(input, init, url, proxy);
    }
    const { NativeFetch } = await import("./_native_fetch.ts");
    if (closed) throw _closedError();
    native ??= new NativeFetch();
    return native.fetch(input, init, url, host, proxy);
  };
  return {
    fetch: Object.assign(fetchFn, { [TAKES_SOURCE_BODY]: true as const }) as typeof fetch,
    close() {
      closed = true;
      wire?.close();
      native?.close();
      insecure?.close();
    },
  };
}

function _closedError(): TypeError {
  return new TypeError("the registry fetch seam is closed");
}

/**
 * Whether the wire fetch takes a request (the caller checked there is no
 * proxy): a URL input with a plain body, redirects not followed by fetch,
 * http or a verified https host, and not a blob download (a big body
 * streamed into a file: Deno's fetch does that natively) unless the caller
 * reads it as a byte source ({@link PREFER_WIRE}).
 */
function _wireable(
  input: string | URL | Request,
  init: RequestInit | undefined,
  url: URL,
  host: HostConfig | undefined,
): boolean {
  if (isRequestInput(input) || !isPlainBody(init?.body)) return false;
  if (init?.redirect !== "manual" && init?.redirect !== "error") return false;
  if (url.protocol === "https:" ? host?.tls === "insecure" : url.protocol !== "http:") {
    return false;
  }
  if ((init as { [PREFER_WIRE]?: true } | undefined)?.[PREFER_WIRE] === true) return true;
  const method = (init?.method ?? "GET").toUpperCase();
  return !(method === "GET" && /\/blobs\/[^/]+$/.test(url.pathname));
}

/**
 * Sends through the wire fetch; `redirect: "error"` fails on a redirect as
 * fetch does. The wire fetch asks for no content coding; a server that
 * encodes anyway (gzip or deflate) is decoded here as fetch would, keeping
 * the headers (so the body's length is not taken from `Content-Length`).
 */
async function _wireSend(
  wire: WireFetch,
  url: URL,
  init: WireRequestInit & { redirect?: string },
): Promise<Response> {
  const res = await wire.fetch(url, init);
  if (init.redirect === "error" && isRedirect(res.status)) {
    await res.discard();
    throw new TypeError(`fetch failed: ${url.href} answered ${res.status} (redirects refused)`);
  }
  const coding = res.headers.get("content-encoding")?.trim().toLowerCase() ?? "";
  if (coding === "" || coding === "identity" || res.body === null) return res;
  return (await import("./_content_coding.ts")).decodeContentCoding(res, url, coding);
}

/**
 * Opens the wire fetch's connection to a URL's origin: TCP with no Nagle
 * delay, then TLS with the host's extra CAs for https (`Deno.connectTls`
 * when the host has a client certificate, which `Deno.startTls` cannot send).
 */
async function _dial(
  url: URL,
  byHost: Map<string, HostConfig>,
  signal: AbortSignal | undefined,
): Promise<WireConn> {
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const https = url.protocol === "https:";
  const port = Number(url.port || (https ? 443 : 80));
  const host = https ? byHost.get(url.host.toLowerCase()) : undefined;
  const caCerts = host?.regcert ? (await import("./_pem.ts")).splitPem(host.regcert) : undefined;
  const tls = { hostname, alpnProtocols: ["http/1.1"], ...(caCerts ? { caCerts } : {}) };
  if (host?.clientCert && host.clientKey) {
    const conn = await Deno.connectTls({
      ...tls,
      port,
      cert: host.clientCert,
      key: host.clientKey,
    });
    return await _handshake(conn);
  }
  const tcp = await Deno.connect({ hostname, port, ...(signal ? { signal } : {}) });
  tcp.setNoDelay(true);
  if (!https) return tcp;
  let conn: Deno.TlsConn;
  try {
    conn = await Deno.startTls(tcp, tls);
  } catch (err) {
    tcp.close();
    throw err;
  }
  return await _handshake(conn);
}

async function _handshake(conn: Deno.TlsConn): Promise<Deno.TlsConn> {
  try {
    await conn.handshake();
    return conn;
  } catch (err) {
    conn.close();
    throw err;
  }
}

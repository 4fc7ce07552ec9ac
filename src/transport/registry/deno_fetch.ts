/**
 * The Deno network seam of the registry transport: a `fetch` that applies
 * each registry host's TLS settings (extra CAs, client certificates, no
 * verification) and the `HTTP(S)_PROXY`/`NO_PROXY` environment. The only file
 * that calls `Deno.createHttpClient` or `node:http(s)` (via node_fetch.ts).
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
 * - `tls: insecure` hosts reached without a proxy are pinned first
 *   (`_pinned_tls.ts`): the certificates the server presents become the
 *   trust anchors of a Deno HTTP client for that host alone, and requests
 *   go through Deno's native fetch, which streams with reused buffers. A
 *   known-length streamed upload still goes through `node:https` (see
 *   above). If the pinned client later refuses the server (its certificate
 *   changed), the host moves to `node:https` for the rest of the process
 *   and the request is sent again there when its body can be replayed; a
 *   streamed body cannot, and fails with a typed error.
 * - `tls: insecure` hosts that cannot be pinned (another host name, expired,
 *   a CA certificate used as the server's, an incomplete chain) or are
 *   reached through an http proxy go through `node:https` with
 *   `rejectUnauthorized: false`, because Deno's fetch has no per-client way
 *   to skip verification. Deno's `node:https` does not stop reading when
 *   the response is paused, so blob downloads on that path are bounded by
 *   asking for 8 MiB `Range` windows one at a time as the consumer reads
 *   (measured on loopback: a slow reader of 256 MiB grew RSS by 237 MiB
 *   without windows; with them growth levels off near 140 MiB whatever the
 *   size: 81 MiB for 16 MiB, 141 MiB for 512 MiB, mostly `node:https`
 *   overhead).
 *
 * @module
 */
import { ConfigError, RegistryError } from "../../errors.ts";
import { proxyFor } from "../../config/proxy_env.ts";
import { readUpTo } from "../../read_capped.ts";
import { ERROR_BODY_LIMIT } from "./error_response.ts";
import { type HostConfig, resolveHost } from "./host_config.ts";
import { isRedirect, type RegistryLogger } from "./http.ts";
import type { PinnedClients } from "./_pinned_tls.ts";
import type { WireConn } from "./wire_response.ts";
import { type SourceBody, WireFetch, type WireRequestInit } from "./wire_fetch.ts";
import {
  isPlainBody,
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
 * Bytes asked for per ranged GET of a blob from an insecure host. Deno's
 * `node:https` keeps reading while the socket is paused, so a whole window
 * may sit in memory: this is the bound.
 */
export const INSECURE_WINDOW_BYTES = 8 * 1024 * 1024;

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
  const clients = new Map<string, Deno.HttpClient>();
  let pins: Promise<PinnedClients> | undefined;
  const pinned = () =>
    pins ??= import("./_pinned_tls.ts").then((m) =>
      new m.PinnedClients({ logger: options.logger })
    );
  let closed = false;
  let wire: WireFetch | undefined;
  const wireFetch = () =>
    wire ??= new WireFetch({
      dial: (url, signal) => _dial(url, byHost, signal),
      now: () => Date.now(),
    });
  const clientFor = (
    key: string,
    opts: Deno.CreateHttpClientOptions & Partial<Deno.TlsCertifiedKeyPem>,
  ) => {
    let c = clients.get(key);
    if (!c) {
      c = Deno.createHttpClient(opts);
      clients.set(key, c);
    }
    return c;
  };
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let res: Response;
    try {
      res = await dispatch(input, init);
    } catch (err) {
      if (err instanceof SourceBodyError) throw err; // the body's source, not this host
      const url = new URL(_isRequest(input) ? input.url : input);
      const name = byHost.get(url.host.toLowerCase())?.name ?? url.host;
      throw classifyTlsError(err, url, init?.method ?? "GET", name) ?? err;
    }
    if (res.status === 400 && !_isRequest(input) && new URL(input).protocol === "http:") {
      return await _checkHttpsOnly(res, new URL(input), init?.method ?? "GET", byHost);
    }
    return res;
  };
  const dispatch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (closed) return Promise.reject(new TypeError("the registry fetch seam is closed"));
    const url = new URL(_isRequest(input) ? input.url : input);
    const host = byHost.get(url.host.toLowerCase());
    let proxy: string | undefined;
    try {
      proxy = proxyFor(url, env);
    } catch (err) {
      return Promise.reject(err);
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
    // node:http(s) speaks to http proxies itself (CONNECT for https)
    const nodeProxy = proxy !== undefined && /^https?:/.test(proxy) ? proxy : undefined;
    if (url.protocol === "https:" && host?.tls === "insecure") {
      if (proxy !== undefined && nodeProxy === undefined) {
        return Promise.reject(
          new ConfigError(
            `Cannot reach "${url.host}" (tls insecure) through the socks proxy "${proxy}": use an http proxy or list the host in NO_PROXY`,
          ),
        );
      }
      if (nodeProxy !== undefined || _hasLength(init)) {
        return insecureNodeFetch(url, init, nodeProxy);
      }
      return pinnedFetch(input, init, url);
    }
    const https = url.protocol === "https:";
    const caCerts = https && host?.regcert ? splitPem(host.regcert) : [];
    const mtls = https && host?.clientCert && host.clientKey
      ? { cert: host.clientCert, key: host.clientKey }
      : undefined;
    if (proxy === nodeProxy && !_isRequest(input) && _hasLength(init)) {
      // Deno's fetch would drop the length and send the stream chunked.
      return _nodeFetch(url, init ?? {}, { caCerts, ...(mtls ?? {}), proxy: nodeProxy });
    }
    if (!https && !proxy) return fetch(input, init);
    const key = JSON.stringify([https ? url.host.toLowerCase() : "", proxy ?? ""]);
    let client: Deno.HttpClient;
    try {
      client = clientFor(key, {
        http2: false,
        ...(caCerts.length > 0 ? { caCerts } : {}),
        ...(mtls ?? {}),
        ...(proxy ? { proxy: { url: proxy } } : {}),
      });
    } catch (err) {
      return Promise.reject(err);
    }
    return fetch(input, { ...init, client } as RequestInit);
  };
  const pinnedFetch = async (
    input: string | URL | Request,
    init: RequestInit | undefined,
    url: URL,
  ): Promise<Response> => {
    const p = await pinned();
    const client = await p.clientFor(url);
    if (client === undefined) return insecureNodeFetch(url, init, undefined);
    try {
      return await fetch(input, { ...init, client } as RequestInit);
    } catch (err) {
      if (!(await import("./_pinned_tls.ts")).isCertificateError(err)) throw err;
      p.unpin(url, err instanceof Error ? String(err.cause ?? err.message) : String(err));
      if (_isRequest(input) || init?.body instanceof ReadableStream) {
        throw new RegistryError(
          `Cannot send to "${url.host}": its TLS certificate changed after ocictl pinned it (tls insecure); run the command again`,
          { status: 0, method: init?.method ?? "GET", url: url.href },
          { cause: err },
        );
      }
      return insecureNodeFetch(url, init, undefined);
    }
  };
  return {
    fetch: Object.assign(fetchFn, { [TAKES_SOURCE_BODY]: true as const }) as typeof fetch,
    close() {
      closed = true;
      wire?.close();
      for (const c of clients.values()) c.close();
      clients.clear();
      void pins?.then((p) => p.close());
    },
  };
}

/** An insecure request over `node:https`, blob GETs in Range windows. */
function insecureNodeFetch(
  url: URL,
  init: RequestInit | undefined,
  proxy: string | undefined,
): Promise<Response> {
  return _isBlobGet(url, init)
    ? windowedGet(url, init ?? {}, proxy)
    : insecureFetch(url, init, proxy);
}

/**
 * Turns a TLS failure that retrying cannot fix into a {@link RegistryError}
 * with the command that fixes it (the transport does not retry typed errors).
 *
 * @param err what fetch threw
 * @param url the request URL
 * @param method the request method
 * @param registry the registry name, for the hint
 * @returns the typed error, or `undefined` for other failures
 */
export function classifyTlsError(
  err: unknown,
  url: URL,
  method: string,
  registry: string,
): RegistryError | undefined {
  if (url.protocol !== "https:" || !(err instanceof Error) || err instanceof RegistryError) {
    return undefined;
  }
  const text = `${err.message} ${
    err.cause instanceof Error ? err.cause.message : String(err.cause ?? "")
  }`;
  const info = { status: 0, method, url: url.href };
  if (
    /InvalidContentType|corrupt message|wrong version number|packet length too long/i.test(text)
  ) {
    return new RegistryError(
      `Cannot connect to "${url.host}" over https: the registry answers plain http; run "ocictl registry set --tls disabled ${registry}"`,
      info,
      { cause: err },
    );
  }
  const alert = /fatal alert: (BadCertificate|CertificateRequired|UnknownCA|AccessDenied)/i.exec(
    text,
  );
  if (alert) {
    return new RegistryError(
      `Cannot connect to "${url.host}": the registry refused the TLS client certificate (${
        alert[1]
      }); set the one it accepts with "ocictl registry set --client-cert \"$(cat client.pem)\" --client-key \"$(cat client.key)\" ${registry}"`,
      info,
      { cause: err },
    );
  }
  if (
    /UnknownIssuer|certificate|CertNotValid|NotValidForName|BadSignature|self.signed/i.test(text)
  ) {
    return new RegistryError(
      `Cannot verify the TLS certificate of "${url.host}" (${
        _firstLine(text)
      }); trust its CA with "ocictl registry set --cacert \"$(cat ca.pem)\" ${registry}" or skip verification with "--tls insecure"`,
      info,
      { cause: err },
    );
  }
  return undefined;
}

/**
 * A 400 answer to plain http may come from a TLS listener (Go says "Client
 * sent an HTTP request to an HTTPS server"): that becomes a typed error with
 * the fix; any other 400 is handed back unchanged (its body re-wrapped).
 */
async function _checkHttpsOnly(
  res: Response,
  url: URL,
  method: string,
  byHost: Map<string, HostConfig>,
): Promise<Response> {
  const body = res.body ? await readUpTo(res.body, ERROR_BODY_LIMIT) : null;
  const text = body ? new TextDecoder().decode(body.subarray(0, 4096)) : "";
  if (/HTTP request to an HTTPS server/i.test(text)) {
    const name = byHost.get(url.host.toLowerCase())?.name ?? url.host;
    throw new RegistryError(
      `Cannot connect to "${url.host}" over plain http: the registry answers https only; run "ocictl registry set --tls enabled ${name}"`,
      { status: 400, method, url: url.href },
    );
  }
  const copy = new Response(body as BodyInit | null, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  Object.defineProperty(copy, "url", { value: res.url || url.href });
  return copy;
}

function _firstLine(text: string): string {
  const m = /(invalid peer certificate[^)\n]*|certificate[^)\n]*)/i.exec(text);
  return (m?.[1] ?? text).trim().slice(0, 200);
}

/**
 * Splits a PEM bundle into its certificates.
 *
 * @param pem one or more PEM blocks
 * @returns each `CERTIFICATE` block, or the whole text when none is found
 */
export function splitPem(pem: string): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return blocks && blocks.length > 0 ? blocks.map((b) => b + "\n") : [pem];
}

/**
 * A `Request` input, told apart without touching the `Request` global
 * (reading it loads Deno's fetch modules).
 */
function _isRequest(input: string | URL | Request): input is Request {
  return typeof input !== "string" && !(input instanceof URL);
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
  if (_isRequest(input) || !isPlainBody(init?.body)) return false;
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
  const caCerts = host?.regcert ? splitPem(host.regcert) : undefined;
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

/**
 * A streamed body with a declared `Content-Length` (a plain body is ruled
 * out first, so that it never reads the `ReadableStream` global).
 */
function _hasLength(init: RequestInit | undefined): boolean {
  return !isPlainBody(init?.body) && init?.body instanceof ReadableStream &&
    /^\d+$/.test(new Headers(init.headers).get("content-length") ?? "");
}

function _isBlobGet(url: URL, init: RequestInit | undefined): boolean {
  const method = (init?.method ?? "GET").toUpperCase();
  return method === "GET" && /\/blobs\/[^/]+$/.test(url.pathname) &&
    !new Headers(init?.headers).has("range");
}

function _withRange(init: RequestInit, start: number, end: number): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("Range", `bytes=${start}-${end}`);
  headers.set("Accept-Encoding", "identity");
  return { ...init, headers };
}

/**
 * GET of a blob from an insecure host in {@link INSECURE_WINDOW_BYTES}
 * ranges, fetched one at a time as the consumer reads, presented as one 200
 * response with the blob's full length. Registries that ignore `Range`
 * (answer 200) are read in one go; an empty blob (416) is asked again
 * without a range.
 */
async function windowedGet(
  url: URL,
  init: RequestInit,
  proxy: string | undefined,
): Promise<Response> {
  const first = await insecureFetch(url, _withRange(init, 0, INSECURE_WINDOW_BYTES - 1), proxy);
  if (first.status === 416) {
    await first.body?.cancel();
    return insecureFetch(url, init, proxy);
  }
  if (first.status !== 206) return first;
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+)$/.exec(first.headers.get("content-range")?.trim() ?? "");
  if (!m || m[1] !== "0") {
    await first.body?.cancel();
    return insecureFetch(url, init, proxy);
  }
  const total = Number(m[3]);
  let offset = 0;
  let reader = (first.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() }))
    .getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (!done) {
          offset += value.byteLength;
          controller.enqueue(value);
          return;
        }
        if (offset >= total) {
          controller.close();
          return;
        }
        const end = Math.min(offset + INSECURE_WINDOW_BYTES, total) - 1;
        const next = await insecureFetch(url, _withRange(init, offset, end), proxy);
        if (next.status !== 206 || !next.body) {
          await next.body?.cancel();
          throw new TypeError(
            `fetch failed: range ${offset}-${end} of ${url.href} answered ${next.status}`,
          );
        }
        reader = next.body.getReader();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  const headers = new Headers(first.headers);
  headers.delete("content-range");
  headers.set("content-length", String(total));
  return (await _node()).nodeResponse(body, 200, "OK", headers, url);
}

/**
 * fetch over `node:https` without certificate verification.
 *
 * @param url the https URL
 * @param init method, headers, body, signal
 * @returns the response
 */
function insecureFetch(
  url: URL,
  init: RequestInit = {},
  proxy: string | undefined = undefined,
): Promise<Response> {
  return _nodeFetch(url, init, { verify: false, proxy });
}

/**
 * `node_fetch.ts` (`node:http`, `node:https`, `node:net`, `node:tls`), imported
 * by the first request that needs it: loading it starts Deno's Node
 * compatibility layer, which plain registry requests never need.
 */
function _node(): Promise<typeof import("./node_fetch.ts")> {
  return import("./node_fetch.ts");
}

function _nodeFetch(
  ...args: Parameters<typeof import("./node_fetch.ts").nodeFetch>
): Promise<Response> {
  return _node().then((m) => m.nodeFetch(...args));
}

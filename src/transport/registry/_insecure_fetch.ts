/**
 * The requests of the registry fetch seam (`deno_fetch.ts`) to `tls:
 * insecure` hosts over https, loaded by the first of them.
 *
 * - Reached without a proxy, a host is pinned first (`_pinned_tls.ts`): the
 *   certificates the server presents become the trust anchors of a Deno
 *   HTTP client for that host alone, and requests go through Deno's native
 *   fetch, which streams with reused buffers. A known-length streamed upload
 *   still goes through `node:https` (Deno's fetch would send it chunked). If
 *   the pinned client later refuses the server (its certificate changed),
 *   the host moves to `node:https` for the rest of the process and the
 *   request is sent again there when its body can be replayed; a streamed
 *   body cannot, and fails with a typed error.
 * - A host that cannot be pinned (another host name, expired, a CA
 *   certificate used as the server's, an incomplete chain) or is reached
 *   through an http proxy goes through `node:https` with
 *   `rejectUnauthorized: false`, because Deno's fetch has no per-client way
 *   to skip verification. Deno's `node:https` does not stop reading when the
 *   response is paused, so blob downloads on that path are bounded by asking
 *   for {@link INSECURE_WINDOW_BYTES} `Range` windows one at a time as the
 *   consumer reads (measured on loopback: a slow reader of 256 MiB grew RSS
 *   by 237 MiB without windows; with them growth levels off near 140 MiB
 *   whatever the size: 81 MiB for 16 MiB, 141 MiB for 512 MiB, mostly
 *   `node:https` overhead).
 * - Through a socks proxy it is refused: `node:https` speaks only to http
 *   proxies.
 *
 * @module
 */
import { ConfigError, RegistryError } from "../../errors.ts";
import type { RegistryLogger } from "./http.ts";
import type { PinnedClients } from "./_pinned_tls.ts";
import { hasStreamLength, nodeProxy } from "./_native_fetch.ts";
import { isRequestInput } from "./wire_headers.ts";

/**
 * Bytes asked for per ranged GET of a blob from an insecure host. Deno's
 * `node:https` keeps reading while the socket is paused, so a whole window
 * may sit in memory: this is the bound.
 */
export const INSECURE_WINDOW_BYTES = 8 * 1024 * 1024;

/** Options of {@link InsecureFetch}. */
export interface InsecureFetchOptions {
  /** Where to report which path a host takes (debug). */
  logger?: RegistryLogger | undefined;
}

/** Sends requests to `tls: insecure` hosts, keeping the pinned clients made. */
export class InsecureFetch {
  #logger: RegistryLogger | undefined;
  #pins: Promise<PinnedClients> | undefined;

  /**
   * Creates the insecure fetch; nothing is pinned or loaded yet.
   * @param options the logger
   */
  constructor(options: InsecureFetchOptions = {}) {
    this.#logger = options.logger;
  }

  /**
   * Sends one request to an insecure https host.
   *
   * @param input the fetch input
   * @param init the request init (a byte source body already made a stream)
   * @param url the request URL (https)
   * @param proxy the proxy that applies, if any
   * @returns the response
   * @throws {ConfigError} through a socks proxy
   * @throws {RegistryError} when a pinned certificate changed under a body
   *   that cannot be sent again
   * @throws {TypeError} for a network failure, as fetch throws
   */
  fetch(
    input: string | URL | Request,
    init: RequestInit | undefined,
    url: URL,
    proxy: string | undefined,
  ): Promise<Response> {
    const viaNode = nodeProxy(proxy);
    if (proxy !== undefined && viaNode === undefined) {
      return Promise.reject(
        new ConfigError(
          `Cannot reach "${url.host}" (tls insecure) through the socks proxy "${proxy}": use an http proxy or list the host in NO_PROXY`,
        ),
      );
    }
    if (viaNode !== undefined || hasStreamLength(init)) return _nodeFetch(url, init, viaNode);
    return this.#pinnedFetch(input, init, url);
  }

  /** Closes the pinned clients made. @returns nothing */
  close(): void {
    void this.#pins?.then((p) => p.close());
  }

  async #pinnedFetch(
    input: string | URL | Request,
    init: RequestInit | undefined,
    url: URL,
  ): Promise<Response> {
    this.#pins ??= import("./_pinned_tls.ts").then((m) =>
      new m.PinnedClients({ logger: this.#logger })
    );
    const p = await this.#pins;
    const client = await p.clientFor(url);
    if (client === undefined) return _nodeFetch(url, init, undefined);
    try {
      return await fetch(input, { ...init, client } as RequestInit);
    } catch (err) {
      if (!(await import("./_pinned_tls.ts")).isCertificateError(err)) throw err;
      p.unpin(url, err instanceof Error ? String(err.cause ?? err.message) : String(err));
      if (isRequestInput(input) || init?.body instanceof ReadableStream) {
        throw new RegistryError(
          `Cannot send to "${url.host}": its TLS certificate changed after ocictl pinned it (tls insecure); run the command again`,
          { status: 0, method: init?.method ?? "GET", url: url.href },
          { cause: err },
        );
      }
      return _nodeFetch(url, init, undefined);
    }
  }
}

/** An insecure request over `node:https`, blob GETs in Range windows. */
function _nodeFetch(
  url: URL,
  init: RequestInit | undefined,
  proxy: string | undefined,
): Promise<Response> {
  return _isBlobGet(url, init)
    ? _windowedGet(url, init ?? {}, proxy)
    : _insecureFetch(url, init, proxy);
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
async function _windowedGet(
  url: URL,
  init: RequestInit,
  proxy: string | undefined,
): Promise<Response> {
  const first = await _insecureFetch(url, _withRange(init, 0, INSECURE_WINDOW_BYTES - 1), proxy);
  if (first.status === 416) {
    await first.body?.cancel();
    return _insecureFetch(url, init, proxy);
  }
  if (first.status !== 206) return first;
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+)$/.exec(first.headers.get("content-range")?.trim() ?? "");
  if (!m || m[1] !== "0") {
    await first.body?.cancel();
    return _insecureFetch(url, init, proxy);
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
        const next = await _insecureFetch(url, _withRange(init, offset, end), proxy);
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

/** fetch over `node:https` without certificate verification. */
async function _insecureFetch(
  url: URL,
  init: RequestInit = {},
  proxy: string | undefined = undefined,
): Promise<Response> {
  return (await _node()).nodeFetch(url, init, { verify: false, proxy });
}

/**
 * `node_fetch.ts` (`node:http`, `node:https`, `node:net`, `node:tls`), imported
 * by the first request that needs it: loading it starts Deno's Node
 * compatibility layer.
 */
function _node(): Promise<typeof import("./node_fetch.ts")> {
  return import("./node_fetch.ts");
}

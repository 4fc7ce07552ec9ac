/**
 * The requests of the registry fetch seam (`deno_fetch.ts`) that its wire
 * fetch does not take, to a host that is not `tls: insecure`: a proxy, a
 * `Request` or a streamed body, redirects followed by fetch, a blob download.
 * They go through Deno's fetch, with one HTTP client per host for extra CAs,
 * a client certificate or a proxy (`http2: false`: streamed uploads over h2
 * are several times slower), or through `node:http(s)` (node_fetch.ts) for
 * a streamed body with a `Content-Length`, which Deno's fetch would send
 * chunked.
 *
 * Loaded by the first such request: the short exchanges of a command need
 * none of it.
 *
 * @module
 */
import type { HostConfig } from "./host_config.ts";
import { isPlainBody, isRequestInput } from "./wire_headers.ts";
import { splitPem } from "./_pem.ts";

/** Sends requests through Deno's fetch or `node:http(s)`, keeping the HTTP clients made. */
export class NativeFetch {
  #clients = new Map<string, Deno.HttpClient>();

  /**
   * Sends one request.
   *
   * @param input the fetch input
   * @param init the request init (a byte source body already made a stream)
   * @param url the request URL
   * @param host the settings of the registry contacted there, if any
   * @param proxy the proxy that applies, if any
   * @returns the response
   * @throws {TypeError} for a network failure, as fetch throws
   */
  async fetch(
    input: string | URL | Request,
    init: RequestInit | undefined,
    url: URL,
    host: HostConfig | undefined,
    proxy: string | undefined,
  ): Promise<Response> {
    const https = url.protocol === "https:";
    const caCerts = https && host?.regcert ? splitPem(host.regcert) : [];
    const mtls = https && host?.clientCert && host.clientKey
      ? { cert: host.clientCert, key: host.clientKey }
      : undefined;
    const viaNode = nodeProxy(proxy);
    if (proxy === viaNode && !isRequestInput(input) && hasStreamLength(init)) {
      // Deno's fetch would drop the length and send the stream chunked.
      return (await import("./node_fetch.ts")).nodeFetch(url, init ?? {}, {
        caCerts,
        ...(mtls ?? {}),
        proxy: viaNode,
      });
    }
    if (!https && !proxy) return fetch(input, init);
    const key = JSON.stringify([https ? url.host.toLowerCase() : "", proxy ?? ""]);
    let client = this.#clients.get(key);
    if (!client) {
      client = Deno.createHttpClient({
        http2: false,
        ...(caCerts.length > 0 ? { caCerts } : {}),
        ...(mtls ?? {}),
        ...(proxy ? { proxy: { url: proxy } } : {}),
      });
      this.#clients.set(key, client);
    }
    return fetch(input, { ...init, client } as RequestInit);
  }

  /** Closes the HTTP clients made. @returns nothing */
  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }
}

/**
 * The proxy `node:http(s)` can speak to itself (an http or https proxy; it
 * tunnels https with `CONNECT`).
 *
 * @param proxy the proxy that applies, if any
 * @returns it when it is an http(s) URL, else `undefined`
 * @throws never
 */
export function nodeProxy(proxy: string | undefined): string | undefined {
  return proxy !== undefined && /^https?:/.test(proxy) ? proxy : undefined;
}

/**
 * A streamed body with a declared `Content-Length` (a plain body is ruled
 * out first, so that it never reads the `ReadableStream` global).
 *
 * @param init the request init
 * @returns true for a stream body with a numeric `Content-Length` header
 * @throws never
 */
export function hasStreamLength(init: RequestInit | undefined): boolean {
  return !isPlainBody(init?.body) && init?.body instanceof ReadableStream &&
    /^\d+$/.test(new Headers(init.headers).get("content-length") ?? "");
}

/**
 * A minimal `fetch` over `node:http` / `node:https`, part of the network seam
 * (used only by deno_fetch.ts). It exists for two things Deno's `fetch`
 * cannot do:
 *
 * - send a streamed body with an explicit `Content-Length` (Deno's fetch
 *   drops the header and always sends `Transfer-Encoding: chunked`, which
 *   some registries and proxies answer with 411); the body is written with
 *   `write()`/`drain` back-pressure, and a body that yields more or fewer
 *   bytes than announced aborts the request instead of ending it;
 * - skip TLS verification for one host (`tls: insecure`).
 *
 * Redirects are never followed (the caller sees the 3xx), so nothing,
 * credentials included, is ever sent to a host the caller did not name.
 * Responses are streamed with a bounded queue, but Deno's `node:http(s)`
 * keeps reading while paused: use it for uploads and API calls, not for
 * large downloads.
 *
 * @module
 */
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import type { IncomingMessage } from "node:http";
import { openTunnel, proxyAuthorization, proxyPort } from "./_proxy_tunnel.ts";

/** TLS settings of a {@link nodeFetch} request (https only). */
export interface NodeTlsOptions {
  /** Verify the server certificate. @default true */
  verify?: boolean | undefined;
  /** Extra trusted CAs (PEM), added to the default roots. */
  caCerts?: readonly string[] | undefined;
  /** PEM client certificate. */
  cert?: string | undefined;
  /** PEM client key. */
  key?: string | undefined;
  /**
   * HTTP proxy URL (from `HTTP(S)_PROXY`): https targets are reached through
   * a `CONNECT` tunnel, http targets by absolute URL.
   */
  proxy?: string | undefined;
}

/** Queue size of a response stream before the socket is paused. */
const QUEUE_BYTES = 1024 * 1024;
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * Sends one request over `node:http` (http URLs) or `node:https` (https
 * URLs). A `ReadableStream` body is sent with the request's
 * `Content-Length` when it has one, chunked otherwise.
 *
 * @param url the URL
 * @param init method, headers, body (string, Uint8Array or stream), signal
 * @param tlsOptions certificate verification, extra CAs, client certificate
 * @returns the response; consume or cancel its body
 * @throws {TypeError} "fetch failed" on network errors (cause attached), or
 *   when a stream body's length differs from its `Content-Length`
 *
 * @example Upload with a length (server not shown)
 * ```ts ignore
 * const res = await nodeFetch(new URL("http://127.0.0.1:5000/up"), {
 *   method: "PUT",
 *   headers: { "Content-Length": "3" },
 *   body: ReadableStream.from([new Uint8Array([1, 2, 3])]),
 * });
 * await res.body?.cancel();
 * ```
 */
export async function nodeFetch(
  url: URL,
  init: RequestInit = {},
  tlsOptions: NodeTlsOptions = {},
): Promise<Response> {
  const proxy = tlsOptions.proxy === undefined ? undefined : new URL(tlsOptions.proxy);
  let tunnel: tls.TLSSocket | undefined;
  if (proxy !== undefined && url.protocol === "https:") {
    try {
      tunnel = await openTunnel(proxy, url, _tls(tlsOptions) as tls.ConnectionOptions);
    } catch (err) {
      throw new TypeError("fetch failed", { cause: err });
    }
  }
  const method = (init.method ?? "GET").toUpperCase();
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => {
    headers[k] = v;
  });
  const body = init.body;
  const signal = init.signal ?? undefined;
  if (typeof body === "string") {
    headers["content-length"] = String(new TextEncoder().encode(body).byteLength);
  } else if (body instanceof Uint8Array) {
    headers["content-length"] = String(body.byteLength);
  } else if (body === undefined || body === null) {
    if (method !== "GET" && method !== "HEAD") headers["content-length"] ??= "0";
  }
  const declared = headers["content-length"] !== undefined &&
      /^\d+$/.test(headers["content-length"])
    ? Number(headers["content-length"])
    : undefined;
  return await new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) {
      tunnel?.destroy();
      reject(signal.reason);
      return;
    }
    const viaProxy = proxy === undefined ? undefined : proxyAuthorization(proxy);
    const req = url.protocol === "https:"
      ? https.request(url, {
        method,
        headers,
        ..._tls(tlsOptions),
        ...(tunnel === undefined ? {} : { createConnection: () => tunnel }),
      })
      : proxy !== undefined
      ? http.request({
        host: proxy.hostname,
        port: proxyPort(proxy),
        path: url.href,
        method,
        headers: {
          ...headers,
          host: url.host,
          ...(viaProxy === undefined ? {} : { "proxy-authorization": viaProxy }),
        },
      })
      : http.request(url, { method, headers });
    const onAbort = () =>
      req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    let sendError: unknown;
    req.on("error", (err) => {
      signal?.removeEventListener("abort", onAbort);
      reject(new TypeError("fetch failed", { cause: sendError ?? err }));
    });
    req.on("response", (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
      }
      if (method === "HEAD" || NULL_BODY.has(status)) {
        res.resume();
        res.on("end", () => signal?.removeEventListener("abort", onAbort));
        resolve(nodeResponse(null, status, res.statusMessage ?? "", h, url));
        return;
      }
      let settled = false;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          res.on("data", (chunk: Uint8Array) => {
            if (settled) return;
            controller.enqueue(new Uint8Array(chunk));
            if ((controller.desiredSize ?? 0) <= 0) res.pause();
          });
          res.on("end", () => {
            signal?.removeEventListener("abort", onAbort);
            if (settled) return;
            settled = true;
            controller.close();
          });
          res.on("error", (err) => {
            signal?.removeEventListener("abort", onAbort);
            if (settled) return;
            settled = true;
            controller.error(err);
          });
        },
        pull() {
          res.resume();
        },
        cancel() {
          settled = true;
          signal?.removeEventListener("abort", onAbort);
          res.destroy();
        },
      }, new ByteLengthQueuingStrategy({ highWaterMark: QUEUE_BYTES }));
      resolve(nodeResponse(stream, status, res.statusMessage ?? "", h, url));
    });
    _sendBody(req, body, declared).catch((err) => {
      sendError = err;
      req.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
}

/**
 * Builds a `Response` whose `url` is the request URL.
 *
 * @param body body stream or null
 * @param status HTTP status
 * @param statusText reason phrase
 * @param headers response headers
 * @param url the request URL
 * @returns the response
 */
export function nodeResponse(
  body: ReadableStream<Uint8Array> | null,
  status: number,
  statusText: string,
  headers: Headers,
  url: URL,
): Response {
  const res = new Response(body, { status, statusText, headers });
  Object.defineProperty(res, "url", { value: url.href });
  return res;
}

function _tls(o: NodeTlsOptions): https.RequestOptions {
  const out: https.RequestOptions = {};
  if (o.verify === false) out.rejectUnauthorized = false;
  if (o.caCerts && o.caCerts.length > 0) out.ca = [...tls.rootCertificates, ...o.caCerts];
  if (o.cert !== undefined && o.key !== undefined) {
    out.cert = o.cert;
    out.key = o.key;
  }
  return out;
}

async function _sendBody(
  req: http.ClientRequest,
  body: RequestInit["body"],
  declared: number | undefined,
): Promise<void> {
  if (body === undefined || body === null) {
    req.end();
    return;
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    req.end(body);
    return;
  }
  if (!(body instanceof ReadableStream)) {
    throw new TypeError("node fetch supports string, Uint8Array and stream bodies only");
  }
  let sent = 0;
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sent += value.byteLength;
      if (declared !== undefined && sent > declared) {
        throw new TypeError(`the body is longer than its Content-Length ${declared}`);
      }
      if (!req.write(value)) await _drain(req);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
  if (declared !== undefined && sent !== declared) {
    throw new TypeError(`the body ended at ${sent} bytes, before its Content-Length ${declared}`);
  }
  req.end();
}

function _drain(req: http.ClientRequest): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      req.off("drain", done);
      req.off("close", closed);
      resolve();
    };
    const closed = () => {
      req.off("drain", done);
      reject(new Error("connection closed while sending"));
    };
    req.on("drain", done);
    req.on("close", closed);
  });
}

/**
 * A fetch for the registry's short exchanges (API checks, tags, manifests,
 * tokens, upload sessions): HTTP/1.1 written and read straight over a TCP or
 * TLS connection, kept alive per origin.
 *
 * Why: Deno's `fetch` loads its request, body and web-stream modules at the
 * first call. For a short command that is most of the run: a bare script
 * doing one request took 12.7 ms over an empty `deno run` with `fetch` and
 * 2.7 ms over it on a plain connection (same machine, loopback). The
 * registry seam (`deno_fetch.ts`) sends here only what this speaks fully:
 * no proxy, a body that is bytes, text or a byte source of known length,
 * and no blob download (those stream through Deno's native fetch) unless
 * copy reads it as a byte source.
 *
 * What it does as fetch does: a `Host` and `Accept: *\/*` header, a
 * `Content-Length` for every body and for a `POST`, `PUT` or `PATCH` without
 * one; no redirect is followed (the transport follows them itself); header
 * names and values are checked (a `TypeError` before anything is sent); an
 * abort closes the connection and rejects with the signal's reason. A
 * malformed response is a `TypeError`, as fetch's network errors are.
 *
 * A connection is reused once its response body has been read to the end,
 * when neither side asked to close it, and for at most
 * {@link WIRE_IDLE_MS} after that. A request that finds a reused connection
 * closed before any response byte is sent again on a new one, when its
 * method is idempotent (RFC 9110, section 9.2.2) and no byte of a source
 * body was read yet; other failures reach the caller, whose retries decide.
 * A source body is sent while the answer is read (`_wire_source.ts`, loaded
 * by the first such request): an answer that comes first (an error before
 * the whole body) is returned, the rest is not sent and the connection is
 * not reused.
 *
 * Unlike fetch it asks for no content coding (`Accept-Encoding: identity`)
 * and decodes none (the seam, `deno_fetch.ts`, decodes a server that encodes
 * anyway).
 *
 * @module
 */
import type { ByteSource } from "../byte_source.ts";
import { checkHeaderField, headerPairs, isToken, SourceBodyError } from "./wire_headers.ts";
import {
  bodyFraming,
  MAX_HEAD_BYTES,
  parseHead,
  WireBody,
  type WireConn,
  type WireHead,
  WireReader,
  WireResponse,
} from "./wire_response.ts";
import type { SendSource } from "./_wire_source.ts";

/** Opens a connection to a URL's origin (TLS for https); the signal may cut it short. */
export type WireDial = (url: URL, signal?: AbortSignal) => Promise<WireConn>;

/** What the wire fetch sends. */
export interface WireRequestInit {
  /** Method. @default "GET" */
  method?: string | undefined;
  /** Header fields: a record, `[name, value]` pairs or a `Headers`. */
  headers?: HeadersInit | undefined;
  /** Body: bytes or UTF-8 text. */
  body?: Uint8Array | string | null | undefined;
  /**
   * A body read from a byte source instead (`body` is then ignored): sent
   * with this exact length. A source that fails, or gives fewer bytes, fails
   * the request with a {@link SourceBodyError} before the server has a
   * whole body; one that gives more fails it too, possibly after the server
   * took the first `length` bytes as the body.
   */
  source?: SourceBody | undefined;
  /** Aborts the request and its body. */
  signal?: AbortSignal | null | undefined;
}

/** Options of {@link WireFetch}. */
export interface WireFetchOptions {
  /** Opens connections. */
  dial: WireDial;
  /** Clock, for idle connections. */
  now: () => number;
}

/** A request body read from a byte source, of a known length. */
export interface SourceBody {
  /** The bytes. */
  source: ByteSource;
  /** How many there are (the `Content-Length`). */
  length: number;
}

/** How long idle a connection may have been to carry a source body (ms). */
export const SOURCE_REUSE_MS = 1_000;

/** How long an idle connection is kept for reuse (ms). */
export const WIRE_IDLE_MS = 30_000;

const _IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const _LENGTH_WITHOUT_BODY = new Set(["POST", "PUT", "PATCH"]);
const _OWN_FIELDS = new Set(["host", "content-length", "connection", "transfer-encoding"]);

/** Nothing came back on a reused connection: the server had closed it. */
class _StaleConnection extends Error {}

/** Keeps connections per origin and sends requests over them. */
export class WireFetch {
  #o: WireFetchOptions;
  #idle = new Map<string, { conn: WireConn; since: number }[]>();
  #open = new Set<WireConn>();
  #closed = false;

  /**
   * Creates a fetch with an empty connection pool.
   * @param options dial and clock
   */
  constructor(options: WireFetchOptions) {
    this.#o = options;
  }

  /**
   * Sends one request and reads the response head.
   *
   * @param url the URL (http or https)
   * @param init method, headers, body, signal
   * @returns the response; its body is read as the caller asks
   * @throws {TypeError} for a bad header, a closed fetch or a malformed response
   * @throws the signal's reason when aborted, or the connection's error
   */
  async fetch(url: URL, init: WireRequestInit = {}): Promise<WireResponse> {
    if (this.#closed) throw new TypeError("the wire fetch is closed");
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const method = (init.method ?? "GET").toUpperCase();
    const request = _encodeRequest(url, method, init, init.source?.length);
    // sending a source body is loaded by the first request that has one
    const sourced = init.source &&
      { ...init.source, send: (await import("./_wire_source.ts")).sendSource };
    for (;;) {
      // A source read from cannot be sent again: only a connection used
      // moments ago carries it (a server closing idle ones sooner is rare).
      const reused = this.#takeIdle(url.origin, sourced ? SOURCE_REUSE_MS : WIRE_IDLE_MS);
      const conn = reused ?? await this.#dial(url, signal);
      const sending = sourced && { ...sourced, started: false };
      try {
        return await this.#exchange(conn, url, method, request, signal, sending);
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (err instanceof _StaleConnection) {
          // a source read from cannot be sent again
          if (reused && _IDEMPOTENT.has(method) && !sending?.started) continue;
          // the connection's own error says more (a TLS alert, a reset)
          const why = err.cause instanceof Error ? `: ${err.cause.message}` : "";
          throw new TypeError(`${url.host} closed the connection before answering${why}`, {
            cause: err.cause,
          });
        }
        throw err;
      }
    }
  }

  /** Closes every connection; later requests fail. */
  close(): void {
    this.#closed = true;
    for (const conn of this.#open) _close(conn);
    this.#open.clear();
    this.#idle.clear();
  }

  async #dial(url: URL, signal: AbortSignal | undefined): Promise<WireConn> {
    const conn = await this.#o.dial(url, signal);
    if (this.#closed || signal?.aborted) {
      _close(conn);
      signal?.throwIfAborted();
      throw new TypeError("the wire fetch is closed");
    }
    this.#open.add(conn);
    return conn;
  }

  #takeIdle(origin: string, maxIdle: number): WireConn | undefined {
    const list = this.#idle.get(origin);
    const now = this.#o.now();
    while (list && list.length > 0) {
      const { conn, since } = list.pop()!;
      if (now - since <= maxIdle) return conn;
      if (now - since <= WIRE_IDLE_MS) {
        list.push({ conn, since }); // still good for a request that can be sent again
        return undefined;
      }
      this.#drop(conn);
    }
    return undefined;
  }

  #drop(conn: WireConn): void {
    this.#open.delete(conn);
    _close(conn);
  }

  #release(origin: string, conn: WireConn, reusable: boolean): void {
    if (!reusable || this.#closed || !this.#open.has(conn)) {
      this.#drop(conn);
      return;
    }
    let list = this.#idle.get(origin);
    if (!list) this.#idle.set(origin, list = []);
    list.push({ conn, since: this.#o.now() });
  }

  async #exchange(
    conn: WireConn,
    url: URL,
    method: string,
    request: Uint8Array,
    signal: AbortSignal | undefined,
    sourced: (SourceBody & { started: boolean; send: SendSource }) | undefined,
  ): Promise<WireResponse> {
    const onAbort = () => this.#drop(conn);
    signal?.addEventListener("abort", onAbort, { once: true });
    const reader = new WireReader(conn);
    let head: WireHead;
    // the connection may carry another request once this one's body was all sent
    let bodySent = true;
    try {
      try {
        await _writeAll(conn, request);
        if (sourced === undefined) head = await _readFinalHead(reader);
        else {
          sourced.started = true;
          ({ head, bodySent } = await sourced.send(sourced, {
            readHead: () => _readFinalHead(reader),
            write: (bytes) => _writeAll(conn, bytes),
          }));
        }
      } catch (err) {
        if (
          reader.received === 0 && !signal?.aborted && !(err instanceof TypeError) &&
          !(err instanceof _StaleConnection) && !(err instanceof SourceBodyError)
        ) {
          throw new _StaleConnection("stale", { cause: err });
        }
        throw err;
      }
    } catch (err) {
      signal?.removeEventListener("abort", onAbort);
      this.#drop(conn);
      throw err;
    }
    let framing: ReturnType<typeof bodyFraming>;
    try {
      framing = bodyFraming(head, method);
    } catch (err) {
      signal?.removeEventListener("abort", onAbort);
      this.#drop(conn);
      throw err;
    }
    const body = new WireBody(
      reader,
      framing.framing,
      (clean) => {
        signal?.removeEventListener("abort", onAbort);
        this.#release(url.origin, conn, clean && framing.reuse && bodySent);
      },
      () =>
        signal?.aborted
          ? signal.reason
          : this.#closed
          ? new TypeError("the wire fetch is closed")
          : undefined,
    );
    const bodiless = method === "HEAD" || head.status === 204 || head.status === 304;
    return new WireResponse(head, url.href, bodiless ? null : body);
  }
}

/** Reads heads until one that is not an interim (1xx) response. */
async function _readFinalHead(reader: WireReader): Promise<WireHead> {
  for (;;) {
    const text = await reader.readHead(MAX_HEAD_BYTES);
    if (text === null) throw new _StaleConnection("closed before a response");
    const head = parseHead(text);
    if (head.status === 101) throw new TypeError("invalid HTTP response: unexpected 101");
    if (head.status >= 200 || head.status < 100) return head;
  }
}

function _encodeRequest(
  url: URL,
  method: string,
  init: WireRequestInit,
  sourceLength?: number,
): Uint8Array {
  if (!isToken(method)) {
    throw new TypeError(`Invalid method: "${method}"`);
  }
  const body = sourceLength !== undefined || init.body === undefined || init.body === null
    ? undefined
    : typeof init.body === "string"
    ? new TextEncoder().encode(init.body)
    : init.body;
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  const given = new Set<string>();
  for (const [name, value] of headerPairs(init.headers)) {
    const [k, v] = checkHeaderField(name, value);
    if (_OWN_FIELDS.has(k)) continue;
    given.add(k);
    head += `${name}: ${v}\r\n`;
  }
  if (!given.has("accept")) head += "Accept: */*\r\n";
  // bodies are not decoded here, so ask for none encoded
  if (!given.has("accept-encoding")) head += "Accept-Encoding: identity\r\n";
  if (sourceLength !== undefined) head += `Content-Length: ${sourceLength}\r\n`;
  else if (body !== undefined || _LENGTH_WITHOUT_BODY.has(method)) {
    head += `Content-Length: ${body?.byteLength ?? 0}\r\n`;
  }
  head += "\r\n";
  if (/[\u0100-\uffff]/.test(head)) throw new TypeError("Invalid header value: not a byte string");
  // a byte string: one byte per character (what fetch sends)
  const out = new Uint8Array(head.length + (body?.byteLength ?? 0));
  for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
  if (body !== undefined) out.set(body, head.length);
  return out;
}

async function _writeAll(conn: WireConn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.byteLength) off += await conn.write(bytes.subarray(off));
}

function _close(conn: WireConn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

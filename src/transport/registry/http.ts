/**
 * The HTTP core of the registry transport: one request with auth, manual
 * redirects, retries with backoff and per-host limits, ending in a successful
 * response or a typed error.
 *
 * @module
 */
import { AbortedError, ErrorCode, OciError, RegistryError } from "../../errors.ts";
import { discardBody, readLimited } from "./_body.ts";
import { Limiter, type Sleep } from "./_limiter.ts";
import type { RegistryAuth } from "./auth.ts";
import { repoScope } from "./repo_scope.ts";
import type { ResolvedHost } from "./host_config.ts";
import {
  isPlainBody,
  isSourceBody,
  PREFER_WIRE,
  SOURCE_BODY,
  SourceBodyError,
  takesSourceBodies,
} from "./wire_headers.ts";
import type { SourceBody } from "./wire_fetch.ts";
import { byteSourceStream } from "../byte_source.ts";
import { backoffDelay, isRetryableStatus, MAX_RETRIES, parseRetryAfter } from "./retry.ts";

/** Where the transport reports what it does. Every method is optional. */
export interface RegistryLogger {
  /** Request-level detail. */
  debug?(message: string, data?: Record<string, unknown>): void;
  /** Registry warnings (`Warning` headers) and retries. */
  warn?(message: string, data?: Record<string, unknown>): void;
}

/** One registry request. */
export interface RegistryRequest {
  /** HTTP method. */
  method: string;
  /** Full URL. */
  url: URL;
  /** What is being done, for errors (`get manifest`). */
  action: string;
  /** What it is done to, for errors (`localhost:5000/a:b`). */
  subject: string;
  /** Repository the request is about (scope, repoAuth); empty for `/v2/` and `_catalog`. */
  repository?: string | undefined;
  /** Push access is needed. @default false */
  push?: boolean | undefined;
  /** More scopes (mount source, catalog). */
  scopes?: string[] | undefined;
  /** Request headers. */
  headers?: Record<string, string> | undefined;
  /**
   * Body. A stream or a byte source is sent once: no retry, no re-auth, no
   * redirect. A byte source goes as it is to a fetch that takes it
   * ({@link TAKES_SOURCE_BODY}), as a stream to any other.
   */
  body?: Uint8Array | string | ReadableStream<Uint8Array> | SourceBody | undefined;
  /** Statuses returned to the caller instead of thrown (besides 2xx). */
  expect?: number[] | undefined;
  /** Do not retry transient failures. @default false */
  noRetry?: boolean | undefined;
  /**
   * The answer is read as a byte source when the network seam can give one
   * (see {@link PREFER_WIRE}). @default false
   */
  preferWire?: boolean | undefined;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link RegistryHttp}. */
export interface RegistryHttpOptions {
  /** fetch. */
  fetch: typeof fetch;
  /**
   * Shared authentication state, or a loader of it: a loader runs at the
   * first 401, so requests that are never challenged load no auth code.
   */
  auth: RegistryAuth | (() => Promise<RegistryAuth>);
  /** User-Agent header. */
  userAgent: string;
  /** Clock. */
  now: () => number;
  /** Sleep used for backoff. */
  sleep: Sleep;
  /** Logger. */
  logger?: RegistryLogger | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Whether a status is a redirect that carries a `Location`.
 *
 * @param status HTTP status
 * @returns true for 301, 302, 303, 307 and 308
 */
export function isRedirect(status: number): boolean {
  return REDIRECTS.has(status);
}

/** Sends registry requests for every host of a transport. */
export class RegistryHttp {
  #o: RegistryHttpOptions;
  #limiters = new Map<string, Limiter>();
  #warned = new Set<string>();
  #backoff = new Map<string, number>();
  #auth: RegistryAuth | undefined;
  #authLoading: Promise<RegistryAuth> | undefined;

  /**
   * Creates the request pipeline (retries, backoff, limits, auth).
   * @param options fetch, auth, clock, sleep, logger
   */
  constructor(options: RegistryHttpOptions) {
    this.#o = options;
    if (typeof options.auth !== "function") this.#auth = options.auth;
  }

  /** The auth state, loaded at the first challenge. */
  #loadAuth(): Promise<RegistryAuth> {
    const auth = this.#o.auth;
    this.#authLoading ??= this.#auth
      ? Promise.resolve(this.#auth)
      : typeof auth === "function"
      ? auth().then((a) => (this.#auth = a))
      : Promise.resolve(auth);
    return this.#authLoading;
  }

  /**
   * Sends a request and returns a successful response (2xx or one of
   * `expect`), whose body the caller must consume or cancel.
   *
   * @param host resolved host
   * @param req the request
   * @returns the response
   * @throws {NotFoundError} on 404
   * @throws {RegistryError} on other failures (code UNAUTHORIZED, RATE_LIMIT or REGISTRY)
   * @throws {AbortedError} when cancelled
   */
  async request(host: ResolvedHost, req: RegistryRequest): Promise<Response> {
    try {
      const res = await this.#request(host, req);
      if (res.status < 500) this.#backoff.delete(host.name);
      return res;
    } catch (err) {
      if (
        err instanceof RegistryError && (err.status === 0 || isRetryableStatus(err.status))
      ) {
        const until = this.#o.now() + backoffDelay(MAX_RETRIES);
        this.#backoff.set(host.name, until);
      } else if (err instanceof OciError && err.code === ErrorCode.NOT_FOUND) {
        this.#backoff.delete(host.name);
      }
      throw err;
    }
  }

  /**
   * Tells whether a host failed recently (network error, 5xx, 429) and has
   * not answered properly since: mirrors in backoff are tried last.
   *
   * @param hostName registry name of the host
   * @returns true while the host is backing off
   */
  backingOff(hostName: string): boolean {
    const until = this.#backoff.get(hostName);
    if (until === undefined) return false;
    if (until <= this.#o.now()) {
      this.#backoff.delete(hostName);
      return false;
    }
    return true;
  }

  async #request(host: ResolvedHost, req: RegistryRequest): Promise<Response> {
    const repo = req.repository ?? "";
    const scopes = [...(req.scopes ?? [])];
    if (repo) scopes.push(repoScope(repo, req.push ?? false));
    const replayable = !_isStream(req.body);
    let attempt = 0;
    let authTries = 0;
    for (;;) {
      if (req.signal?.aborted) throw new AbortedError(undefined, { cause: req.signal.reason });
      let sent: { res: Response; url: URL; crossHost: boolean };
      try {
        sent = await this.#send(host, req, repo, scopes);
      } catch (err) {
        // a body's own source failing is not the registry's doing
        if (err instanceof OciError || err instanceof SourceBodyError) throw err;
        if (req.signal?.aborted) throw new AbortedError(undefined, { cause: err });
        if (replayable && !req.noRetry && attempt < MAX_RETRIES) {
          const delay = backoffDelay(attempt++);
          this.#o.logger?.warn?.(`Retrying ${req.method} ${req.url.href} after a network error`, {
            error: String(err),
            delay,
          });
          await this.#o.sleep(delay, req.signal);
          continue;
        }
        const { networkError } = await import("./_network_error.ts");
        throw networkError(host.name, host.hostname, req, err);
      }
      const { res, url, crossHost } = sent;
      this.#warnings(res);
      if (res.ok || req.expect?.includes(res.status)) return res;
      if (res.status === 401 && !crossHost && replayable && authTries < 2) {
        const header = res.headers.get("www-authenticate");
        if (header) {
          let retry: boolean;
          try {
            const [auth, { parseWwwAuthenticate }] = await Promise.all([
              this.#loadAuth(),
              import("./www_authenticate.ts"),
            ]);
            retry = await auth.challenge(host, repo, parseWwwAuthenticate(header), scopes);
          } catch (err) {
            await discardBody(res);
            throw err;
          }
          if (retry) {
            await discardBody(res);
            authTries++;
            continue;
          }
        }
      }
      if (isRetryableStatus(res.status) && replayable && !req.noRetry && attempt < MAX_RETRIES) {
        const ra = parseRetryAfter(res.headers.get("retry-after"), this.#o.now());
        const delay = ra ?? backoffDelay(attempt);
        attempt++;
        await discardBody(res);
        this.#o.logger?.warn?.(`Retrying ${req.method} ${req.url.href} after ${res.status}`, {
          delay,
        });
        await this.#o.sleep(delay, req.signal);
        continue;
      }
      // the error path: decoding error answers is loaded by the first one
      const { ERROR_BODY_LIMIT, registryError } = await import("./error_response.ts");
      const body = await readLimited(res, ERROR_BODY_LIMIT).catch(() => new Uint8Array());
      throw registryError({
        action: req.action,
        subject: req.subject,
        status: res.status,
        statusText: res.statusText,
        method: req.method,
        url: url.href,
        body,
        registry: host.name,
      });
    }
  }

  async #send(
    host: ResolvedHost,
    req: RegistryRequest,
    repo: string,
    scopes: string[],
  ): Promise<{ res: Response; url: URL; crossHost: boolean }> {
    const release = await this.#limiter(host).acquire(req.signal);
    try {
      // No auth state yet means no challenge yet, so no header.
      const auth = await this.#auth?.header(host, repo, scopes, req.signal);
      const origin = req.url.origin;
      let url = req.url;
      let method = req.method;
      let body = req.body;
      for (let hop = 0;; hop++) {
        let headers = _withField(req.headers ?? {}, "User-Agent", this.#o.userAgent);
        if (auth !== undefined && url.origin === origin) {
          headers = _withField(headers, "Authorization", auth);
        }
        const init: RequestInit & {
          duplex?: string;
          [PREFER_WIRE]?: true;
          [SOURCE_BODY]?: SourceBody;
        } = {
          method,
          headers,
          redirect: "manual",
        };
        if (req.preferWire === true) init[PREFER_WIRE] = true;
        if (req.signal) init.signal = req.signal;
        if (isSourceBody(body) && takesSourceBodies(this.#o.fetch)) {
          init[SOURCE_BODY] = body;
        } else if (body !== undefined) {
          init.body = (isSourceBody(body) ? byteSourceStream(body.source) : body) as BodyInit;
          if (_isStream(body)) init.duplex = "half";
        }
        this.#o.logger?.debug?.(`${method} ${url.href}`);
        const res = await this.#o.fetch(url, init);
        this.#o.logger?.debug?.(`${res.status} ${method} ${url.href}`);
        if (!isRedirect(res.status)) return { res, url, crossHost: url.origin !== origin };
        const location = res.headers.get("location");
        await discardBody(res);
        // the redirect rules are loaded by the first redirect
        const next = (await import("./_redirect.ts")).followRedirect({
          status: res.status,
          location,
          hop,
          url,
          method,
          streamed: _isStream(body),
          action: req.action,
          subject: req.subject,
          registryHost: host.hostname,
        });
        url = next.url;
        method = next.method;
        if (next.dropBody) body = undefined;
      }
    } finally {
      release();
    }
  }

  #limiter(host: ResolvedHost): Limiter {
    let l = this.#limiters.get(host.name);
    if (!l) {
      l = new Limiter(host.reqConcurrent, host.reqPerSec, this.#o.now, this.#o.sleep);
      this.#limiters.set(host.name, l);
    }
    return l;
  }

  #warnings(res: Response): void {
    const w = res.headers.get("warning");
    if (!w) return;
    for (const m of w.matchAll(/299\s+\S+\s+"((?:[^"\\]|\\.)*)"/g)) {
      const text = (m[1] ?? "").slice(0, 4096);
      if (this.#warned.has(text)) continue;
      this.#warned.add(text);
      this.#o.logger?.warn?.(`Registry warning: ${text}`);
    }
  }
}

/** A streamed body (see {@link isPlainBody}). */
function _isStream(
  body: RegistryRequest["body"],
): body is ReadableStream<Uint8Array> | SourceBody {
  return !isPlainBody(body);
}

/**
 * A copy of a header record with one field set, replacing any spelling of
 * its name (a plain record: building a `Headers` loads Deno's header module).
 */
function _withField(
  headers: Record<string, string>,
  name: string,
  value: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== lower) out[k] = v;
  out[name] = value;
  return out;
}

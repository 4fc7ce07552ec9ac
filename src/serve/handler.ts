/**
 * The `ocictl serve` registry: a distribution-spec 1.1 HTTP handler over a
 * directory of OCI layouts (one layout per repository, created on first
 * push), usable as a plain `(Request) => Promise<Response>` function.
 *
 * Policy decisions (see the JSDoc of {@link createRegistryHandler}):
 * read-only writes answer 403 `DENIED`; disabled deletes answer 405
 * `UNSUPPORTED`; manifests are served whatever the `Accept` header says; a
 * mount without `from` opens a normal session (202); `OCI-Chunk-Min-Length`
 * is not advertised and chunks of any size are accepted.
 *
 * @module
 */
import {
  DigestMismatchError,
  InvalidDigestError,
  LayoutError,
  ManifestInvalidError,
  SizeLimitError,
  SizeMismatchError,
  UnsupportedMediaTypeError,
} from "../errors.ts";
import { denoFileSystem, type FileSystem } from "../transport/ocidir/file_system.ts";
import { ApiError, apiErrorResponse, errorResponse } from "./errors_body.ts";
import type { Htpasswd } from "./htpasswd.ts";
import type { AccessPolicy } from "./access.ts";
import { Authorizer } from "./_authorizer.ts";
import { LoginLimiter } from "./login_limiter.ts";
import { parseRoute, ROUTE_METHODS } from "./routes.ts";
import { blobDelete, blobGet } from "./_blob_routes.ts";
import { manifestDelete, manifestGet, manifestPut } from "./_manifest_routes.ts";
import { referrers } from "./_referrer_routes.ts";
import {
  DEFAULT_REGISTRY_LIMITS,
  jsonResponse,
  type RegistryLimits,
  ServeState,
} from "./_serve_state.ts";
import { catalog, tags } from "./_tag_routes.ts";
import { upload, uploadStart } from "./_upload_routes.ts";
import type { RegistryUi } from "./ui/ui.tsx";

export { DEFAULT_REGISTRY_LIMITS, type RegistryLimits } from "./_serve_state.ts";

/** Options of {@link createRegistryHandler}. */
export interface RegistryHandlerOptions {
  /** Directory holding one OCI layout per repository (`<dir>/<repo>/index.json`). */
  dir: string;
  /** Refuse every write with 403 `DENIED`. @default false */
  readOnly?: boolean | undefined;
  /** Refuse manifest, tag and blob deletes with 405 `UNSUPPORTED`. @default false */
  noDelete?: boolean | undefined;
  /** Require HTTP Basic auth against these users on every request. */
  auth?: Htpasswd | undefined;
  /**
   * Per-repository rules (`--access`): without one, every authenticated user
   * may do everything. Requests without credentials are `anonymous`.
   */
  access?: AccessPolicy | undefined;
  /** Failed-login rate limiter. @default a LoginLimiter with its defaults */
  loginLimiter?: LoginLimiter | undefined;
  /** File system. @default denoFileSystem */
  fs?: FileSystem | undefined;
  /** Clock in milliseconds (upload expiry). @default Date.now */
  now?: (() => number) | undefined;
  /** Bounds; missing fields take {@link DEFAULT_REGISTRY_LIMITS}. */
  limits?: Partial<RegistryLimits> | undefined;
  /** Receives one line per server-side problem (corrupt blob, internal error). */
  log?: ((message: string) => void) | undefined;
  /**
   * Hash every blob on every GET. By default a blob is hashed when it is
   * written or first read, and served again without hashing while its file
   * is unchanged (same inode, size, modification and change time; see
   * `VerifiedFiles`). @default false
   */
  verifyEveryRead?: boolean | undefined;
  /**
   * The registry browser served under `/ui/` (from `createUi` in
   * `ui/ui.tsx`, loaded only when wanted); `/` then redirects to it.
   */
  ui?: RegistryUi | undefined;
}

/** A registry as a fetch-style function. */
export interface RegistryHandler {
  /**
   * Answers one request.
   * @param req the request
   * @param info where it comes from (failed logins are limited per client address)
   * @returns the response (never rejects)
   */
  fetch(req: Request, info?: RequestInfo): Promise<Response>;
  /**
   * Waits for the requests in flight (uploads finish); open upload sessions
   * stay on disk and resume after a restart (until they expire).
   * @returns nothing
   */
  close(): Promise<void>;
}

/** Where a request comes from. */
export interface RequestInfo {
  /** Client address. @default "local" */
  client?: string | undefined;
}

const BASE_HEADERS = { "Docker-Distribution-API-Version": "registry/2.0" };

/**
 * Creates the registry handler.
 *
 * Behaviour worth knowing:
 * - Read-only mode answers every write (push, delete, upload) with 403
 *   `DENIED`: the endpoints exist but the server refuses by policy, as
 *   olareg's `--store-ro` does. With `noDelete`, deletes answer 405
 *   `UNSUPPORTED`, the spec's "deletion disabled" answer.
 * - Manifests are served whatever the `Accept` header says (RFC 9110 allows
 *   it; clients check the `Content-Type`).
 * - Only OCI and Docker schema2 manifests and indexes are accepted on PUT.
 *   Every referenced blob must exist in the repository (400
 *   `MANIFEST_BLOB_UNKNOWN`, one entry each) except layers with `urls` or a
 *   non-distributable/foreign media type. A `subject` need not exist.
 * - A failed digest check at the end of an upload answers 400
 *   `DIGEST_INVALID`, stores nothing and closes the session. An out-of-order
 *   chunk answers 416 with `Range` and keeps the session.
 * - Manifests with a `subject` are also recorded in the subject's fallback
 *   tag (`sha256-<hex>`) by the ocidir layout, so the directory stays
 *   readable by layout tools; that tag shows in the tag list.
 *
 * @param options directory, modes, auth, seams and limits
 * @returns the handler
 *
 * @example Ping an empty registry
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { createRegistryHandler } from "./handler.ts";
 * const dir = await Deno.makeTempDir();
 * const reg = createRegistryHandler({ dir });
 * const res = await reg.fetch(new Request("http://registry/v2/"));
 * equal(res.status, 200);
 * await res.body?.cancel();
 * await reg.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function createRegistryHandler(options: RegistryHandlerOptions): RegistryHandler {
  const registry = new _Registry(options);
  return {
    fetch: (req, info) => registry.fetch(req, info?.client ?? "local"),
    close: () => registry.close(),
  };
}

class _Registry {
  #authz: Authorizer;
  #ui: RegistryUi | undefined;
  #log: (message: string) => void;
  #st: ServeState;
  #inflight = new Set<Promise<Response>>();

  constructor(options: RegistryHandlerOptions) {
    this.#authz = new Authorizer(
      options.auth,
      options.access,
      options.loginLimiter ?? new LoginLimiter({ now: options.now }),
    );
    this.#ui = options.ui;
    this.#log = options.log ?? (() => {});
    this.#st = new ServeState({
      dir: options.dir.length > 1 && options.dir.endsWith("/")
        ? options.dir.slice(0, -1)
        : options.dir,
      fs: options.fs ?? denoFileSystem,
      now: options.now ?? Date.now,
      limits: { ...DEFAULT_REGISTRY_LIMITS, ...options.limits },
      readOnly: options.readOnly === true,
      noDelete: options.noDelete === true,
      log: this.#log,
      verifyEveryRead: options.verifyEveryRead === true,
    });
  }

  fetch(req: Request, client: string): Promise<Response> {
    const p = this.#handle(req, client);
    this.#inflight.add(p);
    p.finally(() => this.#inflight.delete(p));
    return p;
  }

  async close(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    this.#st.uploads.forgetAll();
    this.#st.release();
    await this.#ui?.close();
  }

  async #handle(req: Request, client: string): Promise<Response> {
    const head = req.method === "HEAD";
    let res: Response;
    try {
      res = await this.#route(req, client);
    } catch (err) {
      res = this.#errorResponse(err, head);
    } finally {
      if (req.body !== null && !req.bodyUsed && !req.body.locked) {
        await req.body.cancel().catch(() => {});
      }
    }
    for (const [k, v] of Object.entries(BASE_HEADERS)) res.headers.set(k, v);
    return res;
  }

  #errorResponse(err: unknown, head: boolean): Response {
    if (err instanceof ApiError) return apiErrorResponse(err, head);
    const one = (status: number, code: ConstructorParameters<typeof ApiError>[1]) =>
      apiErrorResponse(new ApiError(status, code, (err as Error).message), head);
    if (err instanceof InvalidDigestError) return one(400, "DIGEST_INVALID");
    if (err instanceof DigestMismatchError) return one(400, "DIGEST_INVALID");
    if (err instanceof SizeMismatchError) return one(400, "SIZE_INVALID");
    if (err instanceof SizeLimitError) return one(413, "SIZE_INVALID");
    if (err instanceof ManifestInvalidError || err instanceof UnsupportedMediaTypeError) {
      return one(400, "MANIFEST_INVALID");
    }
    this.#log(`Cannot answer request: ${err instanceof Error ? err.message : String(err)}`);
    return errorResponse(
      500,
      [{
        code: "UNKNOWN",
        message: err instanceof LayoutError
          ? "Cannot read the repository: its OCI layout is broken"
          : "Cannot answer the request: internal error",
      }],
      {},
      head,
    );
  }

  async #route(req: Request, client: string): Promise<Response> {
    const url = new URL(req.url);
    if (this.#ui !== undefined && /^\/(?:ui(?:\/|$)|$)/.test(url.pathname)) {
      return await this.#browse(req, url, this.#ui, client);
    }
    const user = await this.#authz.authenticate(req, client);
    const route = parseRoute(url.pathname);
    if (route === undefined) {
      throw new ApiError(404, "UNSUPPORTED", `Cannot find endpoint "${url.pathname}"`);
    }
    const allowed = ROUTE_METHODS[route.kind];
    if (!allowed.includes(req.method)) {
      throw new ApiError(405, "UNSUPPORTED", `Cannot ${req.method} "${url.pathname}"`, {
        headers: { Allow: allowed.join(", ") },
      });
    }
    this.#authz.authorize(user, route, req.method);
    const mayPull = (repo: string) => this.#authz.mayPull(user, repo);
    const head = req.method === "HEAD";
    const st = this.#st;
    switch (route.kind) {
      case "base":
        return jsonResponse(200, {}, {}, head);
      case "catalog":
        return await catalog(st, url, mayPull);
      case "manifest":
        if (req.method === "PUT") return await manifestPut(st, req, url, route);
        if (req.method === "DELETE") return await manifestDelete(st, route);
        return await manifestGet(st, route, head);
      case "blob":
        if (req.method === "DELETE") return await blobDelete(st, route);
        return await blobGet(st, req, route, head);
      case "uploadStart":
        return await uploadStart(st, req, url, route, mayPull);
      case "upload":
        return await upload(st, req, url, route);
      case "tags":
        return await tags(st, url, route);
      case "referrers":
        return await referrers(st, url, route);
    }
  }

  async #browse(req: Request, url: URL, ui: RegistryUi, client: string): Promise<Response> {
    if (url.pathname === "/") {
      return new Response(null, { status: 302, headers: { Location: "/ui/" } });
    }
    let user: string | undefined;
    try {
      user = await this.#authz.authenticate(req, client);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return await ui.unauthorized();
      throw err;
    }
    return await ui.fetch(req, this.#st, user);
  }
}

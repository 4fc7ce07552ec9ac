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
import { createHash } from "node:crypto";
import {
  DigestMismatchError,
  InvalidDigestError,
  LayoutError,
  ManifestInvalidError,
  NotFoundError,
  SizeLimitError,
  SizeMismatchError,
  UnsupportedMediaTypeError,
} from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { type Digest, type DigestAlgorithm, parseDigest } from "../types/digest.ts";
import {
  type Manifest,
  MANIFEST_WRITE_LIMIT,
  manifestReferences,
  parseManifest,
  subjectOf,
} from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import type { Ref } from "../types/ref.ts";
import { denoFileSystem, type FileSystem } from "../transport/ocidir/file_system.ts";
import { withLayoutLock } from "../transport/ocidir/lock.ts";
import { OciDirTransport } from "../transport/ocidir/ocidir_transport.ts";
import { VerifiedFiles } from "../transport/ocidir/verified_files.ts";
import { readCappedBody } from "./_body.ts";
import { paginate } from "./_pagination.ts";
import { parseRange, sliceStream } from "./_range.ts";
import { listRepositories } from "./_repos.ts";
import { ApiError, apiErrorResponse, errorResponse } from "./errors_body.ts";
import { type Htpasswd, parseBasicAuth } from "./htpasswd.ts";
import { isValidRepoName, isValidTag, parseRoute, type Route, ROUTE_METHODS } from "./routes.ts";
import {
  DEFAULT_UPLOAD_LIMITS,
  type UploadLimits,
  type UploadSession,
  UploadStore,
} from "./upload_session.ts";

/** Bounds of the registry. */
export interface RegistryLimits extends UploadLimits {
  /** Largest manifest accepted on PUT. @default 4 MiB */
  manifestBytes: number;
  /** Largest referrers response page, in bytes of JSON. @default 4 MiB */
  referrersBytes: number;
  /** Most `?tag=` parameters on one manifest PUT. @default 64 */
  maxTagParams: number;
}

/** Default {@link RegistryLimits}. */
export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  ...DEFAULT_UPLOAD_LIMITS,
  manifestBytes: MANIFEST_WRITE_LIMIT,
  referrersBytes: 4 * 1024 * 1024,
  maxTagParams: 64,
};

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
}

/** A registry as a fetch-style function. */
export interface RegistryHandler {
  /**
   * Answers one request.
   * @param req the request
   * @returns the response (never rejects)
   */
  fetch(req: Request): Promise<Response>;
  /**
   * Waits for the requests in flight (uploads finish), then drops the open
   * upload sessions and their files.
   * @returns nothing
   */
  close(): Promise<void>;
}

/** Manifest media types accepted on PUT. */
const PUT_MEDIA_TYPES: readonly string[] = [
  MediaType.OCI_MANIFEST,
  MediaType.OCI_INDEX,
  MediaType.DOCKER_MANIFEST,
  MediaType.DOCKER_MANIFEST_LIST,
];
const BASE_HEADERS = { "Docker-Distribution-API-Version": "registry/2.0" };
const AUTH_CACHE_MAX = 1000;

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
    fetch: (req) => registry.fetch(req),
    close: () => registry.close(),
  };
}

class _Registry {
  #dir: string;
  #fs: FileSystem;
  #now: () => number;
  #limits: RegistryLimits;
  #readOnly: boolean;
  #noDelete: boolean;
  #auth: Htpasswd | undefined;
  #log: (message: string) => void;
  #t: OciDirTransport;
  #uploads: UploadStore;
  #inflight = new Set<Promise<Response>>();
  #repos = new Set<string>();
  #authCache = new Set<string>();

  constructor(options: RegistryHandlerOptions) {
    this.#dir = options.dir.length > 1 && options.dir.endsWith("/")
      ? options.dir.slice(0, -1)
      : options.dir;
    this.#fs = options.fs ?? denoFileSystem;
    this.#now = options.now ?? Date.now;
    this.#limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
    this.#readOnly = options.readOnly === true;
    this.#noDelete = options.noDelete === true;
    this.#auth = options.auth;
    this.#log = options.log ?? (() => {});
    this.#t = new OciDirTransport({
      fs: this.#fs,
      verified: options.verifyEveryRead === true ? undefined : new VerifiedFiles(),
    });
    this.#uploads = new UploadStore({
      fs: this.#fs,
      dir: `${this.#dir}/.uploads`,
      now: this.#now,
      limits: this.#limits,
    });
  }

  fetch(req: Request): Promise<Response> {
    const p = this.#handle(req);
    this.#inflight.add(p);
    p.finally(() => this.#inflight.delete(p));
    return p;
  }

  async close(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    await this.#uploads.discardAll();
  }

  async #handle(req: Request): Promise<Response> {
    const head = req.method === "HEAD";
    let res: Response;
    try {
      res = await this.#route(req);
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

  async #route(req: Request): Promise<Response> {
    await this.#authorize(req);
    const url = new URL(req.url);
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
    const head = req.method === "HEAD";
    switch (route.kind) {
      case "base":
        return _json(200, {}, {}, head);
      case "catalog":
        return await this.#catalog(url);
      case "manifest":
        if (req.method === "PUT") return await this.#manifestPut(req, url, route);
        if (req.method === "DELETE") return await this.#manifestDelete(route);
        return await this.#manifestGet(route, head);
      case "blob":
        if (req.method === "DELETE") return await this.#blobDelete(route);
        return await this.#blobGet(req, route, head);
      case "uploadStart":
        return await this.#uploadStart(req, url, route);
      case "upload":
        return await this.#upload(req, url, route);
      case "tags":
        return await this.#tags(url, route);
      case "referrers":
        return await this.#referrers(url, route);
    }
  }

  // ---- auth and policy ----

  async #authorize(req: Request): Promise<void> {
    if (this.#auth === undefined) return;
    const creds = parseBasicAuth(req.headers.get("authorization"));
    if (creds !== undefined) {
      const key = createHash("sha256").update(`${creds.user}\0${creds.password}`).digest("hex");
      if (this.#authCache.has(key)) return;
      if (await this.#auth.verify(creds.user, creds.password)) {
        if (this.#authCache.size >= AUTH_CACHE_MAX) this.#authCache.clear();
        this.#authCache.add(key);
        return;
      }
    }
    throw new ApiError(401, "UNAUTHORIZED", "Cannot authorize: valid credentials are required", {
      headers: { "WWW-Authenticate": 'Basic realm="ocictl"' },
    });
  }

  #checkWrite(kind: "push" | "delete"): void {
    if (this.#readOnly) {
      throw new ApiError(403, "DENIED", "Cannot change the registry: it is served read-only");
    }
    if (kind === "delete" && this.#noDelete) {
      throw new ApiError(
        405,
        "UNSUPPORTED",
        "Cannot delete: deletes are disabled on this registry",
      );
    }
  }

  // ---- repositories ----

  #ref(name: string, tag = "", digest = ""): Ref {
    return {
      scheme: "ocidir",
      registry: "",
      repository: "",
      path: `${this.#dir}/${name}`,
      tag,
      digest,
    };
  }

  async #repoExists(name: string): Promise<boolean> {
    const info = await this.#fs.stat(`${this.#dir}/${name}/index.json`);
    return info?.isFile === true;
  }

  async #requireRepo(name: string): Promise<void> {
    if (!(await this.#repoExists(name))) {
      throw new ApiError(404, "NAME_UNKNOWN", `Cannot find repository "${name}"`);
    }
  }

  /** Makes `<dir>/<name>` an OCI layout, even when it already holds child repositories. */
  async #ensureRepo(name: string): Promise<void> {
    if (this.#repos.has(name)) return;
    const path = `${this.#dir}/${name}`;
    await this.#fs.mkdir(path);
    await withLayoutLock(this.#fs, path, async () => {
      if ((await this.#fs.stat(`${path}/oci-layout`)) !== undefined) return;
      const body = new TextEncoder().encode(JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      const tmp = await this.#fs.writeTemp(path, ReadableStream.from([body]), {
        prefix: "oci-layout.",
      });
      await this.#fs.rename(tmp, `${path}/oci-layout`);
    });
    this.#repos.add(name);
  }

  // ---- manifests ----

  #parseReference(reference: string, forPut: boolean): { tag: string; digest: string } {
    if (reference.includes(":")) {
      try {
        return { tag: "", digest: parseDigest(reference).value };
      } catch {
        throw new ApiError(400, "DIGEST_INVALID", `Cannot use digest "${reference}": malformed`);
      }
    }
    if (!isValidTag(reference)) {
      if (forPut) {
        throw new ApiError(400, "MANIFEST_INVALID", `Cannot use tag "${reference}": invalid tag`);
      }
      throw new ApiError(404, "MANIFEST_UNKNOWN", `Cannot find manifest "${reference}"`);
    }
    return { tag: reference, digest: "" };
  }

  async #manifestGet(route: Route & { kind: "manifest" }, head: boolean): Promise<Response> {
    const { tag, digest } = this.#parseReference(route.reference, false);
    await this.#requireRepo(route.name);
    let m: Manifest;
    try {
      m = await this.#t.manifestGet(this.#ref(route.name, tag, digest));
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new ApiError(404, "MANIFEST_UNKNOWN", `Cannot find manifest "${route.reference}"`);
      }
      if (err instanceof DigestMismatchError || err instanceof SizeMismatchError) {
        this.#log(`Cannot serve manifest "${route.name}@${route.reference}": ${err.message}`);
        throw new ApiError(
          500,
          "MANIFEST_INVALID",
          "Cannot serve manifest: stored bytes are corrupt",
        );
      }
      throw err;
    }
    const headers = {
      "Content-Type": m.mediaType,
      "Content-Length": String(m.size),
      "Docker-Content-Digest": m.digest,
    };
    return new Response(head ? null : new Uint8Array(m.raw), { status: 200, headers });
  }

  async #manifestPut(
    req: Request,
    url: URL,
    route: Route & { kind: "manifest" },
  ): Promise<Response> {
    this.#checkWrite("push");
    const { tag, digest } = this.#parseReference(route.reference, true);
    const tags = url.searchParams.getAll("tag");
    if (tags.length > 0 && digest === "") {
      throw new ApiError(400, "UNSUPPORTED", "Cannot use ?tag= when pushing by tag");
    }
    if (tags.length > this.#limits.maxTagParams) {
      throw new ApiError(400, "MANIFEST_INVALID", "Cannot push manifest: too many tags", {
        detail: { limit: this.#limits.maxTagParams },
      });
    }
    for (const t of tags) {
      if (!isValidTag(t)) {
        throw new ApiError(400, "MANIFEST_INVALID", `Cannot use tag "${t}": invalid tag`);
      }
    }
    const raw = await readCappedBody(req, this.#limits.manifestBytes);
    const contentType = (req.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
    const hint = contentType === "" || contentType === "application/json" ||
        contentType === MediaType.OCTET_STREAM
      ? undefined
      : contentType;
    let m: Manifest;
    try {
      m = parseManifest(raw, {
        mediaType: hint,
        limit: this.#limits.manifestBytes,
        ...(digest !== "" ? { digest } : {}),
      });
    } catch (err) {
      throw new ApiError(
        400,
        "MANIFEST_INVALID",
        `Cannot parse manifest: ${(err as Error).message}`,
      );
    }
    if (!PUT_MEDIA_TYPES.includes(m.mediaType)) {
      throw new ApiError(
        400,
        "MANIFEST_INVALID",
        `Cannot accept manifest of media type "${m.mediaType}"`,
      );
    }
    if (hint !== undefined && hint !== m.mediaType) {
      throw new ApiError(
        400,
        "MANIFEST_INVALID",
        `Cannot accept manifest: Content-Type "${hint}" differs from its mediaType "${m.mediaType}"`,
      );
    }
    if (digest !== "" && m.digest !== digest) {
      throw new ApiError(400, "DIGEST_INVALID", "Cannot accept manifest: digest does not match", {
        detail: { expected: digest, actual: m.digest },
      });
    }
    await this.#checkReferences(route.name, m);
    await this.#ensureRepo(route.name);
    const opts = { mediaType: m.mediaType };
    if (digest === "") {
      await this.#t.manifestPut(this.#ref(route.name, tag), raw, opts);
    } else {
      await this.#t.manifestPut(this.#ref(route.name, "", digest), raw, opts);
      for (const t of tags) await this.#t.manifestPut(this.#ref(route.name, t, digest), raw, opts);
    }
    const headers: Record<string, string> = {
      "Location": `/v2/${route.name}/manifests/${m.digest}`,
      "Docker-Content-Digest": m.digest,
      "Content-Length": "0",
    };
    const subject = subjectOf(m);
    if (subject !== undefined) headers["OCI-Subject"] = subject.digest;
    if (tags.length > 0) headers["OCI-Tag"] = tags.join(", ");
    return new Response(null, { status: 201, headers });
  }

  async #checkReferences(name: string, m: Manifest): Promise<void> {
    const missing: Descriptor[] = [];
    for (const d of manifestReferences(m)) {
      if ((d.urls?.length ?? 0) > 0 || /nondistributable|foreign/.test(d.mediaType)) continue;
      try {
        await this.#t.blobHead(this.#ref(name), d.digest);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        missing.push(d);
      }
    }
    const [first, ...rest] = missing;
    if (first === undefined) return;
    const entry = (d: Descriptor) => ({
      code: "MANIFEST_BLOB_UNKNOWN" as const,
      message: `Cannot find blob "${d.digest}" in "${name}"; push it first`,
      detail: { digest: d.digest },
    });
    throw new ApiError(400, "MANIFEST_BLOB_UNKNOWN", entry(first).message, {
      detail: entry(first).detail,
      more: rest.map(entry),
    });
  }

  async #manifestDelete(route: Route & { kind: "manifest" }): Promise<Response> {
    this.#checkWrite("delete");
    const { tag, digest } = this.#parseReference(route.reference, false);
    await this.#requireRepo(route.name);
    try {
      if (digest !== "") await this.#t.manifestDelete(this.#ref(route.name, "", digest));
      else await this.#t.tagDelete(this.#ref(route.name, tag));
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new ApiError(404, "MANIFEST_UNKNOWN", `Cannot find manifest "${route.reference}"`);
      }
      throw err;
    }
    return new Response(null, { status: 202, headers: { "Content-Length": "0" } });
  }

  // ---- blobs ----

  async #blobGet(req: Request, route: Route & { kind: "blob" }, head: boolean): Promise<Response> {
    const d = _digestParam(route.digest);
    await this.#requireRepo(route.name);
    const ref = this.#ref(route.name);
    const size = await this.#blobSize(route.name, d.value);
    const headers: Record<string, string> = {
      "Content-Type": MediaType.OCTET_STREAM,
      "Docker-Content-Digest": d.value,
      "Accept-Ranges": "bytes",
      "Content-Length": String(size),
    };
    if (head) return new Response(null, { status: 200, headers });
    const range = parseRange(req.headers.get("range"), size);
    if (range === "unsatisfiable") {
      throw new ApiError(416, "SIZE_INVALID", "Cannot serve range: outside the blob", {
        headers: { "Content-Range": `bytes */${size}` },
      });
    }
    const what = `${route.name}@${d.value}`;
    const reader = await this.#t.blobOpen(ref, d.value, {
      size,
      range,
      onError: (err) => this.#log(`Cannot serve blob "${what}": ${err.message}`),
    });
    const body = reader.body;
    if (range === undefined) return new Response(body, { status: 200, headers });
    headers["Content-Range"] = `bytes ${range.start}-${range.end}/${size}`;
    headers["Content-Length"] = String(range.end - range.start + 1);
    // A checked file is read for the range only; otherwise the whole file is
    // read (and verified) and the range cut out of it.
    return new Response(reader.ranged ? body : sliceStream(body, range), {
      status: 206,
      headers,
    });
  }

  async #blobSize(name: string, digest: string): Promise<number> {
    try {
      return (await this.#t.blobHead(this.#ref(name), digest)).size;
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new ApiError(404, "BLOB_UNKNOWN", `Cannot find blob "${digest}" in "${name}"`);
      }
      throw err;
    }
  }

  async #blobExists(name: string, digest: string): Promise<boolean> {
    try {
      await this.#t.blobHead(this.#ref(name), digest);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  async #blobDelete(route: Route & { kind: "blob" }): Promise<Response> {
    this.#checkWrite("delete");
    const d = _digestParam(route.digest);
    await this.#requireRepo(route.name);
    try {
      await this.#t.blobDelete(this.#ref(route.name), d.value);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new ApiError(404, "BLOB_UNKNOWN", `Cannot find blob "${d.value}" in "${route.name}"`);
      }
      throw err;
    }
    return new Response(null, { status: 202, headers: { "Content-Length": "0" } });
  }

  // ---- uploads ----

  #blobCreated(name: string, digest: string): Response {
    return new Response(null, {
      status: 201,
      headers: {
        "Location": `/v2/${name}/blobs/${digest}`,
        "Docker-Content-Digest": digest,
        "Content-Length": "0",
      },
    });
  }

  #sessionHeaders(s: UploadSession): Record<string, string> {
    return {
      "Location": `/v2/${s.repo}/blobs/uploads/${s.id}`,
      "Range": `0-${Math.max(0, s.size - 1)}`,
      "Docker-Upload-UUID": s.id,
      "Content-Length": "0",
    };
  }

  async #uploadStart(
    req: Request,
    url: URL,
    route: Route & { kind: "uploadStart" },
  ): Promise<Response> {
    this.#checkWrite("push");
    const params = url.searchParams;
    const algParam = params.get("digest-algorithm");
    let algorithm: DigestAlgorithm = "sha256";
    if (algParam !== null) {
      if (algParam !== "sha256" && algParam !== "sha512") {
        throw new ApiError(400, "DIGEST_INVALID", `Cannot use digest algorithm "${algParam}"`);
      }
      algorithm = algParam;
    }
    const mount = params.get("mount");
    if (mount !== null) {
      const d = _digestParam(mount);
      const done = await this.#mount(route.name, d, params.get("from"));
      if (done) return this.#blobCreated(route.name, d.value);
    }
    const digestParam = params.get("digest");
    if (digestParam !== null) {
      const d = _digestParam(digestParam);
      // The body is read and verified even when the blob exists: the reply
      // then says whether these bytes match, and the connection stays clean.
      const session = await this.#uploads.create(route.name, d.algorithm);
      try {
        await this.#uploads.use(route.name, session.id, async (s) => {
          await this.#uploads.append(s, req.body);
          await this.#finish(s, d);
        });
      } finally {
        await this.#uploads.discard(session);
      }
      return this.#blobCreated(route.name, d.value);
    }
    const session = await this.#uploads.create(route.name, algorithm);
    return new Response(null, { status: 202, headers: this.#sessionHeaders(session) });
  }

  async #mount(name: string, d: Digest, from: string | null): Promise<boolean> {
    if (await this.#blobExists(name, d.value)) return true;
    if (from === null || from === name || !isValidRepoName(from)) return false;
    if (!(await this.#blobExists(from, d.value))) return false;
    await this.#ensureRepo(name);
    try {
      const reader = await this.#t.blobGet(this.#ref(from), d.value);
      await this.#t.blobPut(this.#ref(name), reader.body, {
        digest: d.value,
        size: reader.descriptor.size,
      });
      return true;
    } catch (err) {
      // A corrupt or vanished source blob: the client uploads it instead.
      this.#log(`Cannot mount "${d.value}" from "${from}": ${(err as Error).message}`);
      return false;
    }
  }

  async #upload(req: Request, url: URL, route: Route & { kind: "upload" }): Promise<Response> {
    if (req.method !== "GET") this.#checkWrite("push");
    let d: Digest | undefined;
    if (req.method === "PUT") {
      const param = url.searchParams.get("digest");
      if (param === null) {
        throw new ApiError(400, "DIGEST_INVALID", "Cannot finish upload: ?digest= is required");
      }
      d = _digestParam(param);
    }
    return await this.#uploads.use(route.name, route.id, async (s) => {
      switch (req.method) {
        case "GET": {
          const headers = this.#sessionHeaders(s);
          delete headers["Content-Length"];
          return new Response(null, { status: 204, headers });
        }
        case "DELETE":
          await this.#uploads.discard(s);
          return new Response(null, { status: 204 });
        case "PATCH":
          await this.#appendChunk(req, s);
          return new Response(null, { status: 202, headers: this.#sessionHeaders(s) });
        default: {
          await this.#appendChunk(req, s);
          const digest = d as Digest;
          await this.#finish(s, digest);
          await this.#uploads.discard(s);
          return this.#blobCreated(route.name, digest.value);
        }
      }
    });
  }

  async #appendChunk(req: Request, s: UploadSession): Promise<void> {
    const header = req.headers.get("content-range");
    let expected: number | undefined;
    if (header !== null) {
      const m = header.trim().match(/^(?:bytes[ =])?(\d{1,15})-(\d{1,15})$/);
      if (!m) {
        throw new ApiError(400, "BLOB_UPLOAD_INVALID", `Cannot parse Content-Range "${header}"`);
      }
      const start = Number(m[1]);
      const end = Number(m[2]);
      if (start !== s.size || end < start) {
        throw new ApiError(
          416,
          "BLOB_UPLOAD_INVALID",
          `Cannot append chunk ${start}-${end}: the upload has ${s.size} bytes; resume at ${s.size}`,
          { headers: this.#sessionHeaders(s) },
        );
      }
      expected = end - start + 1;
    }
    await this.#uploads.append(s, req.body, expected);
  }

  /** Verifies the session's bytes against `d` and stores them as a blob. */
  async #finish(s: UploadSession, d: Digest): Promise<void> {
    const actual = d.algorithm === s.algorithm
      ? s.currentDigest()
      : await _hashStream(this.#uploads.stream(s), d.algorithm);
    if (actual !== d.value) {
      await this.#uploads.discard(s);
      throw new ApiError(400, "DIGEST_INVALID", "Cannot finish upload: digest does not match", {
        detail: { expected: d.value, actual },
      });
    }
    if (await this.#blobExists(s.repo, d.value)) return;
    await this.#ensureRepo(s.repo);
    const file = this.#uploads.takeFile(s);
    if (file === undefined) {
      // No bytes: the empty blob.
      await this.#t.blobPut(this.#ref(s.repo), ReadableStream.from([]), {
        digest: d.value,
        size: 0,
      });
      return;
    }
    // The bytes were hashed as they were written: the file is flushed and
    // renamed into the layout, not copied again.
    await this.#t.blobAdopt(this.#ref(s.repo), file, { digest: d.value, size: s.size });
  }

  // ---- listings ----

  async #tags(url: URL, route: Route & { kind: "tags" }): Promise<Response> {
    await this.#requireRepo(route.name);
    const all = (await this.#t.tagList(this.#ref(route.name))).sort(_ascii);
    const { page, link } = paginate(all, url.searchParams, `/v2/${route.name}/tags/list`);
    return _json(200, { name: route.name, tags: page }, link ? { Link: link } : {});
  }

  async #catalog(url: URL): Promise<Response> {
    const all = await listRepositories(this.#fs, this.#dir);
    const { page, link } = paginate(all, url.searchParams, "/v2/_catalog");
    return _json(200, { repositories: page }, link ? { Link: link } : {});
  }

  async #referrers(url: URL, route: Route & { kind: "referrers" }): Promise<Response> {
    const d = _digestParam(route.digest);
    const artifactType = url.searchParams.get("artifactType") ?? undefined;
    let descs: Descriptor[] = [];
    if (await this.#repoExists(route.name)) {
      descs = await this.#t.referrerList(this.#ref(route.name, "", d.value), { artifactType });
    }
    descs.sort((a, b) => _ascii(a.digest, b.digest));
    const last = url.searchParams.get("last");
    if (last !== null) descs = descs.filter((x) => x.digest > last);
    const budget = this.#limits.referrersBytes - 200;
    const page: Descriptor[] = [];
    let used = 0;
    for (const x of descs) {
      const size = JSON.stringify(x).length + 1;
      if (page.length > 0 && used + size > budget) break;
      page.push(x);
      used += size;
    }
    const headers: Record<string, string> = { "Content-Type": MediaType.OCI_INDEX };
    if (artifactType !== undefined) headers["OCI-Filters-Applied"] = "artifactType";
    const tail = page.at(-1);
    if (page.length < descs.length && tail !== undefined) {
      const next = new URLSearchParams({ last: tail.digest });
      if (artifactType !== undefined) next.set("artifactType", artifactType);
      headers["Link"] = `</v2/${route.name}/referrers/${d.value}?${next}>; rel="next"`;
    }
    return _json(
      200,
      { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: page },
      headers,
    );
  }
}

function _ascii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function _digestParam(value: string): Digest {
  try {
    return parseDigest(value);
  } catch {
    throw new ApiError(
      400,
      "DIGEST_INVALID",
      `Cannot use digest "${value}": malformed or unsupported`,
    );
  }
}

function _json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
  head = false,
): Response {
  const body = new TextEncoder().encode(JSON.stringify(value));
  const h = new Headers(headers);
  if (!h.has("Content-Type")) h.set("Content-Type", "application/json");
  h.set("Content-Length", String(body.byteLength));
  return new Response(head ? null : body, { status, headers: h });
}

async function _hashStream(
  body: ReadableStream<Uint8Array>,
  algorithm: DigestAlgorithm,
): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of body) h.update(chunk);
  return `${algorithm}:${h.digest("hex")}`;
}

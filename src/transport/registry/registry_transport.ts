/**
 * The registry transport (`reg` scheme): the OCI distribution API over HTTP
 * with auth, retries, verified reads and the referrers fallback tag.
 *
 * @module
 */
import {
  AbortedError,
  DigestMismatchError,
  InvalidReferenceError,
  ManifestInvalidError,
  NotFoundError,
  OciError,
  RegistryError,
  UnsupportedError,
} from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf, parseDigest } from "../../types/digest.ts";
import {
  type IndexJson,
  type Manifest,
  MANIFEST_READ_LIMIT,
  manifestDescriptor,
  parseManifest,
  subjectOf,
} from "../../types/manifest.ts";
import { isIndexMediaType, MANIFEST_MEDIA_TYPES, MediaType } from "../../types/media_type.ts";
import { commonName, type Ref } from "../../types/ref.ts";
import { filterReferrers, referrersFallbackTag } from "../../types/referrer.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  RawBlob,
  RawBlobSource,
  RawBlobTarget,
  RawPutOptions,
  ReferrerListOptions,
  RepoLister,
  TagListOptions,
  Transport,
} from "../transport.ts";
import { checkManifestPut } from "../transport_checks.ts";
import { readCapped } from "./_body.ts";
import { contentLength, openBlob } from "./_blob_reader.ts";
import { defaultSleep, type Sleep } from "./_limiter.ts";
import { type Credential, RegistryAuth } from "./auth.ts";
import { uploadBlob, uploadRawBlob } from "./blob_upload.ts";
import {
  apiBase,
  type HostConfig,
  orderPullHosts,
  type PullHost,
  pullUrl,
  registryRepository,
  repoUrl,
  type ResolvedHost,
  resolveHost,
} from "./host_config.ts";
import { RegistryHttp, type RegistryLogger, type RegistryRequest } from "./http.ts";
import { parseLinkNext } from "./link_header.ts";
import { buildDeleteTagImage } from "./_delete_tag.ts";

/** Options of {@link RegistryTransport}. */
export interface RegistryTransportOptions {
  /** fetch used for every request. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Host configurations. @default [] */
  hosts?: HostConfig[] | undefined;
  /** User-Agent. @default "ocictl" */
  userAgent?: string | undefined;
  /** Logger. */
  logger?: RegistryLogger | undefined;
  /** Clock in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
  /** Sleep for backoff and rate limits. @default a cancellable timer */
  sleep?: Sleep | undefined;
  /** Credential lookup for hosts without credentials in their config. */
  credentials?: ((host: string) => Promise<Credential | undefined>) | undefined;
  /** Timeout of a token request in milliseconds. @default 30000 */
  tokenTimeout?: number | undefined;
}

/** Options of {@link RegistryTransport.blobPut} beyond the contract. */
export interface RegistryBlobPutOptions extends BlobPutOptions {
  /** Repository on the same registry to mount the blob from (needs `digest`). */
  mountFrom?: string | undefined;
  /**
   * The body already verifies itself against `digest` and `size` (it errors
   * instead of ending cleanly on a mismatch, like every `blobGet` body): its
   * bytes are counted, not hashed a second time. The last chunk is still held
   * back until the body ends cleanly. Ignored without `digest`. @default false
   */
  verified?: boolean | undefined;
  /** The caller has just found the blob missing: skip the existence HEAD. @default false */
  skipHead?: boolean | undefined;
}

/** Options of {@link RegistryTransport.manifestDelete} beyond the contract. */
export interface RegistryManifestDeleteOptions extends CallOptions {
  /**
   * Read the manifest first and, when it has a `subject` and the registry
   * has no referrers API, remove it from the subject's fallback tag index
   * (deleting the tag when the index becomes empty). @default false
   */
  referrers?: boolean | undefined;
}

/** Most read-modify-write rounds of a fallback tag refused with 412. */
const FALLBACK_ROUNDS = 3;

/** Most pages followed by a listing. */
export const MAX_PAGES = 1000;
/** Largest listing page read (16 MiB). */
const LIST_PAGE_LIMIT = 16 * 1024 * 1024;
const ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/**
 * The registry transport.
 *
 * @example Create a transport for a local plain-http registry
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryTransport } from "./registry_transport.ts";
 * const t = new RegistryTransport({ hosts: [{ name: "localhost:5000", tls: "disabled" }] });
 * assert.equal(t.scheme, "reg");
 * await t.close();
 * ```
 */
export class RegistryTransport implements Transport, RepoLister, RawBlobSource, RawBlobTarget {
  /** The scheme this transport serves. */
  readonly scheme = "reg";
  #hosts: HostConfig[];
  #http: RegistryHttp;
  #now: () => number;
  #logger: RegistryLogger | undefined;
  #locks = new Map<string, Promise<void>>();
  /** Hosts that refused a chunked (raw) upload: they get lengths from now on. */
  #wantLength = new Set<string>();
  /** Hosts whose blob bodies came compressed or without a length: no raw reads. */
  #noRawGet = new Set<string>();

  /**
   * Creates a transport for every registry reference.
   * @param options fetch, hosts, user agent, logger, clock, sleep, credentials
   */
  constructor(options: RegistryTransportOptions = {}) {
    const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    const now = options.now ?? Date.now;
    const userAgent = options.userAgent ?? "ocictl";
    this.#hosts = [...(options.hosts ?? [])];
    this.#now = now;
    this.#logger = options.logger;
    const auth = new RegistryAuth({
      fetch: fetchFn,
      now,
      userAgent,
      credentials: options.credentials,
      tokenTimeout: options.tokenTimeout,
    });
    this.#http = new RegistryHttp({
      fetch: fetchFn,
      auth,
      userAgent,
      now,
      sleep: options.sleep ?? defaultSleep,
      logger: options.logger,
    });
  }

  /**
   * Checks that the registry answers `GET /v2/` (authenticating if asked).
   *
   * @param ref any reference on the registry
   * @param options cancellation
   * @returns resolves when the registry answered 200
   * @throws {RegistryError} when it does not
   */
  async ping(ref: Ref, options: CallOptions = {}): Promise<void> {
    const host = this.#host(ref);
    const res = await this.#http.request(host, {
      method: "GET",
      url: apiBase(host),
      action: "ping registry",
      subject: host.name,
      signal: options.signal,
    });
    await res.body?.cancel();
  }

  /**
   * Resolves a manifest to its descriptor with HEAD, falling back to GET when
   * HEAD is disabled or the answer lacks a usable digest or length. Mirrors
   * are tried first (see {@link orderPullHosts}).
   *
   * @param ref the manifest reference
   * @param options cancellation
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  manifestHead(ref: Ref, options: CallOptions = {}): Promise<Descriptor> {
    const r = this.#norm(ref);
    return this.#pull(r, options, (h) => this.#manifestHeadAt(h, r, options));
  }

  /**
   * Reads a manifest; the bytes are verified against `Docker-Content-Digest`
   * and the reference's digest, and capped at 8 MiB. Mirrors are tried first.
   *
   * @param ref the manifest reference
   * @param options cancellation
   * @returns the parsed manifest with its exact bytes
   * @throws {NotFoundError} when it does not exist
   * @throws {DigestMismatchError} when the bytes do not match
   * @throws {SizeLimitError} over 8 MiB
   */
  async manifestGet(ref: Ref, options: CallOptions = {}): Promise<Manifest> {
    const r = this.#norm(ref);
    return (await this.#pull(r, options, (h) => this.#manifestGetAt(h, r, options))).m;
  }

  /**
   * Pushes a manifest to the reference's tag (or its digest when it has no
   * tag). `Content-Type` is the body's media type; the returned digest is
   * verified. A manifest with a subject updates the referrers fallback tag
   * when the registry does not answer `OCI-Subject`.
   *
   * @param ref target reference
   * @param raw manifest bytes
   * @param options media type, cancellation
   * @returns the manifest's descriptor
   * @throws {SizeLimitError} over 4 MiB
   * @throws {ManifestInvalidError} when the bytes are not a manifest
   * @throws {DigestMismatchError} when the registry stored other bytes, or the reference's digest differs
   */
  async manifestPut(
    ref: Ref,
    raw: Uint8Array,
    options: ManifestPutOptions = {},
  ): Promise<Descriptor> {
    const r = this.#norm(ref);
    const { m, subjectHeader } = await this.#putManifest(r, raw, options, {});
    const subject = subjectOf(m);
    if (subject && !subjectHeader) {
      await this.#updateFallback(r, subject.digest, options, (list) => {
        const desc = manifestDescriptor(m);
        if (list.some((d) => d.digest === desc.digest)) return undefined;
        const entry: Descriptor = {
          mediaType: desc.mediaType,
          digest: desc.digest,
          size: desc.size,
        };
        if (desc.artifactType !== undefined) entry.artifactType = desc.artifactType;
        const ann = (m.json as { annotations?: Record<string, string> }).annotations;
        if (ann && Object.keys(ann).length > 0) entry.annotations = { ...ann };
        return [...list, entry];
      });
    }
    return manifestDescriptor(m);
  }

  /**
   * Deletes a manifest by digest. With `referrers`, the manifest is read
   * first and, when it has a subject and the registry has no referrers API,
   * its entry is removed from the subject's fallback tag index (the tag is
   * deleted when the index becomes empty).
   *
   * @param ref reference with a digest
   * @param options `referrers`, cancellation
   * @returns resolves when deleted
   * @throws {InvalidReferenceError} when the reference has no digest
   * @throws {NotFoundError} when it does not exist
   */
  async manifestDelete(ref: Ref, options: RegistryManifestDeleteOptions = {}): Promise<void> {
    if (!ref.digest) {
      throw new InvalidReferenceError(
        commonName(ref),
        "deleting a manifest needs a digest (use tag delete to remove a tag)",
      );
    }
    const r = this.#norm(ref);
    const host = this.#host(r);
    let subject: string | undefined;
    if (options.referrers) {
      const { m } = await this.#manifestGetAt(this.#upstream(r), { ...r, tag: "" }, options);
      subject = subjectOf(m)?.digest;
    }
    const res = await this.#http.request(host, {
      method: "DELETE",
      url: repoUrl(host, r.repository, `manifests/${r.digest}`),
      action: "delete manifest",
      subject: commonName(r),
      repository: r.repository,
      push: true,
      signal: options.signal,
    });
    await res.body?.cancel();
    if (subject === undefined) return;
    const probe = repoUrl(host, r.repository, `referrers/${subject}`);
    const api = await this.#referrersApi(this.#upstream(r), r, probe, options);
    if (api !== undefined) return; // the registry maintains its referrers
    await this.#updateFallback(r, subject, options, (list) => {
      const next = list.filter((d) => d.digest !== r.digest);
      return next.length === list.length ? undefined : next;
    });
  }

  /**
   * Resolves a blob to its descriptor. Mirrors are tried first.
   *
   * @param ref repository reference
   * @param digest blob digest
   * @param options cancellation
   * @returns the descriptor (media type `application/octet-stream`)
   * @throws {NotFoundError} when it does not exist
   */
  blobHead(ref: Ref, digest: string, options: CallOptions = {}): Promise<Descriptor> {
    parseDigest(digest);
    const r = this.#norm(ref);
    return this.#pull(r, options, async (h) => {
      const method = h.host.disableHead ? "GET" : "HEAD";
      const res = await this.#http.request(h.host, _blobRequest(h, r, digest, method, options));
      await res.body?.cancel();
      const size = _encoded(res) ? undefined : contentLength(res);
      if (size === undefined) {
        throw new RegistryError(
          `Cannot get blob "${_repoName(r)}@${digest}": registry returned no usable Content-Length`,
          { status: res.status, method, url: res.url },
        );
      }
      return { mediaType: MediaType.OCTET_STREAM, digest, size };
    });
  }

  /**
   * Opens a blob as a verified stream that resumes with `Range` when the
   * connection breaks. Mirrors are tried first. The request asks for
   * `Accept-Encoding: identity`; a body sent compressed anyway is verified
   * by its decoded bytes.
   *
   * @param ref repository reference
   * @param digest blob digest
   * @param options expected size, cancellation
   * @returns the reader; consume or cancel its body
   * @throws {NotFoundError} when it does not exist
   */
  blobGet(ref: Ref, digest: string, options: BlobGetOptions = {}): Promise<BlobReader> {
    parseDigest(digest);
    const r = this.#norm(ref);
    return this.#pull(r, options, (h) =>
      openBlob({
        http: this.#http,
        host: h.host,
        digest,
        size: options.size,
        request: {
          method: "GET",
          url: pullUrl(h, r.repository, `blobs/${digest}`),
          action: "get blob",
          subject: `${_repoName(r)}@${digest}`,
          repository: r.repository,
          noRetry: h.mirror,
          signal: options.signal,
        },
      }));
  }

  /**
   * Opens a blob's HTTP body as is, for copy's fast path: unchecked (the
   * target checks it), so only a plain body of exactly the expected size
   * qualifies. Mirrors are tried first.
   *
   * @param ref repository reference
   * @param digest blob digest
   * @param options expected size, cancellation
   * @returns the raw blob (consume or cancel its body)
   * @throws {UnsupportedError} when the registry compresses the body, announces
   *   another length or another digest (use `blobGet`, which says precisely)
   * @throws {NotFoundError} when it does not exist
   */
  blobGetRaw(
    ref: Ref,
    digest: string,
    options: CallOptions & { size: number },
  ): Promise<RawBlob> {
    parseDigest(digest);
    const r = this.#norm(ref);
    return this.#pull(r, options, async (h) => {
      const res = await this.#http.request(h.host, _blobRequest(h, r, digest, "GET", options));
      const header = res.headers.get("docker-content-digest")?.trim();
      const plain = res.body !== null && !_encoded(res) && contentLength(res) === options.size &&
        (!header || header === digest || header.split(":")[0] !== digest.split(":")[0]);
      if (!plain) {
        await res.body?.cancel();
        if (_encoded(res) || contentLength(res) === undefined) this.#noRawGet.add(h.host.name);
        const name = `${_repoName(r)}@${digest}`;
        throw new UnsupportedError(
          `Cannot get blob "${name}" raw: the registry's answer needs checking on the way`,
        );
      }
      return { digest, size: options.size, body: res.body };
    });
  }

  /**
   * Tells whether a raw read is worth trying: not from a host that sent a
   * blob compressed or without a length before.
   *
   * @param ref repository reference
   * @returns true when {@link blobGetRaw} may be used
   */
  canGetRaw(ref: Ref): boolean {
    return !this.#noRawGet.has(this.#host(ref).name);
  }

  /**
   * Tells whether a raw (chunked) upload is worth trying: not for hosts set
   * to upload in chunks (`blobMax`), nor after the host refused one (411).
   *
   * @param ref repository reference
   * @returns true when {@link blobPutRaw} may be used
   */
  canPutRaw(ref: Ref): boolean {
    const host = this.#host(ref);
    return host.blobMax < 0 && !this.#wantLength.has(host.name);
  }

  /**
   * Uploads a raw blob in one chunked PUT (see {@link uploadRawBlob}); the
   * registry checks the digest before it commits. A host that answers 411
   * Length Required is remembered ({@link canPutRaw} turns false).
   *
   * @param ref repository reference
   * @param blob the raw blob, or its opening (the POST goes out meanwhile)
   * @param options cancellation
   * @returns the descriptor
   * @throws {RegistryError} the registry refused the upload
   */
  async blobPutRaw(
    ref: Ref,
    blob: RawBlob | Promise<RawBlob>,
    options: RawPutOptions = {},
  ): Promise<Descriptor> {
    const r = this.#norm(ref);
    const host = this.#host(r);
    if (!this.canPutRaw(r)) {
      await Promise.resolve(blob).then((b) => b.body.cancel()).catch(() => {});
      throw new UnsupportedError(
        `Cannot push blob to "${
          _repoName(r)
        }" raw: the host takes uploads with a length or in chunks`,
      );
    }
    try {
      return await uploadRawBlob(blob, {
        http: this.#http,
        host,
        repository: r.repository,
        subject: _repoName(r),
        signal: options.signal,
      });
    } catch (err) {
      if (err instanceof RegistryError && err.status === 411) this.#wantLength.add(host.name);
      throw err;
    }
  }

  /**
   * Uploads a blob (skipped when present, mounted when `mountFrom` is given).
   * A stream of known `size` is sent with `Content-Length` when the fetch is
   * the network seam (deno_fetch.ts), chunked otherwise.
   *
   * @param ref repository reference
   * @param body the bytes
   * @param options expected digest and size, mount source, cancellation
   * @returns the descriptor
   * @throws {DigestMismatchError} bytes with another digest (nothing stored)
   * @throws {SizeMismatchError} bytes with another length (nothing stored)
   */
  blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options: RegistryBlobPutOptions = {},
  ): Promise<Descriptor> {
    const r = this.#norm(ref);
    const host = this.#host(r);
    return uploadBlob(body, {
      http: this.#http,
      host,
      repository: r.repository,
      subject: _repoName(r),
      digest: options.digest,
      size: options.size,
      mountFrom: options.mountFrom === undefined
        ? undefined
        : registryRepository(host, options.mountFrom),
      verified: options.verified,
      skipHead: options.skipHead,
      signal: options.signal,
    });
  }

  /**
   * Deletes a blob.
   *
   * @param ref repository reference
   * @param digest blob digest
   * @param options cancellation
   * @returns resolves when deleted
   * @throws {NotFoundError} when it does not exist
   */
  async blobDelete(ref: Ref, digest: string, options: CallOptions = {}): Promise<void> {
    parseDigest(digest);
    const r = this.#norm(ref);
    const host = this.#host(r);
    const res = await this.#http.request(host, {
      method: "DELETE",
      url: repoUrl(host, r.repository, `blobs/${digest}`),
      action: "delete blob",
      subject: `${_repoName(r)}@${digest}`,
      repository: r.repository,
      push: true,
      signal: options.signal,
    });
    await res.body?.cancel();
  }

  /**
   * Lists tags, following `Link` pagination with loop, host and page guards.
   * Mirrors are tried first.
   *
   * @param ref repository reference
   * @param options `limit` (n), `last`, cancellation
   * @returns tags, sorted
   * @throws {RegistryError} on a looping or cross-host `Link`, or a body that is not JSON
   */
  tagList(ref: Ref, options: TagListOptions = {}): Promise<string[]> {
    const r = this.#norm(ref);
    return this.#pull(
      r,
      options,
      (h) =>
        this.#list(h.host, pullUrl(h, r.repository, "tags/list"), "tags", {
          action: "list tags",
          subject: _repoName(r),
          repository: r.repository,
          scopes: [],
          noRetry: h.mirror,
        }, options),
    );
  }

  /**
   * Lists repositories with `_catalog`.
   *
   * @param ref any reference on the registry
   * @param options `limit` (n), `last`, cancellation
   * @returns repository names, sorted
   * @throws {RegistryError} when the registry refuses or answers garbage
   */
  async repoList(ref: Ref, options: TagListOptions = {}): Promise<string[]> {
    const host = this.#host(ref);
    return await this.#list(host, new URL("_catalog", apiBase(host)), "repositories", {
      action: "list repositories",
      subject: host.name,
      repository: "",
      scopes: ["registry:catalog:*"],
      noRetry: false,
    }, options);
  }

  /**
   * Removes a tag: `DELETE` by tag, else regctl's algorithm (push a unique
   * dummy image to the tag, then delete it by digest).
   *
   * @param ref reference with a tag
   * @param options cancellation
   * @returns resolves when the tag is gone
   * @throws {NotFoundError} when the tag does not exist
   * @throws {InvalidReferenceError} when the reference has no tag
   */
  async tagDelete(ref: Ref, options: CallOptions = {}): Promise<void> {
    if (!ref.tag) {
      throw new InvalidReferenceError(commonName(ref), "deleting a tag needs a tag");
    }
    const r = this.#norm(ref);
    const tagRef: Ref = { ...r, digest: "" };
    const host = this.#host(r);
    try {
      const res = await this.#http.request(host, {
        method: "DELETE",
        url: repoUrl(host, r.repository, `manifests/${r.tag}`),
        action: "delete tag",
        subject: commonName(tagRef),
        repository: r.repository,
        push: true,
        noRetry: true,
        signal: options.signal,
      });
      await res.body?.cancel();
      return;
    } catch (err) {
      if (!(err instanceof OciError)) throw err;
      if (err.code === "ABORTED") throw err;
    }
    // NotFoundError when absent; read from the registry itself, never a mirror.
    const current = await this.#manifestHeadAt(this.#upstream(r), tagRef, options);
    const dummy = buildDeleteTagImage(r.tag, current.mediaType, new Date(this.#now()));
    for (const blob of dummy.blobs) {
      await this.blobPut(r, ReadableStream.from([blob.bytes]), {
        digest: blob.digest,
        size: blob.bytes.byteLength,
        signal: options.signal,
      });
    }
    const { m } = await this.#putManifest(tagRef, dummy.manifest, options, {});
    await this.manifestDelete({ ...r, tag: "", digest: m.digest }, options);
  }

  /**
   * Lists referrers of the reference's digest (resolving a tag first): the
   * referrers API when the registry has it, else the fallback tag. Mirrors
   * are tried first; a mirror with neither moves on to the next host.
   *
   * @param ref reference of the subject
   * @param options artifact type filter, cancellation
   * @returns referrer descriptors
   * @throws {NotFoundError} when a tag reference does not exist
   */
  async referrerList(ref: Ref, options: ReferrerListOptions = {}): Promise<Descriptor[]> {
    const r = this.#norm(ref);
    const digest = r.digest || (await this.manifestHead(r, options)).digest;
    const filter = { artifactType: options.artifactType };
    return await this.#pull(r, options, async (h) => {
      const url = pullUrl(h, r.repository, `referrers/${digest}`);
      if (options.artifactType) url.searchParams.set("artifactType", options.artifactType);
      const api = await this.#referrersApi(h, r, url, options);
      if (api !== undefined) return api.filtered ? api.list : filterReferrers(api.list, filter);
      const fallback = await this.#fallbackIndex(h, r, digest, options);
      if (fallback === undefined && h.mirror) {
        throw new NotFoundError(`Cannot list referrers of "${digest}": the mirror has none`);
      }
      return filterReferrers(fallback?.m.json.manifests ?? [], filter);
    });
  }

  /**
   * Releases resources (none held).
   *
   * @returns resolves at once
   */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #host(ref: Ref): ResolvedHost {
    return resolveHost(this.#hosts, ref.registry);
  }

  #upstream(ref: Ref): PullHost {
    const host = this.#host(ref);
    return { host, mirror: false, ns: host.name };
  }

  /** Docker Hub's `library/` prefix for single-segment repositories. */
  #norm(ref: Ref): Ref {
    const repository = registryRepository(this.#host(ref), ref.repository);
    return repository === ref.repository ? ref : { ...ref, repository };
  }

  /**
   * Runs a pull on each of the reference's hosts in turn (mirrors, then the
   * registry, see {@link orderPullHosts}) until one succeeds. A mirror that
   * fails in any way moves on; the registry's own error wins when every host
   * fails.
   */
  async #pull<T>(ref: Ref, options: CallOptions, fn: (h: PullHost) => Promise<T>): Promise<T> {
    const upstream = this.#host(ref);
    if (upstream.mirrors.length === 0) return await fn(this.#upstream(ref));
    const order = orderPullHosts(this.#hosts, upstream, (n) => this.#http.backingOff(n));
    let upstreamErr: unknown;
    let lastErr: unknown;
    for (const h of order) {
      try {
        return await fn(h);
      } catch (err) {
        if (err instanceof AbortedError || options.signal?.aborted) throw err;
        this.#logger?.debug?.(`${h.mirror ? "Mirror" : "Registry"} "${h.host.name}" failed`, {
          error: String(err),
        });
        if (h.mirror) lastErr = err;
        else upstreamErr = err;
      }
    }
    throw upstreamErr ?? lastErr;
  }

  async #manifestHeadAt(h: PullHost, ref: Ref, options: CallOptions): Promise<Descriptor> {
    if (!h.host.disableHead) {
      const res = await this.#http.request(h.host, {
        ...this.#manifestReq(h, ref, "get manifest", options),
        method: "HEAD",
      });
      await res.body?.cancel();
      const digest = res.headers.get("docker-content-digest")?.trim();
      const size = contentLength(res);
      const mediaType = _mediaType(res);
      const digestOk = digest !== undefined && _validDigest(digest) &&
        (ref.digest === "" || digest === ref.digest);
      if (digestOk && size !== undefined && mediaType) {
        return { mediaType, digest, size };
      }
    }
    return manifestDescriptor((await this.#manifestGetAt(h, ref, options)).m);
  }

  async #manifestGetAt(
    h: PullHost,
    ref: Ref,
    options: CallOptions,
  ): Promise<{ m: Manifest; etag: string | undefined }> {
    const res = await this.#http.request(h.host, {
      ...this.#manifestReq(h, ref, "get manifest", options),
      method: "GET",
    });
    const raw = await readCapped(res, MANIFEST_READ_LIMIT, `manifest "${commonName(ref)}"`);
    const header = res.headers.get("docker-content-digest")?.trim();
    if (header) {
      const alg = parseDigest(header).algorithm;
      const actual = digestOf(raw, alg);
      if (actual !== header) {
        throw new DigestMismatchError(`manifest "${commonName(ref)}"`, header, actual);
      }
    }
    if (ref.digest) {
      const actual = digestOf(raw, parseDigest(ref.digest).algorithm);
      if (actual !== ref.digest) {
        throw new DigestMismatchError(`manifest "${commonName(ref)}"`, ref.digest, actual);
      }
    }
    const m = parseManifest(raw, {
      mediaType: _mediaType(res),
      digest: ref.digest || header || undefined,
    });
    return { m, etag: res.headers.get("etag") ?? undefined };
  }

  async #putManifest(
    ref: Ref,
    raw: Uint8Array,
    options: ManifestPutOptions,
    headers: Record<string, string>,
  ): Promise<{ m: Manifest; subjectHeader: boolean }> {
    const m = checkManifestPut(
      raw,
      { mediaType: options.mediaType, digest: ref.digest },
      `manifest for "${commonName(ref)}"`,
    );
    const host = this.#host(ref);
    const reference = ref.tag || m.digest;
    const res = await this.#http.request(host, {
      method: "PUT",
      url: repoUrl(host, ref.repository, `manifests/${reference}`),
      action: "put manifest",
      subject: commonName(ref),
      repository: ref.repository,
      push: true,
      headers: { ...headers, "Content-Type": m.mediaType },
      body: raw,
      noRetry: headers["If-Match"] !== undefined,
      signal: options.signal,
    });
    await res.body?.cancel();
    const got = res.headers.get("docker-content-digest")?.trim();
    if (
      got && _validDigest(got) && got.split(":")[0] === m.digest.split(":")[0] && got !== m.digest
    ) {
      throw new DigestMismatchError(`manifest pushed to "${commonName(ref)}"`, m.digest, got);
    }
    return { m, subjectHeader: !!res.headers.get("oci-subject") };
  }

  #manifestReq(h: PullHost, ref: Ref, action: string, options: CallOptions) {
    const reference = ref.digest || ref.tag;
    if (!reference) throw new InvalidReferenceError(commonName(ref), "no tag or digest");
    return {
      url: pullUrl(h, ref.repository, `manifests/${reference}`),
      action,
      subject: commonName(ref),
      repository: ref.repository,
      headers: { Accept: ACCEPT },
      noRetry: h.mirror,
      signal: options.signal,
    };
  }

  async #list(
    host: ResolvedHost,
    start: URL,
    key: "tags" | "repositories",
    req: {
      action: string;
      subject: string;
      repository: string;
      scopes: string[];
      noRetry: boolean;
    },
    options: TagListOptions,
  ): Promise<string[]> {
    const url = new URL(start);
    if (options.limit !== undefined) url.searchParams.set("n", String(options.limit));
    if (options.last !== undefined) url.searchParams.set("last", options.last);
    const seenUrls = new Set<string>();
    const out = new Set<string>();
    let next: URL | undefined = url;
    for (let page = 0; next; page++) {
      const fail = (detail: string) =>
        new RegistryError(`Cannot ${req.action} "${req.subject}": ${detail}`, {
          status: 200,
          method: "GET",
          url: next?.href ?? url.href,
        });
      if (page >= MAX_PAGES) throw fail(`more than ${MAX_PAGES} pages`);
      if (seenUrls.has(next.href)) throw fail(`the Link header loops back to "${next.href}"`);
      if (next.origin !== url.origin) {
        throw fail(`the Link header points to another host ("${next.origin}")`);
      }
      seenUrls.add(next.href);
      const res = await this.#http.request(host, {
        ...req,
        method: "GET",
        url: next,
        signal: options.signal,
      });
      const body = await readCapped(res, LIST_PAGE_LIMIT, `${key} list of "${req.subject}"`);
      const names = _jsonStrings(body, key);
      if (names === undefined) {
        throw fail("the registry answered with something that is not a JSON list");
      }
      const before = out.size;
      for (const n of names) out.add(n);
      if (options.limit !== undefined && out.size >= options.limit) break;
      const link = parseLinkNext(res.headers.get("link"), next);
      if (link && seenUrls.has(link.href)) {
        throw fail(`the Link header loops back to "${link.href}"`);
      }
      if (link && out.size === before) break; // no progress: a registry that ignores n/last
      next = link;
    }
    // Some registries (distribution 2.8) ignore `last` without `n`.
    const last = options.last;
    const list = [...out].filter((n) => last === undefined || n > last).sort();
    return options.limit !== undefined ? list.slice(0, options.limit) : list;
  }

  async #referrersApi(
    h: PullHost,
    ref: Ref,
    url: URL,
    options: ReferrerListOptions,
  ): Promise<{ list: Descriptor[]; filtered: boolean } | undefined> {
    const list: Descriptor[] = [];
    let filtered = true;
    const seen = new Set<string>();
    let next: URL | undefined = url;
    for (let page = 0; next && page < MAX_PAGES && !seen.has(next.href); page++) {
      seen.add(next.href);
      if (next.origin !== url.origin) break;
      let res: Response;
      try {
        res = await this.#http.request(h.host, {
          method: "GET",
          url: next,
          noRetry: h.mirror,
          action: "list referrers",
          subject: commonName(ref),
          repository: ref.repository,
          headers: { Accept: MediaType.OCI_INDEX },
          expect: [404],
          signal: options.signal,
        });
      } catch (err) {
        if (
          err instanceof RegistryError && page === 0 &&
          [400, 401, 403, 405, 429].includes(err.status)
        ) {
          return undefined;
        }
        throw err;
      }
      if (res.status === 404) {
        await res.body?.cancel();
        if (page === 0) return undefined;
        break;
      }
      const body = await readCapped(res, MANIFEST_READ_LIMIT, `referrers of "${commonName(ref)}"`);
      let index: Manifest;
      try {
        index = parseManifest(body, { mediaType: MediaType.OCI_INDEX });
      } catch (err) {
        if (page === 0 && err instanceof OciError) return undefined; // HTML or garbage: unsupported
        throw err;
      }
      if (!isIndexMediaType(index.mediaType)) {
        if (page === 0) return undefined;
        break;
      }
      list.push(...(index.json as IndexJson).manifests);
      const applied = (res.headers.get("oci-filters-applied") ?? "").split(",").map((s) =>
        s.trim()
      );
      if (options.artifactType && !applied.includes("artifactType")) filtered = false;
      next = parseLinkNext(res.headers.get("link"), next);
    }
    return { list, filtered };
  }

  async #fallbackIndex(
    h: PullHost,
    ref: Ref,
    subject: string,
    options: CallOptions,
  ): Promise<{ m: Manifest & { json: IndexJson }; etag: string | undefined } | undefined> {
    const tagRef: Ref = { ...ref, tag: referrersFallbackTag(subject), digest: "" };
    let got: { m: Manifest; etag: string | undefined };
    try {
      got = await this.#manifestGetAt(h, tagRef, options);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    // GitLab answers the subject itself for its digest tag (oras-go#1396).
    if (!isIndexMediaType(got.m.mediaType) || got.m.digest === subject) return undefined;
    return { m: got.m as Manifest & { json: IndexJson }, etag: got.etag };
  }

  /**
   * Read-modify-write of a subject's fallback tag on the registry itself,
   * serialised per subject within this transport. `change` returns the new
   * list, or undefined for no change. The PUT carries `If-Match` with the
   * index's ETag when the registry sent one; a 412 (someone else wrote it)
   * starts over, at most {@link FALLBACK_ROUNDS} times. An empty list deletes
   * the tag.
   */
  async #updateFallback(
    ref: Ref,
    subject: string,
    options: CallOptions,
    change: (list: Descriptor[]) => Descriptor[] | undefined,
  ): Promise<void> {
    const key = `${ref.registry}/${ref.repository}@${subject}`;
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(async () => {
      const tagRef: Ref = { ...ref, tag: referrersFallbackTag(subject), digest: "" };
      for (let round = 1;; round++) {
        let current: { m: Manifest; etag: string | undefined } | undefined;
        try {
          current = await this.#manifestGetAt(this.#upstream(ref), tagRef, options);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
        if (
          current && (!isIndexMediaType(current.m.mediaType) || current.m.digest === subject)
        ) {
          throw new ManifestInvalidError(
            `Cannot update referrers of "${subject}": tag "${tagRef.tag}" is not an index`,
          );
        }
        const list = current ? [...(current.m.json as IndexJson).manifests] : [];
        const next = change(list);
        if (next === undefined) return;
        if (next.length === 0) {
          if (current) await this.tagDelete(tagRef, options);
          return;
        }
        const index = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: next };
        const headers: Record<string, string> = {};
        if (current?.etag) headers["If-Match"] = current.etag;
        try {
          await this.#putManifest(
            tagRef,
            new TextEncoder().encode(JSON.stringify(index)),
            options,
            headers,
          );
          return;
        } catch (err) {
          if (!(err instanceof RegistryError && err.status === 412) || round >= FALLBACK_ROUNDS) {
            throw err;
          }
          this.#logger?.debug?.(`Fallback tag "${tagRef.tag}" changed meanwhile, retrying`);
        }
      }
    });
    this.#locks.set(key, run);
    try {
      await run;
    } finally {
      if (this.#locks.get(key) === run) this.#locks.delete(key);
    }
  }
}

function _repoName(ref: Ref): string {
  return `${ref.registry}/${ref.repository}`;
}

function _mediaType(res: Response): string | undefined {
  const ct = res.headers.get("content-type");
  const t = ct?.split(";")[0]?.trim();
  return t ? t : undefined;
}

/** The request of a blob's bytes or size (identity encoding, mirrors not retried). */
function _blobRequest(
  h: PullHost,
  r: Ref,
  digest: string,
  method: "GET" | "HEAD",
  options: CallOptions,
): RegistryRequest {
  return {
    method,
    url: pullUrl(h, r.repository, `blobs/${digest}`),
    action: "get blob",
    subject: `${_repoName(r)}@${digest}`,
    repository: r.repository,
    headers: { "Accept-Encoding": "identity" },
    noRetry: h.mirror,
    signal: options.signal,
  };
}

/** A body sent with a content coding (the length is not the blob's). */
function _encoded(res: Response): boolean {
  const ce = res.headers.get("content-encoding")?.trim().toLowerCase();
  return ce !== undefined && ce !== "" && ce !== "identity";
}

function _validDigest(d: string): boolean {
  try {
    parseDigest(d);
    return true;
  } catch {
    return false;
  }
}

function _jsonStrings(body: Uint8Array, key: string): string[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const list = (json as Record<string, unknown>)[key];
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) return undefined;
  return list.filter((x): x is string => typeof x === "string");
}

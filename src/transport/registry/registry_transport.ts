/**
 * The registry transport (`reg` scheme): the OCI distribution API over HTTP
 * with auth, retries, verified reads and the referrers fallback tag. Blob
 * requests, uploads and regctl's tag delete are loaded on first use (start-up).
 *
 * @module
 */
import { discardBody } from "./_body.ts";
import { InvalidReferenceError, OciError, RegistryError, UnsupportedError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { parseDigest } from "../../types/digest.ts";
import { type Manifest, manifestDescriptor, subjectOf } from "../../types/manifest.ts";
import { commonName, type Ref } from "../../types/ref.ts";
import type {
  BlobGetOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  RawBlob,
  RawBlobSource,
  RawBlobTarget,
  RawGetOptions,
  RawPutOptions,
  ReferrerListOptions,
  RepoLister,
  TagListOptions,
  Transport,
} from "../transport.ts";
import { defaultSleep } from "./_limiter.ts";
import { apiBase, type PullHost, pullUrl, registryRepository, repoUrl } from "./host_config.ts";
import { RegistryHttp } from "./http.ts";
import { listNames } from "./_listing.ts";
import { manifestGetAt, manifestHeadAt, putManifest } from "./_manifest_requests.ts";
import type { FallbackTags } from "./_referrers.ts";
import { takesSourceBodies } from "./wire_headers.ts";
import { cancelRawBlob } from "../byte_source.ts";
import {
  hostOf,
  normRef,
  pullFrom,
  type RegistryContext,
  repoName,
  upstreamOf,
} from "./_registry_context.ts";

import type {
  RegistryBlobPutOptions,
  RegistryManifestDeleteOptions,
  RegistryTransportOptions,
} from "./registry_options.ts";
export type { RegistryBlobPutOptions, RegistryManifestDeleteOptions, RegistryTransportOptions };
export { MAX_PAGES } from "./_listing.ts";

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
  #ctx: RegistryContext;
  #fallback: Promise<FallbackTags> | undefined;
  /** Hosts that refused a chunked (raw) upload: they get lengths from now on. */
  #wantLength = new Set<string>();
  /** Hosts whose blob bodies came compressed or without a length: no raw reads. */
  #noRawGet = new Set<string>();
  /**
   * Raw blobs read through byte sources are uploaded from them, with their
   * length, when the fetch is the network seam (which sends them over the
   * wire fetch); with another fetch they would be wrapped in streams.
   */
  readonly takesByteSources: boolean;

  /**
   * Creates a transport for every registry reference.
   * @param options fetch, hosts, user agent, logger, clock, sleep, credentials
   */
  constructor(options: RegistryTransportOptions = {}) {
    const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.takesByteSources = takesSourceBodies(fetchFn);
    const now = options.now ?? Date.now;
    const userAgent = options.userAgent ?? "ocictl";
    // loaded at the first 401: an open registry never needs it
    const auth = () =>
      import("./auth.ts").then((m) =>
        new m.RegistryAuth({
          fetch: fetchFn,
          now,
          userAgent,
          credentials: options.credentials,
          tokenTimeout: options.tokenTimeout,
        })
      );
    const http = new RegistryHttp({
      fetch: fetchFn,
      auth,
      userAgent,
      now,
      sleep: options.sleep ?? defaultSleep,
      logger: options.logger,
    });
    const { logger, blobLimit } = options;
    this.#ctx = { http, hosts: [...(options.hosts ?? [])], now, logger, blobLimit };
  }

  /** The referrers fallback-tag updater, loaded on first use. */
  #fallbackTags(): Promise<FallbackTags> {
    this.#fallback ??= _referrers().then((m) =>
      new m.FallbackTags(this.#ctx, (r, o) => this.tagDelete(r, o))
    );
    return this.#fallback;
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
    const host = hostOf(this.#ctx, ref);
    const res = await this.#ctx.http.request(host, {
      method: "GET",
      url: apiBase(host),
      action: "ping registry",
      subject: host.name,
      signal: options.signal,
    });
    await discardBody(res);
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
    const r = normRef(this.#ctx, ref);
    return pullFrom(this.#ctx, r, options, (h) => manifestHeadAt(this.#ctx, h, r, options));
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
    const r = normRef(this.#ctx, ref);
    return (await pullFrom(this.#ctx, r, options, (h) => manifestGetAt(this.#ctx, h, r, options)))
      .m;
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
    const r = normRef(this.#ctx, ref);
    const { m, subjectHeader } = await putManifest(this.#ctx, r, raw, options, {});
    const subject = subjectOf(m);
    if (subject && !subjectHeader) {
      const { addingReferrer } = await _referrers();
      await (await this.#fallbackTags()).update(r, subject.digest, options, addingReferrer(m));
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
    const r = normRef(this.#ctx, ref);
    const host = hostOf(this.#ctx, r);
    let subject: string | undefined;
    if (options.referrers) {
      const { m } = await manifestGetAt(
        this.#ctx,
        upstreamOf(this.#ctx, r),
        { ...r, tag: "" },
        options,
      );
      subject = subjectOf(m)?.digest;
    }
    const res = await this.#ctx.http.request(host, {
      method: "DELETE",
      url: repoUrl(host, r.repository, `manifests/${r.digest}`),
      action: "delete manifest",
      subject: commonName(r),
      repository: r.repository,
      push: true,
      signal: options.signal,
    });
    await discardBody(res);
    if (subject === undefined) return;
    const probe = repoUrl(host, r.repository, `referrers/${subject}`);
    const { referrersApi, removingReferrer } = await _referrers();
    const api = await referrersApi(this.#ctx, upstreamOf(this.#ctx, r), r, probe, options);
    if (api !== undefined) return; // the registry maintains its referrers
    await (await this.#fallbackTags()).update(r, subject, options, removingReferrer(r.digest));
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
  async blobHead(ref: Ref, digest: string, options: CallOptions = {}): Promise<Descriptor> {
    parseDigest(digest);
    const r = normRef(this.#ctx, ref);
    const { blobHeadAt } = await import("./_blob_requests.ts");
    return await pullFrom(
      this.#ctx,
      r,
      options,
      (h) => blobHeadAt(this.#ctx, h, r, digest, options),
    );
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
  async blobGet(ref: Ref, digest: string, options: BlobGetOptions = {}): Promise<BlobReader> {
    parseDigest(digest);
    const r = normRef(this.#ctx, ref);
    const { blobGetAt } = await import("./_blob_requests.ts");
    return await pullFrom(
      this.#ctx,
      r,
      options,
      (h) => blobGetAt(this.#ctx, h, r, digest, options),
    );
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
  async blobGetRaw(
    ref: Ref,
    digest: string,
    options: RawGetOptions,
  ): Promise<RawBlob> {
    parseDigest(digest);
    const r = normRef(this.#ctx, ref);
    const onUnfit = (host: string) => this.#noRawGet.add(host);
    const { blobGetRawAt } = await import("./_blob_requests.ts");
    const open = (h: PullHost) => blobGetRawAt(this.#ctx, h, r, digest, { ...options, onUnfit });
    return await pullFrom(this.#ctx, r, options, open);
  }

  /**
   * Tells whether raw reads asked for a byte source come with one: they do
   * when the fetch is the network seam, which reads them off the connection
   * (no proxy, no `tls: insecure`); otherwise they come as a body and are
   * still checked.
   *
   * @param ref repository reference
   * @returns true with the network seam, for a host that is not `tls: insecure`
   */
  offersByteSources(ref: Ref): boolean {
    return this.takesByteSources && hostOf(this.#ctx, ref).tls !== "insecure";
  }

  /**
   * Tells whether a raw read is worth trying: not from a host that sent a
   * blob compressed or without a length before.
   *
   * @param ref repository reference
   * @returns true when {@link blobGetRaw} may be used
   */
  canGetRaw(ref: Ref): boolean {
    return !this.#noRawGet.has(hostOf(this.#ctx, ref).name);
  }

  /**
   * Tells whether a raw (chunked) upload is worth trying: not for hosts set
   * to upload in chunks (`blobMax`), nor after the host refused one (411).
   *
   * @param ref repository reference
   * @returns true when {@link blobPutRaw} may be used
   */
  canPutRaw(ref: Ref): boolean {
    const host = hostOf(this.#ctx, ref);
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
    const r = normRef(this.#ctx, ref);
    const host = hostOf(this.#ctx, r);
    if (!this.canPutRaw(r)) {
      await Promise.resolve(blob).then((b) => cancelRawBlob(b)).catch(() => {});
      const why = "the host takes uploads with a length or in chunks";
      throw new UnsupportedError(`Cannot push blob to "${repoName(r)}" raw: ${why}`);
    }
    try {
      return await (await import("./blob_upload.ts")).uploadRawBlob(blob, {
        http: this.#ctx.http,
        host,
        repository: r.repository,
        subject: repoName(r),
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
  async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options: RegistryBlobPutOptions = {},
  ): Promise<Descriptor> {
    const r = normRef(this.#ctx, ref);
    const host = hostOf(this.#ctx, r);
    return await (await import("./blob_upload.ts")).uploadBlob(body, {
      http: this.#ctx.http,
      host,
      repository: r.repository,
      subject: repoName(r),
      digest: options.digest,
      size: options.size,
      mountFrom: options.mountFrom === undefined
        ? undefined
        : registryRepository(host, options.mountFrom),
      verified: options.verified,
      skipHead: options.skipHead,
      chunkLimit: this.#ctx.blobLimit,
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
    const r = normRef(this.#ctx, ref);
    const host = hostOf(this.#ctx, r);
    const res = await this.#ctx.http.request(host, {
      method: "DELETE",
      url: repoUrl(host, r.repository, `blobs/${digest}`),
      action: "delete blob",
      subject: `${repoName(r)}@${digest}`,
      repository: r.repository,
      push: true,
      signal: options.signal,
    });
    await discardBody(res);
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
    const r = normRef(this.#ctx, ref);
    return pullFrom(
      this.#ctx,
      r,
      options,
      (h) =>
        listNames(this.#ctx, h.host, pullUrl(h, r.repository, "tags/list"), "tags", {
          action: "list tags",
          subject: repoName(r),
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
    const host = hostOf(this.#ctx, ref);
    return await listNames(this.#ctx, host, new URL("_catalog", apiBase(host)), "repositories", {
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
    const r = normRef(this.#ctx, ref);
    const host = hostOf(this.#ctx, r);
    try {
      const res = await this.#ctx.http.request(host, {
        method: "DELETE",
        url: repoUrl(host, r.repository, `manifests/${r.tag}`),
        action: "delete tag",
        subject: commonName({ ...r, digest: "" }),
        repository: r.repository,
        push: true,
        noRetry: true,
        signal: options.signal,
      });
      await discardBody(res);
      return;
    } catch (err) {
      if (!(err instanceof OciError)) throw err;
      if (err.code === "ABORTED") throw err;
    }
    const { deleteTagWithDummy } = await import("./_delete_tag.ts");
    await deleteTagWithDummy(this.#ctx, r, options, this);
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
    const r = normRef(this.#ctx, ref);
    const digest = r.digest || (await this.manifestHead(r, options)).digest;
    const { referrerListAt } = await _referrers();
    return await pullFrom(
      this.#ctx,
      r,
      options,
      (h) => referrerListAt(this.#ctx, h, r, digest, options),
    );
  }

  /**
   * Releases resources (none held).
   *
   * @returns resolves at once
   */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Referrers (API and fallback tag): loaded by the first call that needs them. */
function _referrers(): Promise<typeof import("./_referrers.ts")> {
  return import("./_referrers.ts");
}

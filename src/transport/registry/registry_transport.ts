/**
 * The registry transport (`reg` scheme): the OCI distribution API over HTTP
 * with auth, retries, verified reads and the referrers fallback tag. What a
 * short command (`manifest head`, `manifest get`, `tag ls`, a no-op copy)
 * does not do is loaded on first use, to keep its start-up short: blob reads
 * and uploads, manifest pushes, deletes, listings and referrers.
 *
 * @module
 */
import { discardBody } from "./_body.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import type { Manifest } from "../../types/manifest.ts";
import type { Ref } from "../../types/ref.ts";
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
import { apiBase } from "./host_config.ts";
import { RegistryHttp } from "./http.ts";
import { manifestGetAt, manifestHeadAt } from "./_manifest_requests.ts";
import type { FallbackTags } from "./_referrers.ts";
import { takesSourceBodies } from "./wire_headers.ts";
import { hostOf, normRef, pullFrom, type RegistryContext } from "./_registry_context.ts";

import type {
  RegistryBlobPutOptions,
  RegistryManifestDeleteOptions,
  RegistryTransportOptions,
} from "./registry_options.ts";
export type { RegistryBlobPutOptions, RegistryManifestDeleteOptions, RegistryTransportOptions };

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
    this.#fallback ??= import("./_referrers.ts").then((m) =>
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
    const { pushManifest } = await import("./_manifest_put.ts");
    return await pushManifest(this.#ctx, ref, raw, options, () => this.#fallbackTags());
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
    const { deleteManifest } = await import("./_deletes.ts");
    await deleteManifest(this.#ctx, ref, options, () => this.#fallbackTags());
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
    return await (await import("./_blob_requests.ts")).headBlob(this.#ctx, ref, digest, options);
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
    return await (await import("./_blob_requests.ts")).getBlob(this.#ctx, ref, digest, options);
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
    const { getRawBlob } = await import("./_blob_requests.ts");
    return await getRawBlob(this.#ctx, ref, digest, options, this.#noRawGet);
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
    const fits = this.canPutRaw(ref);
    const { pushRawBlob } = await import("./_blob_writes.ts");
    return await pushRawBlob(this.#ctx, ref, blob, options, fits, this.#wantLength);
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
    return await (await import("./_blob_writes.ts")).pushBlob(this.#ctx, ref, body, options);
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
    await (await import("./_deletes.ts")).deleteBlob(this.#ctx, ref, digest, options);
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
  async tagList(ref: Ref, options: TagListOptions = {}): Promise<string[]> {
    return await (await import("./_listing.ts")).listTags(this.#ctx, ref, options);
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
    return await (await import("./_listing.ts")).listRepositories(this.#ctx, ref, options);
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
    await (await import("./_deletes.ts")).deleteTag(this.#ctx, ref, options, this);
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
    const { listReferrers } = await import("./_referrers.ts");
    return await listReferrers(this.#ctx, ref, options, (r, o) => this.manifestHead(r, o));
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

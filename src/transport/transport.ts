/**
 * The one storage contract every backend implements: registry, OCI layout
 * directory, memory. Cross-transport logic (copy, referrers, sync) is written
 * once against this interface.
 *
 * @module
 */
import type { ByteSource } from "./byte_source.ts";
import type { Descriptor } from "../types/descriptor.ts";
import type { Manifest } from "../types/manifest.ts";
import type { Ref } from "../types/ref.ts";

/** Options every call accepts. */
export interface CallOptions {
  /** Cancels the call. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link Transport.blobHead} and {@link Transport.manifestHead}. */
export interface HeadOptions extends CallOptions {
  /**
   * The caller is about to write into this repository something that
   * references what it finds (a copy skipping a blob or child manifest the
   * target already has): a backend that collects garbage (an OCI layout)
   * keeps it from now until the transport closes, making its lock file if
   * need be. Without it a lookup writes nothing.
   */
  forWrite?: boolean | undefined;
}

/** Options of {@link Transport.manifestPut}. */
export interface ManifestPutOptions extends CallOptions {
  /** Media type of the body (Content-Type). Defaults to the body's `mediaType`. */
  mediaType?: string | undefined;
  /**
   * The manifest is a child of an index being copied: store it without
   * tagging it (ocidir leaves it out of `index.json`).
   */
  child?: boolean | undefined;
}

/** A blob body stream with its descriptor. */
export interface BlobReader {
  /** Descriptor of the blob (digest and size known). */
  descriptor: Descriptor;
  /**
   * The bytes. The stream is verified: it errors on a size or digest mismatch
   * instead of ending cleanly. Consume or cancel it.
   */
  body: ReadableStream<Uint8Array>;
}

/** Options of {@link Transport.blobGet}. */
export interface BlobGetOptions extends CallOptions {
  /** Expected size, when known from a descriptor. */
  size?: number | undefined;
}

/** Options of {@link Transport.blobPut}. */
export interface BlobPutOptions extends CallOptions {
  /** Expected digest: the write fails and stores nothing when the bytes differ. */
  digest?: string | undefined;
  /** Expected size: the write fails and stores nothing when the length differs. */
  size?: number | undefined;
}

/** Options of {@link Transport.tagList}. */
export interface TagListOptions extends CallOptions {
  /** Return at most this many tags. */
  limit?: number | undefined;
  /** Return tags sorted after this one. */
  last?: string | undefined;
}

/** Options of {@link Transport.referrerList}. */
export interface ReferrerListOptions extends CallOptions {
  /** Only referrers with this artifact type. */
  artifactType?: string | undefined;
}

/**
 * The storage contract. Every method takes a {@link Ref}; the repository (or
 * layout directory) comes from it, and for manifests the tag or digest too.
 */
export interface Transport {
  /** The scheme this transport serves. */
  readonly scheme: string;

  /**
   * Resolves a manifest reference to its descriptor without reading the body
   * where the backend allows it.
   * @throws {NotFoundError} when it does not exist
   */
  manifestHead(ref: Ref, options?: HeadOptions): Promise<Descriptor>;
  /**
   * Reads a manifest; the bytes are verified against the digest when the
   * reference has one, and are capped at 8 MiB.
   * @throws {NotFoundError} when it does not exist
   */
  manifestGet(ref: Ref, options?: CallOptions): Promise<Manifest>;
  /**
   * Stores a manifest under the reference's tag (or by digest only when the
   * reference has a digest and no tag). Returns its descriptor.
   */
  manifestPut(ref: Ref, raw: Uint8Array, options?: ManifestPutOptions): Promise<Descriptor>;
  /**
   * Deletes a manifest by digest (the reference must carry a digest).
   * @throws {NotFoundError} when it does not exist
   */
  manifestDelete(ref: Ref, options?: CallOptions): Promise<void>;

  /** Resolves a blob to its descriptor. @throws {NotFoundError} */
  blobHead(ref: Ref, digest: string, options?: HeadOptions): Promise<Descriptor>;
  /** Opens a blob for reading as a verified stream. @throws {NotFoundError} */
  blobGet(ref: Ref, digest: string, options?: BlobGetOptions): Promise<BlobReader>;
  /**
   * Stores a blob from a stream. Nothing is stored when the bytes do not
   * match the expected digest or size, or the stream errors.
   */
  blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor>;
  /** Deletes a blob. @throws {NotFoundError} */
  blobDelete(ref: Ref, digest: string, options?: CallOptions): Promise<void>;

  /** Lists the tags of the repository, sorted. */
  tagList(ref: Ref, options?: TagListOptions): Promise<string[]>;
  /** Removes a tag; the manifest stays reachable by digest. @throws {NotFoundError} */
  tagDelete(ref: Ref, options?: CallOptions): Promise<void>;

  /** Lists the manifests whose `subject` is the reference's digest. */
  referrerList(ref: Ref, options?: ReferrerListOptions): Promise<Descriptor[]>;

  /** Releases resources and runs deferred work (ocidir garbage collection). */
  close(): Promise<void>;
}

/** Optional ability: listing repositories of a registry. */
export interface RepoLister {
  /** Lists repository names. */
  repoList(ref: Ref, options?: TagListOptions): Promise<string[]>;
}

/**
 * Tells whether a transport can list repositories.
 *
 * @param t a transport
 * @returns true when it implements {@link RepoLister}
 */
export function isRepoLister(t: Transport): t is Transport & RepoLister {
  return typeof (t as Partial<RepoLister>).repoList === "function";
}

/**
 * A blob's bytes as a stream that Deno moves without JavaScript (a file or
 * an HTTP body), for copy's fast path: the target checks the bytes against
 * `digest` and `size` before anything is committed (see {@link RawBlobTarget}).
 */
export interface RawBlob {
  /** The blob's digest. */
  digest: string;
  /** The blob's size. */
  size: number;
  /** The bytes, unchecked; consume or cancel. */
  body: ReadableStream<Uint8Array>;
  /**
   * The same bytes read straight into the caller's buffers, when the source
   * offers that (then `body` is only built if asked for): read or cancel one
   * of the two, never both. Exactly `size` bytes come, or a read fails.
   */
  source?: ByteSource | undefined;
}

/** Options of {@link RawBlobSource.blobGetRaw}. */
export interface RawGetOptions extends CallOptions {
  /** The blob's size. */
  size: number;
  /**
   * The target reads a {@link RawBlob.source} when one comes (see
   * {@link RawBlobTarget.takesByteSources}): offer one when possible.
   * @default false
   */
  byteSource?: boolean | undefined;
}

/** Optional ability: opening blobs as {@link RawBlob}s. */
export interface RawBlobSource {
  /**
   * Opens a blob as a raw stream.
   *
   * @throws {UnsupportedError} when this blob cannot be read raw here (use `blobGet`)
   * @throws {NotFoundError} when the blob does not exist
   * @throws {DigestMismatchError} when a local file does not match its digest
   */
  blobGetRaw(ref: Ref, digest: string, options: RawGetOptions): Promise<RawBlob>;
  /**
   * Whether a raw read from this repository is worth trying (false once its
   * host answered in a way that needs checking on the way). Absent: always.
   */
  canGetRaw?: ((ref: Ref) => boolean) | undefined;
  /**
   * Whether a raw read from this repository asked for a byte source
   * ({@link RawGetOptions.byteSource}) usually comes with one. Absent: never.
   */
  offersByteSources?: ((ref: Ref) => boolean) | undefined;
}

/** Options of {@link RawBlobTarget.blobPutRaw}. */
export interface RawPutOptions extends CallOptions {
  /**
   * Hears the bytes stored and checked so far, when the target can tell (a
   * layout hashing its file as it grows); a registry cannot.
   */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** Options of {@link RawBlobTarget.prepareRawPuts}. */
export interface PrepareRawOptions {
  /** The blobs will come with byte sources ({@link RawBlob.source}). @default false */
  byteSources?: boolean | undefined;
}

/** Optional ability: storing {@link RawBlob}s, checked before they are committed. */
export interface RawBlobTarget {
  /** Whether a raw put to this repository is worth trying (false after a refusal). */
  canPutRaw(ref: Ref): boolean;
  /**
   * Reads a {@link RawBlob.source} rather than its body when one comes (a
   * layout hashes and writes each piece as it is read). Absent: never.
   */
  readonly takesByteSources?: boolean | undefined;
  /**
   * Gets ready for raw puts to this repository before the first one comes
   * (a layout starts the worker that hashes its files), and stays ready
   * until the returned function is called. Optional.
   */
  prepareRawPuts?: ((ref: Ref, options?: PrepareRawOptions) => () => void) | undefined;
  /**
   * Stores a raw blob, or the blob a pending `blobGetRaw` opens (a registry
   * then starts its upload session meanwhile; a rejection fails the put).
   * The body is consumed or cancelled in every case. Nothing is committed
   * unless the bytes match the blob's digest and size: an ocidir hashes its
   * temp file before the rename; a registry checks `?digest=` itself when
   * the upload completes (distribution-spec), and its answer is checked.
   *
   * @throws {DigestMismatchError} bytes with another digest (nothing stored)
   * @throws {SizeMismatchError} bytes with another length (nothing stored)
   * @throws {RegistryError} the registry refused the upload
   */
  blobPutRaw(
    ref: Ref,
    blob: RawBlob | Promise<RawBlob>,
    options?: RawPutOptions,
  ): Promise<Descriptor>;
}

/**
 * Runs a preparation (such as {@link RawBlobTarget.prepareRawPuts}) once
 * `ready` fulfils, unless the returned release was called first; the
 * release then also releases what the preparation returned.
 *
 * @param ready what the preparation waits for (a rejection skips it)
 * @param prepare the preparation; returns its release, or nothing
 * @returns the release (call it once)
 *
 * @example A release called before the wait ends skips the preparation
 * ```ts
 * import assert from "node:assert/strict";
 * import { prepareWhen } from "./transport.ts";
 * let prepared = 0;
 * const release = prepareWhen(Promise.resolve(), () => {
 *   prepared++;
 *   return () => prepared--;
 * });
 * release();
 * await Promise.resolve();
 * assert.equal(prepared, 0);
 * ```
 */
export function prepareWhen<T>(
  ready: Promise<T>,
  prepare: (value: T) => (() => void) | undefined,
): () => void {
  let release: (() => void) | undefined;
  let released = false;
  ready.then((value) => {
    if (!released) release = prepare(value);
  }, () => {});
  return () => {
    released = true;
    release?.();
  };
}

/**
 * Tells whether a transport can open raw blobs.
 *
 * @param t a transport
 * @returns true when it implements {@link RawBlobSource}
 */
export function isRawBlobSource<T extends object>(t: T): t is T & RawBlobSource {
  return typeof (t as Partial<RawBlobSource>).blobGetRaw === "function";
}

/**
 * Tells whether a transport can store raw blobs.
 *
 * @param t a transport
 * @returns true when it implements {@link RawBlobTarget}
 */
export function isRawBlobTarget<T extends object>(t: T): t is T & RawBlobTarget {
  return typeof (t as Partial<RawBlobTarget>).blobPutRaw === "function";
}

/**
 * Lets a target that takes raw blobs get ready for them (its
 * {@link RawBlobTarget.prepareRawPuts}) while a copy reads the source
 * manifest: once the target's tag is found missing, or at once when there is
 * no tag to look up. Nothing happens unless both ends move raw blobs.
 *
 * @param source the copy's source transport
 * @param target the copy's target transport
 * @param ref the target reference
 * @param tagLookup the target's tag lookup (undefined: found, or no tag)
 * @param sourceRef the source reference (whether its blobs come with byte sources)
 * @returns the release (call it once the copy ends)
 */
export function prepareRawTarget(
  source: object,
  target: object,
  ref: Ref,
  tagLookup: Promise<Descriptor | undefined> | undefined,
  sourceRef: Ref,
): () => void {
  if (!isRawBlobSource(source) || !isRawBlobTarget(target) || !target.prepareRawPuts) {
    return () => {};
  }
  const prepare = () =>
    target.prepareRawPuts!(ref, {
      byteSources: target.takesByteSources === true &&
        source.offersByteSources?.(sourceRef) === true,
    });
  if (tagLookup === undefined) return prepare();
  return prepareWhen(tagLookup, (found) => found === undefined ? prepare() : undefined);
}

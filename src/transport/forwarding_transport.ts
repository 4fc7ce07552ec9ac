/**
 * The shell of a transport that serves each call through another one: a
 * transport loaded on first use (`src/client.ts`), one configured on first
 * use (the registry), or one that maps references onto another backend
 * (`ocifile` onto `ocidir`). The contract's methods are forwarded here, once;
 * by default to one transport created on the first call (the lazy loading),
 * and a subclass may say otherwise where a call goes
 * ({@link ForwardingTransport.target}) and how it closes.
 *
 * @module
 */
import type { Descriptor } from "../types/descriptor.ts";
import type { Manifest } from "../types/manifest.ts";
import type { Ref } from "../types/ref.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  HeadOptions,
  ManifestPutOptions,
  PrepareRawOptions,
  RawBlob,
  RawBlobSource,
  RawBlobTarget,
  RawGetOptions,
  RawPutOptions,
  ReferrerListOptions,
  TagListOptions,
  Transport,
} from "./transport.ts";
import { prepareWhen } from "./transport.ts";

/** Where a forwarded call goes: the transport and the reference it is given. */
export interface ForwardTarget<T extends Transport> {
  /** The transport serving the call. */
  transport: T;
  /** The reference handed to it. */
  ref: Ref;
}

/**
 * A {@link Transport} that forwards every call of the contract to the
 * transport {@link ForwardingTransport.target} names: by default the one
 * `load` creates on the first call (a failed load is tried again after
 * {@link ForwardingTransport.close}). A body given to `blobPut` is cancelled when no target can be had,
 * so it is never left open.
 *
 * @example A transport loaded on its first call
 * ```ts
 * import assert from "node:assert/strict";
 * import { ForwardingTransport } from "./forwarding_transport.ts";
 * import { MemoryTransport } from "./memory/memory_transport.ts";
 * const t = new ForwardingTransport("memory", () => Promise.resolve(new MemoryTransport()));
 * const ref = { scheme: "reg" as const, registry: "r", repository: "a", path: "", tag: "", digest: "" };
 * const d = await t.blobPut(ref, ReadableStream.from([new Uint8Array([1])]));
 * assert.equal((await t.blobHead(ref, d.digest)).size, 1);
 * ```
 */
export class ForwardingTransport<T extends Transport> implements Transport {
  /** The scheme this transport serves. */
  readonly scheme: string;
  #load: (() => Promise<T>) | undefined;
  #ready: Promise<T> | undefined;
  #loaded: T | undefined;

  /**
   * Creates the shell; nothing is loaded yet.
   *
   * @param scheme the scheme served
   * @param load creates the transport every call goes to, on the first call
   *   (a subclass that overrides {@link ForwardingTransport.target} needs none)
   */
  constructor(scheme: string, load?: () => Promise<T>) {
    this.scheme = scheme;
    this.#load = load;
  }

  /**
   * Names the transport serving a call and the reference it gets: by
   * default the loaded transport, with the caller's reference.
   *
   * @param ref the caller's reference
   * @param _write whether the call changes something
   * @returns the target
   * @throws what loading or configuring the target throws
   */
  protected async target(ref: Ref, _write: boolean): Promise<ForwardTarget<T>> {
    const load = this.#load;
    if (load === undefined) throw new TypeError(`${this.scheme}: no transport to forward to`);
    this.#ready ??= load().then((t) => (this.#loaded = t));
    return { transport: await this.#ready, ref };
  }

  /**
   * The loaded transport when it already exists, for synchronous questions.
   *
   * @returns the transport, or undefined before the first call
   */
  protected loaded(): T | undefined {
    return this.#loaded;
  }

  /**
   * Closes the loaded transport, when one was created. It stays: it can be
   * used again after close, and calls still in flight keep their transport.
   *
   * @returns nothing
   * @throws what the loaded transport's close throws
   */
  async close(): Promise<void> {
    const ready = this.#ready;
    if (!ready) return;
    let t: T;
    try {
      t = await ready;
    } catch {
      this.#ready = undefined; // a failed load is tried again after close
      return;
    }
    await t.close();
  }

  /**
   * Resolves a manifest to its descriptor.
   *
   * @see Transport.manifestHead
   * @param ref reference
   * @param options signal
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  async manifestHead(ref: Ref, options?: HeadOptions): Promise<Descriptor> {
    const to = await this.target(ref, false);
    return to.transport.manifestHead(to.ref, options);
  }

  /**
   * Reads a manifest.
   *
   * @see Transport.manifestGet
   * @param ref reference
   * @param options signal
   * @returns the manifest
   * @throws {NotFoundError} when it does not exist
   */
  async manifestGet(ref: Ref, options?: CallOptions): Promise<Manifest> {
    const to = await this.target(ref, false);
    return to.transport.manifestGet(to.ref, options);
  }

  /**
   * Stores a manifest.
   *
   * @see Transport.manifestPut
   * @param ref reference
   * @param raw exact bytes
   * @param options media type, child, signal
   * @returns the descriptor
   * @throws {ManifestInvalidError} when the body is not a valid manifest
   */
  async manifestPut(ref: Ref, raw: Uint8Array, options?: ManifestPutOptions): Promise<Descriptor> {
    const to = await this.target(ref, true);
    return to.transport.manifestPut(to.ref, raw, options);
  }

  /**
   * Deletes a manifest by digest.
   *
   * @see Transport.manifestDelete
   * @param ref reference with a digest
   * @param options signal (and what the target's delete takes beyond it)
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  async manifestDelete(ref: Ref, options?: CallOptions): Promise<void> {
    const to = await this.target(ref, true);
    return to.transport.manifestDelete(to.ref, options);
  }

  /**
   * Resolves a blob to its descriptor.
   *
   * @see Transport.blobHead
   * @param ref repository
   * @param digest blob digest
   * @param options `forWrite`, signal
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  async blobHead(ref: Ref, digest: string, options?: HeadOptions): Promise<Descriptor> {
    const to = await this.target(ref, false);
    return to.transport.blobHead(to.ref, digest, options);
  }

  /**
   * Opens a blob as a verified stream.
   *
   * @see Transport.blobGet
   * @param ref repository
   * @param digest blob digest
   * @param options size, signal
   * @returns descriptor and body (consume or cancel it)
   * @throws {NotFoundError} when it does not exist
   */
  async blobGet(ref: Ref, digest: string, options?: BlobGetOptions): Promise<BlobReader> {
    const to = await this.target(ref, false);
    return to.transport.blobGet(to.ref, digest, options);
  }

  /**
   * Stores a blob from a stream; the body is cancelled when there is no
   * target to take it.
   *
   * @see Transport.blobPut
   * @param ref repository
   * @param body bytes
   * @param options expected digest and size, signal
   * @returns the descriptor
   * @throws {DigestMismatchError} when the bytes do not match (nothing stored)
   */
  async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor> {
    let to: ForwardTarget<T>;
    try {
      to = await this.target(ref, true);
    } catch (err) {
      await body.cancel(err).catch(() => {});
      throw err;
    }
    return to.transport.blobPut(to.ref, body, options);
  }

  /**
   * Deletes a blob.
   *
   * @see Transport.blobDelete
   * @param ref repository
   * @param digest blob digest
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  async blobDelete(ref: Ref, digest: string, options?: CallOptions): Promise<void> {
    const to = await this.target(ref, true);
    return to.transport.blobDelete(to.ref, digest, options);
  }

  /**
   * Lists tags.
   *
   * @see Transport.tagList
   * @param ref repository
   * @param options limit, last, signal
   * @returns the tags, sorted
   * @throws {NotFoundError} when the repository does not exist
   */
  async tagList(ref: Ref, options?: TagListOptions): Promise<string[]> {
    const to = await this.target(ref, false);
    return to.transport.tagList(to.ref, options);
  }

  /**
   * Removes a tag.
   *
   * @see Transport.tagDelete
   * @param ref reference with a tag
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when the tag does not exist
   */
  async tagDelete(ref: Ref, options?: CallOptions): Promise<void> {
    const to = await this.target(ref, true);
    return to.transport.tagDelete(to.ref, options);
  }

  /**
   * Lists referrers.
   *
   * @see Transport.referrerList
   * @param ref the subject
   * @param options artifact type, signal
   * @returns referrer descriptors
   * @throws {NotFoundError} when the subject does not exist
   */
  async referrerList(ref: Ref, options?: ReferrerListOptions): Promise<Descriptor[]> {
    const to = await this.target(ref, false);
    return to.transport.referrerList(to.ref, options);
  }
}

/**
 * A {@link ForwardingTransport} whose target can also move raw blobs (copy's
 * fast path). Before the target exists, `canPutRaw` and `canGetRaw` answer
 * true: the first raw call loads it, and a refusal falls back to the checked
 * stream.
 */
export class ForwardingRawTransport<T extends Transport & RawBlobSource & RawBlobTarget>
  extends ForwardingTransport<T>
  implements RawBlobSource, RawBlobTarget {
  /**
   * Opens a blob as a raw stream.
   *
   * @see RawBlobSource.blobGetRaw
   * @param ref repository
   * @param digest blob digest
   * @param options expected size, signal
   * @returns the raw blob
   * @throws {UnsupportedError} when this blob cannot be read raw here
   */
  async blobGetRaw(
    ref: Ref,
    digest: string,
    options: RawGetOptions,
  ): Promise<RawBlob> {
    const to = await this.target(ref, false);
    return to.transport.blobGetRaw(to.ref, digest, options);
  }

  /**
   * Whether the loaded source offers byte sources (false before it loads).
   *
   * @see RawBlobSource.offersByteSources
   * @param ref repository
   * @returns the loaded transport's answer
   */
  offersByteSources(ref: Ref): boolean {
    return this.loaded()?.offersByteSources?.(ref) === true;
  }

  /**
   * Tells whether a raw read is worth trying.
   *
   * @see RawBlobSource.canGetRaw
   * @param ref repository
   * @returns the target's answer; true before it exists or when it has no opinion
   */
  canGetRaw(ref: Ref): boolean {
    return this.loaded()?.canGetRaw?.(ref) ?? true;
  }

  /**
   * Tells whether a raw put is worth trying.
   *
   * @see RawBlobTarget.canPutRaw
   * @param ref repository
   * @returns the target's answer, true before it exists
   */
  canPutRaw(ref: Ref): boolean {
    return this.loaded()?.canPutRaw(ref) ?? true;
  }

  /**
   * Whether the loaded target reads byte sources (false before it loads).
   *
   * @see RawBlobTarget.takesByteSources
   */
  get takesByteSources(): boolean {
    return this.loaded()?.takesByteSources === true;
  }

  /**
   * Gets the target ready for raw puts (loading it first when needed).
   *
   * @see RawBlobTarget.prepareRawPuts
   * @param ref repository
   * @param options whether byte sources will come
   * @returns the release (call it once)
   */
  prepareRawPuts(ref: Ref, options?: PrepareRawOptions): () => void {
    // A target that cannot load fails the put itself.
    return prepareWhen(
      this.target(ref, false),
      (to) => to.transport.prepareRawPuts?.(to.ref, options),
    );
  }

  /**
   * Stores a raw blob, checked before it is committed.
   *
   * @see RawBlobTarget.blobPutRaw
   * @param ref repository
   * @param blob the raw blob, or its opening
   * @param options progress, signal
   * @returns the descriptor
   * @throws {DigestMismatchError} when the bytes do not match (nothing stored)
   */
  async blobPutRaw(
    ref: Ref,
    blob: RawBlob | Promise<RawBlob>,
    options?: RawPutOptions,
  ): Promise<Descriptor> {
    const to = await this.target(ref, true);
    return to.transport.blobPutRaw(to.ref, blob, options);
  }
}

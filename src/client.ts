/**
 * The client facade: one object that picks the {@link Transport} for a
 * reference by its scheme and forwards the storage calls to it.
 *
 * @module
 */
import { NotFoundError, UnsupportedError } from "./errors.ts";
import type { Descriptor, Platform } from "./types/descriptor.ts";
import { isIndex, type Manifest } from "./types/manifest.ts";
import { formatPlatform, selectPlatform } from "./types/platform.ts";
import { commonName, type Ref, type RefScheme, withDigest } from "./types/ref.ts";
import { OciDirTransport } from "./transport/ocidir/ocidir_transport.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  ReferrerListOptions,
  TagListOptions,
  Transport,
} from "./transport/transport.ts";

/** Creates the transport serving a scheme. */
export type TransportFactory = (scheme: RefScheme) => Transport;

/** Options of {@link createTransportFactory}. */
export interface TransportFactoryOptions {
  /** Options handed to the OCI layout transport (file-system seam). */
  ocidir?: ConstructorParameters<typeof OciDirTransport>[0];
}

/**
 * The default transport factory: `ocidir` is served by
 * {@link OciDirTransport}; registries are not built yet.
 *
 * @param options options of the transports it creates
 * @returns a factory creating a new transport per call
 * @throws {UnsupportedError} (from the factory) for the `reg` scheme
 *
 * @example Registries are not reachable yet
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTransportFactory } from "./client.ts";
 * assert.throws(() => createTransportFactory()("reg"), { code: "UNSUPPORTED" });
 * ```
 */
export function createTransportFactory(options: TransportFactoryOptions = {}): TransportFactory {
  return (scheme) => {
    if (scheme === "ocidir") return new OciDirTransport(options.ocidir);
    throw new UnsupportedError(
      `Cannot reach registry: registry support is not built yet; use ocidir://`,
    );
  };
}

/** Options of {@link Client}. */
export interface ClientOptions {
  /** Picks the transport per scheme. @default createTransportFactory() */
  transports?: TransportFactory | undefined;
  /** Default signal of every call that does not pass its own. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link Client.resolvePlatform}. */
export interface ResolvePlatformOptions extends CallOptions {
  /** The platform wanted. */
  platform: Platform;
}

/**
 * Forwards storage calls to the transport of each reference's scheme. One
 * transport is created per scheme and reused; {@link Client.close} closes them.
 *
 * @example Reading from an in-memory transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "./client.ts";
 * import { MemoryTransport } from "./transport/memory/memory_transport.ts";
 * import { parseRef } from "./types/ref.ts";
 * const memory = new MemoryTransport();
 * const client = new Client({ transports: () => memory });
 * const raw = new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * );
 * await client.manifestPut(parseRef("ocidir://x:v1"), raw);
 * assert.deepEqual(await client.tagList(parseRef("ocidir://x")), ["v1"]);
 * await client.close();
 * ```
 */
export class Client {
  #factory: TransportFactory;
  #signal: AbortSignal | undefined;
  #transports = new Map<RefScheme, Transport>();

  /** @param options transport factory and default signal */
  constructor(options: ClientOptions = {}) {
    this.#factory = options.transports ?? createTransportFactory();
    this.#signal = options.signal;
  }

  /**
   * Returns the transport serving a reference (created on first use).
   *
   * @param ref reference
   * @returns its transport
   * @throws {UnsupportedError} when the scheme cannot be served (registries, for now)
   */
  transport(ref: Ref): Transport {
    const have = this.#transports.get(ref.scheme);
    if (have) return have;
    let t: Transport;
    try {
      t = this.#factory(ref.scheme);
    } catch (err) {
      if (err instanceof UnsupportedError && ref.scheme === "reg") {
        throw new UnsupportedError(
          `Cannot reach registry "${ref.registry}": registry support is not built yet; use ocidir://`,
        );
      }
      throw err;
    }
    this.#transports.set(ref.scheme, t);
    return t;
  }

  #opts<T extends CallOptions>(options: T | undefined): T {
    return { ...options, signal: options?.signal ?? this.#signal } as T;
  }

  /**
   * Resolves a manifest to its descriptor. @see Transport.manifestHead
   * @param ref reference @param options signal @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  manifestHead(ref: Ref, options?: CallOptions): Promise<Descriptor> {
    return this.transport(ref).manifestHead(ref, this.#opts(options));
  }
  /**
   * Reads a manifest. @see Transport.manifestGet
   * @param ref reference @param options signal @returns the manifest
   * @throws {NotFoundError} when it does not exist
   */
  manifestGet(ref: Ref, options?: CallOptions): Promise<Manifest> {
    return this.transport(ref).manifestGet(ref, this.#opts(options));
  }
  /**
   * Stores a manifest. @see Transport.manifestPut
   * @param ref reference @param raw exact bytes @param options media type, signal
   * @returns its descriptor
   * @throws {ManifestInvalidError} when the body is not a valid manifest
   */
  manifestPut(ref: Ref, raw: Uint8Array, options?: ManifestPutOptions): Promise<Descriptor> {
    return this.transport(ref).manifestPut(ref, raw, this.#opts(options));
  }
  /**
   * Deletes a manifest by digest. @see Transport.manifestDelete
   * @param ref reference with a digest @param options signal @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  manifestDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.transport(ref).manifestDelete(ref, this.#opts(options));
  }
  /**
   * Resolves a blob. @see Transport.blobHead
   * @param ref repository @param digest blob digest @param options signal @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  blobHead(ref: Ref, digest: string, options?: CallOptions): Promise<Descriptor> {
    return this.transport(ref).blobHead(ref, digest, this.#opts(options));
  }
  /**
   * Opens a blob as a verified stream. @see Transport.blobGet
   * @param ref repository @param digest blob digest @param options size, signal
   * @returns descriptor and body (consume or cancel it)
   * @throws {NotFoundError} when it does not exist
   */
  blobGet(ref: Ref, digest: string, options?: BlobGetOptions): Promise<BlobReader> {
    return this.transport(ref).blobGet(ref, digest, this.#opts(options));
  }
  /**
   * Stores a blob from a stream. @see Transport.blobPut
   * @param ref repository @param body bytes @param options expected digest and size, signal
   * @returns its descriptor
   * @throws {DigestMismatchError} when the bytes do not match `digest` (nothing stored)
   */
  blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor> {
    return this.transport(ref).blobPut(ref, body, this.#opts(options));
  }
  /**
   * Deletes a blob. @see Transport.blobDelete
   * @param ref repository @param digest blob digest @param options signal @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  blobDelete(ref: Ref, digest: string, options?: CallOptions): Promise<void> {
    return this.transport(ref).blobDelete(ref, digest, this.#opts(options));
  }
  /**
   * Lists tags. @see Transport.tagList
   * @param ref repository @param options limit, last, signal @returns sorted tags
   * @throws {NotFoundError} when the repository does not exist
   */
  tagList(ref: Ref, options?: TagListOptions): Promise<string[]> {
    return this.transport(ref).tagList(ref, this.#opts(options));
  }
  /**
   * Removes a tag. @see Transport.tagDelete
   * @param ref reference with a tag @param options signal @returns nothing
   * @throws {NotFoundError} when the tag does not exist
   */
  tagDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.transport(ref).tagDelete(ref, this.#opts(options));
  }
  /**
   * Lists referrers. @see Transport.referrerList
   * @param ref reference with a digest @param options artifact type, signal
   * @returns referrer descriptors
   * @throws {NotFoundError} when the repository does not exist
   */
  referrerList(ref: Ref, options?: ReferrerListOptions): Promise<Descriptor[]> {
    return this.transport(ref).referrerList(ref, this.#opts(options));
  }

  /**
   * Resolves a reference to the manifest of one platform: when it names an
   * index, the entry matching the platform is chosen and a reference by its
   * digest is returned; an image manifest resolves to itself.
   *
   * @param ref reference
   * @param options the platform, signal
   * @returns the reference to the platform's manifest and that manifest
   * @throws {NotFoundError} when the index has no entry for the platform
   */
  async resolvePlatform(
    ref: Ref,
    options: ResolvePlatformOptions,
  ): Promise<{ ref: Ref; manifest: Manifest }> {
    const manifest = await this.manifestGet(ref, options);
    if (!isIndex(manifest)) return { ref, manifest };
    const found = selectPlatform(manifest.json.manifests, options.platform);
    if (!found) {
      throw new NotFoundError(
        `Cannot find platform "${formatPlatform(options.platform)}" in "${
          commonName(ref)
        }": the index has no such entry (list them with "manifest get")`,
      );
    }
    const child = withDigest(ref, found.digest);
    return { ref: child, manifest: await this.manifestGet(child, options) };
  }

  /**
   * Closes every transport created (runs ocidir's deferred work).
   *
   * @returns nothing
   * @throws the first error a transport's close threw, after closing all
   */
  async close(): Promise<void> {
    const all = [...this.#transports.values()];
    this.#transports.clear();
    const results = await Promise.allSettled(all.map((t) => t.close()));
    for (const r of results) if (r.status === "rejected") throw r.reason;
  }
}

/**
 * Test-only {@link Transport} wrapper around {@link MemoryTransport} that
 * records every manifest and blob put (reference, options, digest) and can be
 * told to fail blob puts, so tests can check what was written and in which
 * order.
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  ReferrerListOptions,
  TagListOptions,
  Transport,
} from "../transport/transport.ts";
import type { Descriptor } from "../types/descriptor.ts";
import type { Manifest } from "../types/manifest.ts";
import type { Ref } from "../types/ref.ts";

/** One successful manifest put. */
export interface _ManifestPut {
  /** Reference given to `manifestPut`. */
  ref: Ref;
  /** Options given to `manifestPut`. */
  options: ManifestPutOptions | undefined;
  /** Digest stored. */
  digest: string;
}

/** A recording transport backed by {@link MemoryTransport}. */
export class _RecordingTransport implements Transport {
  /** Scheme of the wrapped transport. */
  readonly scheme: string;
  /** The wrapped transport. */
  readonly inner: MemoryTransport = new MemoryTransport();
  /** Successful manifest puts, in order. */
  readonly manifestPuts: _ManifestPut[] = [];
  /** Digests of successful blob puts, in order. */
  readonly blobPuts: string[] = [];
  /** When set, `blobPut` rejects once this many blob puts succeeded. */
  failBlobPutAfter: number | undefined;

  constructor() {
    this.scheme = this.inner.scheme;
  }

  /** Delegates. @param ref reference @param options call options @returns descriptor */
  manifestHead(ref: Ref, options?: CallOptions): Promise<Descriptor> {
    return this.inner.manifestHead(ref, options);
  }

  /** Delegates. @param ref reference @param options call options @returns manifest */
  manifestGet(ref: Ref, options?: CallOptions): Promise<Manifest> {
    return this.inner.manifestGet(ref, options);
  }

  /** Delegates and records. @param ref reference @param raw bytes @param options put options @returns descriptor */
  async manifestPut(ref: Ref, raw: Uint8Array, options?: ManifestPutOptions): Promise<Descriptor> {
    const d = await this.inner.manifestPut(ref, raw, options);
    this.manifestPuts.push({ ref, options, digest: d.digest });
    return d;
  }

  /** Delegates. @param ref reference @param options call options */
  manifestDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.inner.manifestDelete(ref, options);
  }

  /** Delegates. @param ref reference @param digest digest @param options call options @returns descriptor */
  blobHead(ref: Ref, digest: string, options?: CallOptions): Promise<Descriptor> {
    return this.inner.blobHead(ref, digest, options);
  }

  /** Delegates. @param ref reference @param digest digest @param options get options @returns reader */
  blobGet(ref: Ref, digest: string, options?: BlobGetOptions): Promise<BlobReader> {
    return this.inner.blobGet(ref, digest, options);
  }

  /** Delegates, records, or fails on demand. @param ref reference @param body bytes @param options put options @returns descriptor */
  async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor> {
    if (this.failBlobPutAfter !== undefined && this.blobPuts.length >= this.failBlobPutAfter) {
      await body.cancel();
      throw new NotFoundError("Cannot store blob: the recording transport was told to fail");
    }
    const d = await this.inner.blobPut(ref, body, options);
    this.blobPuts.push(d.digest);
    return d;
  }

  /** Delegates. @param ref reference @param digest digest @param options call options */
  blobDelete(ref: Ref, digest: string, options?: CallOptions): Promise<void> {
    return this.inner.blobDelete(ref, digest, options);
  }

  /** Delegates. @param ref reference @param options list options @returns tags */
  tagList(ref: Ref, options?: TagListOptions): Promise<string[]> {
    return this.inner.tagList(ref, options);
  }

  /** Delegates. @param ref reference @param options call options */
  tagDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.inner.tagDelete(ref, options);
  }

  /** Delegates. @param ref reference @param options list options @returns referrers */
  referrerList(ref: Ref, options?: ReferrerListOptions): Promise<Descriptor[]> {
    return this.inner.referrerList(ref, options);
  }

  /** Delegates. */
  close(): Promise<void> {
    return this.inner.close();
  }
}

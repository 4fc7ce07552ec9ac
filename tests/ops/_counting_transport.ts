/**
 * Test helper: a decorator over any transport that counts calls per method
 * and can fail `blobPut` after a number of successful puts.
 *
 * @module
 */
import { RegistryError } from "../../src/errors.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  ReferrerListOptions,
  TagListOptions,
  Transport,
} from "../../src/transport/transport.ts";
import type { Descriptor } from "../../src/types/descriptor.ts";
import type { Manifest } from "../../src/types/manifest.ts";
import type { Ref } from "../../src/types/ref.ts";

/** Names of the counted methods. */
export type CountedMethod =
  | "manifestHead"
  | "manifestGet"
  | "manifestPut"
  | "manifestDelete"
  | "blobHead"
  | "blobGet"
  | "blobPut"
  | "blobDelete"
  | "tagList"
  | "tagDelete"
  | "referrerList";

/** Counts calls of a wrapped transport. */
export class CountingTransport implements Transport {
  /** Scheme of the wrapped transport. */
  readonly scheme: string;
  /** Calls per method. */
  readonly counts: Record<CountedMethod, number> = {
    manifestHead: 0,
    manifestGet: 0,
    manifestPut: 0,
    manifestDelete: 0,
    blobHead: 0,
    blobGet: 0,
    blobPut: 0,
    blobDelete: 0,
    tagList: 0,
    tagDelete: 0,
    referrerList: 0,
  };
  /** Options given to each `blobPut`, in order. */
  readonly blobPutOptions: (BlobPutOptions & { mountFrom?: string })[] = [];
  /** Manifest puts: reference and options. */
  readonly manifestPuts: { ref: Ref; options: ManifestPutOptions | undefined }[] = [];
  /** When set, `blobPut` rejects once this many blob puts succeeded. */
  failBlobPutAfter: number | undefined;
  #inner: Transport;
  #blobPutsOk = 0;

  /** @param inner the transport to wrap */
  constructor(inner: Transport) {
    this.#inner = inner;
    this.scheme = inner.scheme;
  }

  /** Sets every count back to 0. @returns nothing */
  reset(): void {
    for (const k of Object.keys(this.counts) as CountedMethod[]) this.counts[k] = 0;
    this.blobPutOptions.length = 0;
    this.manifestPuts.length = 0;
  }

  /** Sum of the manifest calls. @returns head + get + put */
  manifestCalls(): number {
    return this.counts.manifestHead + this.counts.manifestGet + this.counts.manifestPut;
  }

  /** Counts and delegates. @param ref ref @param options options @returns descriptor */
  manifestHead(ref: Ref, options?: CallOptions): Promise<Descriptor> {
    this.counts.manifestHead++;
    return this.#inner.manifestHead(ref, options);
  }
  /** Counts and delegates. @param ref ref @param options options @returns manifest */
  manifestGet(ref: Ref, options?: CallOptions): Promise<Manifest> {
    this.counts.manifestGet++;
    return this.#inner.manifestGet(ref, options);
  }
  /** Counts and delegates. @param ref ref @param raw bytes @param options options @returns descriptor */
  manifestPut(ref: Ref, raw: Uint8Array, options?: ManifestPutOptions): Promise<Descriptor> {
    this.counts.manifestPut++;
    this.manifestPuts.push({ ref, options });
    return this.#inner.manifestPut(ref, raw, options);
  }
  /** Counts and delegates. @param ref ref @param options options */
  manifestDelete(ref: Ref, options?: CallOptions): Promise<void> {
    this.counts.manifestDelete++;
    return this.#inner.manifestDelete(ref, options);
  }
  /** Counts and delegates. @param ref ref @param digest digest @param options options @returns descriptor */
  blobHead(ref: Ref, digest: string, options?: CallOptions): Promise<Descriptor> {
    this.counts.blobHead++;
    return this.#inner.blobHead(ref, digest, options);
  }
  /** Counts and delegates. @param ref ref @param digest digest @param options options @returns reader */
  blobGet(ref: Ref, digest: string, options?: BlobGetOptions): Promise<BlobReader> {
    this.counts.blobGet++;
    return this.#inner.blobGet(ref, digest, options);
  }
  /** Counts and delegates (or fails). @param ref ref @param body bytes @param options options @returns descriptor */
  async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor> {
    this.counts.blobPut++;
    this.blobPutOptions.push({ ...options });
    if (this.failBlobPutAfter !== undefined && this.#blobPutsOk >= this.failBlobPutAfter) {
      await body.cancel();
      throw new RegistryError("Cannot push blob: injected failure", {
        status: 500,
        method: "PUT",
        url: "test://",
      });
    }
    const d = await this.#inner.blobPut(ref, body, options);
    this.#blobPutsOk++;
    return d;
  }
  /** Counts and delegates. @param ref ref @param digest digest @param options options */
  blobDelete(ref: Ref, digest: string, options?: CallOptions): Promise<void> {
    this.counts.blobDelete++;
    return this.#inner.blobDelete(ref, digest, options);
  }
  /** Counts and delegates. @param ref ref @param options options @returns tags */
  tagList(ref: Ref, options?: TagListOptions): Promise<string[]> {
    this.counts.tagList++;
    return this.#inner.tagList(ref, options);
  }
  /** Counts and delegates. @param ref ref @param options options */
  tagDelete(ref: Ref, options?: CallOptions): Promise<void> {
    this.counts.tagDelete++;
    return this.#inner.tagDelete(ref, options);
  }
  /** Counts and delegates. @param ref ref @param options options @returns referrers */
  referrerList(ref: Ref, options?: ReferrerListOptions): Promise<Descriptor[]> {
    this.counts.referrerList++;
    return this.#inner.referrerList(ref, options);
  }
  /** Delegates. @returns nothing */
  close(): Promise<void> {
    return this.#inner.close();
  }
}

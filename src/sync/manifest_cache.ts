/**
 * regsync's manifest cache (`defaults.cacheCount` with `defaults.cacheTime`,
 * regclient's `reg.WithCache`): manifests read or written on a registry are
 * kept by repository and digest, so a later read of the same digest (a
 * platform child shared by several tags or steps) costs no request. Reads by
 * tag always go to the registry, as in regclient; entries expire after the
 * cache time and the least recently used go first beyond the count.
 *
 * @module
 */
import type { CallOptions, ManifestPutOptions, Transport } from "../transport/transport.ts";
import { type Manifest, manifestDescriptor } from "../types/manifest.ts";
import type { Ref } from "../types/ref.ts";
import type { Descriptor } from "../types/descriptor.ts";

/** Options of {@link ManifestCache}. */
export interface ManifestCacheOptions {
  /** Most entries kept. */
  count: number;
  /** Milliseconds an entry lives. */
  ttlMs: number;
  /** Clock. @default Date.now */
  now?: (() => number) | undefined;
}

/**
 * A manifest cache shared by every transport it wraps.
 *
 * @example A second read of a digest is served from the cache
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { buildSampleImages } from "../sample/sample_images.ts";
 * import { parseRef, withDigest } from "../types/ref.ts";
 * import { ManifestCache } from "./manifest_cache.ts";
 * const inner = new MemoryTransport();
 * const repo = parseRef("example.com/a");
 * const sample = await buildSampleImages(inner, repo);
 * let gets = 0;
 * const counted = Object.assign(Object.create(inner), {
 *   manifestGet: (r: typeof repo) => (gets++, inner.manifestGet(r)),
 * });
 * const t = new ManifestCache({ count: 10, ttlMs: 60_000 }).wrap(counted);
 * await t.manifestGet(withDigest(repo, sample.index.digest));
 * await t.manifestGet(withDigest(repo, sample.index.digest));
 * assert.equal(gets, 1);
 * ```
 */
export class ManifestCache {
  #count: number;
  #ttl: number;
  #now: () => number;
  /** Key → entry; a Map keeps insertion order, refreshed on use (LRU). */
  #entries = new Map<string, { m: Manifest; at: number }>();
  #wrapped = new WeakMap<Transport, Transport>();

  /**
   * Creates an empty cache.
   *
   * @param options size, lifetime and clock
   */
  constructor(options: ManifestCacheOptions) {
    this.#count = options.count;
    this.#ttl = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Entries held now (expired ones included until touched). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The transport with manifest reads by digest served from the cache; every
   * other method (and optional ability) is the transport's own.
   *
   * @param t a transport
   * @returns the caching view (the same view for the same transport)
   * @throws never
   */
  wrap(t: Transport): Transport {
    const known = this.#wrapped.get(t);
    if (known !== undefined) return known;
    const get = async (ref: Ref, options?: CallOptions): Promise<Manifest> => {
      const hit = ref.digest !== "" ? this.#get(ref, ref.digest) : undefined;
      if (hit !== undefined) return hit;
      const m = await t.manifestGet(ref, options);
      this.#set(ref, m);
      return m;
    };
    const head = (ref: Ref, options?: CallOptions): Promise<Descriptor> => {
      const hit = ref.digest !== "" ? this.#get(ref, ref.digest) : undefined;
      return hit !== undefined
        ? Promise.resolve(manifestDescriptor(hit))
        : t.manifestHead(ref, options);
    };
    const put = async (ref: Ref, raw: Uint8Array, options?: ManifestPutOptions) => {
      const d = await t.manifestPut(ref, raw, options);
      this.#entries.delete(_key(ref, d.digest));
      return d;
    };
    const del = async (ref: Ref, options?: CallOptions): Promise<void> => {
      if (ref.digest !== "") this.#entries.delete(_key(ref, ref.digest));
      await t.manifestDelete(ref, options);
    };
    const own: Record<string, unknown> = {
      manifestGet: get,
      manifestHead: head,
      manifestPut: put,
      manifestDelete: del,
    };
    const view = new Proxy(t, {
      get(target, prop) {
        if (typeof prop === "string" && prop in own) return own[prop];
        const v = Reflect.get(target, prop);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    this.#wrapped.set(t, view);
    return view;
  }

  #get(ref: Ref, digest: string): Manifest | undefined {
    const key = _key(ref, digest);
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    if (this.#now() - e.at >= this.#ttl) return undefined;
    this.#entries.set(key, e);
    return e.m;
  }

  #set(ref: Ref, m: Manifest): void {
    const key = _key(ref, m.digest);
    this.#entries.delete(key);
    this.#entries.set(key, { m, at: this.#now() });
    while (this.#entries.size > this.#count) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}

function _key(ref: Ref, digest: string): string {
  return `${ref.scheme}\n${ref.registry}\n${ref.repository}\n${ref.path}\n${digest}`;
}

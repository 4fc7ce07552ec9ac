/**
 * Image copy between any two transports (regclient's `ImageCopy`), written
 * once against the {@link Transport} contract: children before parents,
 * manifests as their exact bytes, blobs streamed and skipped when present,
 * cross-repository mounts on one registry, retag only within a repository.
 *
 * @module
 */
import {
  AbortedError,
  DigestMismatchError,
  ManifestInvalidError,
  NotFoundError,
} from "../errors.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { isIndex, type Manifest, manifestReferences } from "../types/manifest.ts";
import { isManifestMediaType, MediaType } from "../types/media_type.ts";
import { formatPlatform, selectPlatform } from "../types/platform.ts";
import {
  commonName,
  equalRepository,
  type Ref,
  withDigest,
  withoutReference,
  withTag,
} from "../types/ref.ts";
import { filterReferrers, type ReferrerFilter, referrersFallbackTag } from "../types/referrer.ts";
import { prepareRawTarget } from "../transport/transport.ts";
import type { CopyBlobResult } from "./blob_copy.ts";
import type { CopyHooks, CopySource, CopyTarget, ReadOnlyTransport } from "./copy_endpoint.ts";
import { wrapCopyError } from "./copy_error.ts";
import {
  type CopyPrecheck,
  headTarget,
  manifestEvent,
  precheckCopy,
  upToDateResult,
  validateCopyOptions,
} from "./copy_precheck.ts";
import { _Limiter } from "./_limiter.ts";

/**
 * Default number of concurrent transfers (blobs, and manifest requests) of a
 * copy: 6, matching the registry hosts' default request concurrency (skopeo
 * also moves 6 layers at once).
 */
export const DEFAULT_COPY_CONCURRENCY = 6;

/** Options of {@link copyImage}. */
export interface CopyOptions extends CopyHooks {
  /** Copy only the manifest of this platform (resolved in an index). */
  platform?: Platform | undefined;
  /**
   * Copy only these platforms of an index, as a real filtered index with a
   * new digest ({@link CopyResult.filtered} says so).
   */
  platforms?: readonly Platform[] | undefined;
  /** Copy the referrers of every copied manifest, recursively. @default false */
  referrers?: boolean | undefined;
  /** Copy only referrers matching one of these filters (none: every referrer). */
  referrerFilters?: readonly ReferrerFilter[] | undefined;
  /** Read referrers from this repository instead of the source (needs `referrers`). */
  referrersSrc?: CopySource | undefined;
  /** Write referrers to this repository instead of the target (needs `referrers`). */
  referrersTgt?: CopyTarget | undefined;
  /** Copy the source's `<alg>-<hex>*` tags of copied manifests. @default false */
  digestTags?: boolean | undefined;
  /** Copy layers that carry `urls` (foreign layers) too. @default false */
  includeExternal?: boolean | undefined;
  /** Walk and repair every child even when the target already has the manifest. @default false */
  forceRecursive?: boolean | undefined;
  /** When the target already has the digest, skip referrer and digest-tag checks too. @default false */
  fast?: boolean | undefined;
  /**
   * Shared by the copies of one run (sync): a blob another copy is moving, or
   * has moved, to the same target registry is awaited and then taken from
   * there (mounted, or found present) instead of fetched from the source again.
   * Create one with `new Map()`; ocictl fills it.
   */
  sharedBlobs?: SharedBlobs | undefined;
  /** Concurrent transfers. @default DEFAULT_COPY_CONCURRENCY */
  concurrency?: number | undefined;
  /** Cancels the copy. */
  signal?: AbortSignal | undefined;
}

/** Blobs copied by the copies of one run, keyed by target registry and digest (see {@link CopyOptions.sharedBlobs}). */
export type SharedBlobs = Map<string, { done: Promise<void>; at: CopyTarget }>;

/** What {@link copyImage} did. */
export interface CopyResult {
  /** The target reference written (as given, with the copied digest added). */
  target: Ref;
  /** Digest now at the target. */
  digest: string;
  /** Media type of the copied manifest. */
  mediaType: string;
  /** Size of the copied manifest. */
  size: number;
  /** Digest of the source manifest the reference named (before platform selection or filtering). */
  sourceDigest: string;
  /** True when `platforms` dropped entries, so {@link digest} differs from the source. */
  filtered: boolean;
  /** True when the target already had the digest and nothing was pushed for it. */
  skipped: boolean;
  /** Manifests pushed. */
  manifests: number;
  /** Blobs streamed. */
  blobs: number;
  /** Blobs mounted from another repository of the same registry. */
  mounted: number;
  /** Bytes streamed. */
  bytes: number;
}

/**
 * Copies an image (manifest, index and children, blobs; optionally referrers
 * and digest tags) from one reference to another.
 *
 * @param src source transport and reference (read only)
 * @param dst target transport and reference (tag, or digest)
 * @param options platform selection, referrers, digest tags, hooks, cancellation
 * @param precheck what {@link precheckCopy} found, when the caller ran it
 *   first (to skip loading this engine for a no-op copy); run here otherwise
 * @returns what was copied
 * @throws {UsageError} conflicting options (`platform` with `platforms`, `referrersSrc` without `referrers`)
 * @throws {NotFoundError} a wanted platform is not in the index
 * @throws {DigestMismatchError} the target reference has a digest other than the one copied
 * @throws {CopyError} a transport call failed (`side` and `op` say which; `code` is the cause's)
 * @throws {AbortedError} when cancelled
 *
 * @example Copy the sample index between two repositories
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { buildSampleImages } from "../sample/sample_images.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { copyImage } from "./copy.ts";
 * const t = new MemoryTransport();
 * const sample = await buildSampleImages(t, parseRef("example.com/a"));
 * const r = await copyImage(
 *   { transport: t, ref: parseRef("example.com/a:v1") },
 *   { transport: t, ref: parseRef("example.com/b:v1") },
 * );
 * assert.equal(r.digest, sample.index.digest);
 * ```
 */
export function copyImage(
  src: CopySource,
  dst: CopyTarget,
  options: CopyOptions = {},
  precheck?: CopyPrecheck,
): Promise<CopyResult> {
  return new _Copier(src, dst, options).run(precheck);
}

interface _Stats {
  manifests: number;
  blobs: number;
  mounted: number;
  bytes: number;
}

/** One copy run: the seen-sets and counters. */
class _Copier {
  #src: CopySource;
  #dst: CopyTarget;
  #o: CopyOptions;
  #signal: AbortSignal;
  #blobs: _Limiter;
  #requests: _Limiter;
  #done = new Map<string, Promise<void>>();
  #referrersDone = new Map<string, Promise<void>>();
  #visited = new Set<string>();
  #stats: _Stats = { manifests: 0, blobs: 0, mounted: 0, bytes: 0 };
  #controller = new AbortController();
  #first: { err: unknown } | undefined;

  constructor(src: CopySource, dst: CopyTarget, options: CopyOptions) {
    this.#src = { transport: src.transport, ref: withoutReference(src.ref) };
    this.#dst = { transport: dst.transport, ref: withoutReference(dst.ref) };
    this.#o = options;
    // The caller's signal aborts this copy's controller (listened to only
    // while the copy runs). Not AbortSignal.any: its first use costs a
    // start-up about 0.6 ms, and a no-op copy is a start-up.
    this.#signal = this.#controller.signal;
    this.#outer = options.signal;
    const n = options.concurrency ?? DEFAULT_COPY_CONCURRENCY;
    this.#blobs = new _Limiter(n);
    this.#requests = new _Limiter(n);
    this.#srcRef = src.ref;
    this.#dstRef = dst.ref;
  }

  #srcRef: Ref;
  #dstRef: Ref;
  #outer: AbortSignal | undefined;

  async run(precheck: CopyPrecheck | undefined): Promise<CopyResult> {
    validateCopyOptions(this.#o);
    const outer = this.#outer;
    const onAbort = () => this.#controller.abort(outer?.reason);
    if (outer?.aborted) onAbort();
    outer?.addEventListener("abort", onAbort, { once: true });
    try {
      this.#check();
      const pre = precheck ??
        await precheckCopy({ transport: this.#src.transport, ref: this.#srcRef }, {
          transport: this.#dst.transport,
          ref: this.#dstRef,
        }, { ...this.#o, signal: this.#signal });
      return await this.#run(pre);
    } catch (err) {
      throw this.#first?.err ?? err;
    } finally {
      // a sync server's signal outlives thousands of copies
      outer?.removeEventListener("abort", onAbort);
    }
  }

  /** Runs every started task to its end; the first failure aborts the others and is thrown. */
  async #all(tasks: Promise<void>[]): Promise<void> {
    const settled = await Promise.allSettled(tasks.map((t) =>
      t.catch((err) => {
        this.#fail(err);
        throw err;
      })
    ));
    for (const r of settled) if (r.status === "rejected") throw this.#first?.err ?? r.reason;
  }

  /** Records the first failure and cancels the running tasks. */
  #fail(err: unknown): void {
    if (this.#first !== undefined) return;
    this.#first = { err };
    this.#controller.abort(err);
  }

  async #run(pre: CopyPrecheck): Promise<CopyResult> {
    this.#check();
    // A tagged target is looked up while the source is read (one round trip less).
    const early = pre.target;
    early?.catch(() => {}); // awaited below, or dropped when the source fails
    const release = prepareRawTarget(
      this.#src.transport,
      this.#dst.transport,
      this.#dst.ref,
      early,
      this.#src.ref,
    );
    try {
      return await this.#copyTop(early, pre.upToDate);
    } finally {
      release();
    }
  }

  async #copyTop(
    early: Promise<Descriptor | undefined> | undefined,
    headed: Descriptor | undefined,
  ): Promise<CopyResult> {
    if (headed !== undefined) {
      return await this.#skipUpToDate(headed, upToDateResult(headed, this.#dstRef));
    }
    const named = await this.#get(this.#src, this.#srcRef);
    let top = named;
    let filtered = false;
    if (this.#o.platform !== undefined && isIndex(named)) {
      const found = selectPlatform(named.json.manifests, this.#o.platform);
      if (found === undefined) {
        throw new NotFoundError(
          `Cannot find platform "${formatPlatform(this.#o.platform)}" in "${
            commonName(this.#srcRef)
          }": the index has no such entry (list them with "manifest get")`,
        );
      }
      top = await this.#get(this.#src, withDigest(this.#src.ref, found.digest));
    } else if (this.#o.platforms !== undefined && isIndex(named)) {
      const { filterIndex } = await import("./platform_filter.ts");
      const f = await filterIndex(named, this.#o.platforms);
      top = f.manifest;
      filtered = f.changed;
    }
    const target = this.#targetRef(top);
    const existing = early !== undefined ? await early : await this.#head(this.#dst, target);
    const upToDate = existing?.digest === top.digest;
    const result = (skipped: boolean): CopyResult => ({
      target: { ...this.#dstRef, digest: top.digest },
      digest: top.digest,
      mediaType: top.mediaType,
      size: top.size,
      sourceDigest: named.digest,
      filtered,
      skipped,
      ...this.#stats,
    });
    if (upToDate && (this.#o.fast === true || this.#o.forceRecursive !== true)) {
      return await this.#skipUpToDate(top, result(true));
    }
    await this.#copyTree(top, this.#src, this.#dst, target, false, new Set());
    await this.#copyDigestTags();
    return result(false);
  }

  /** Ends a copy whose target already has the top manifest (referrers and digest tags still follow). */
  async #skipUpToDate(
    top: { digest: string; size: number; mediaType?: string | undefined },
    result: CopyResult,
  ): Promise<CopyResult> {
    this.#o.onSkip?.(manifestEvent(top), "exists");
    this.#visited.add(top.digest);
    if (this.#o.fast === true) return result;
    if (this.#o.referrers === true) await this.#copyReferrers(top.digest, new Set([top.digest]));
    await this.#copyDigestTags();
    return { ...result, ...this.#stats };
  }

  /** The reference the top manifest is pushed to: the target's tag, else its digest. */
  #targetRef(top: Manifest): Ref {
    const d = this.#dstRef;
    if (d.digest !== "" && d.digest !== top.digest) {
      throw new DigestMismatchError(
        `target "${commonName(d)}" of the copy`,
        d.digest,
        top.digest,
      );
    }
    return d.tag !== "" ? withTag(this.#dst.ref, d.tag) : withDigest(this.#dst.ref, top.digest);
  }

  /** Copies a manifest's children (unless same repository), then pushes it. */
  async #copyTree(
    m: Manifest,
    src: CopySource,
    dst: CopyTarget,
    putRef: Ref,
    child: boolean,
    ancestors: ReadonlySet<string>,
  ): Promise<void> {
    this.#check();
    this.#visited.add(m.digest);
    const chain = new Set(ancestors).add(m.digest);
    if (!_sameRepository(src, dst)) {
      if (isIndex(m)) {
        await this.#all(
          m.json.manifests.map((d) => this.#copyDescriptor(d, src, dst, true, chain)),
        );
      } else {
        await this.#all(_blobsOf(m).map((d) => this.#copyBlob(d, src, dst)));
      }
    }
    await this.#put(dst, putRef, m, child);
    if (this.#o.referrers === true) await this.#copyReferrers(m.digest, chain);
  }

  /** Copies a child descriptor: a manifest (recursively) or a blob. */
  #copyDescriptor(
    d: Descriptor,
    src: CopySource,
    dst: CopyTarget,
    child: boolean,
    ancestors: ReadonlySet<string>,
  ): Promise<void> {
    if (!isManifestMediaType(d.mediaType)) return this.#copyBlob(d, src, dst);
    if (ancestors.has(d.digest)) {
      return Promise.reject(
        new ManifestInvalidError(
          `Cannot copy "${
            commonName(this.#srcRef)
          }": manifest "${d.digest}" refers to itself (loop)`,
        ),
      );
    }
    const key = `m|${_key(dst)}|${d.digest}`;
    const have = this.#done.get(key);
    if (have !== undefined) return have;
    const p = (async () => {
      const ref = withDigest(dst.ref, d.digest);
      if (
        this.#o.forceRecursive !== true && !_sameRepository(src, dst) &&
        (await this.#head(dst, ref))?.digest === d.digest
      ) {
        this.#visited.add(d.digest);
        this.#o.onSkip?.(manifestEvent(d), "exists");
        if (this.#o.referrers === true) await this.#copyReferrers(d.digest, ancestors);
        return;
      }
      const m = await this.#get(src, withDigest(src.ref, d.digest));
      await this.#copyTree(m, src, dst, ref, child, ancestors);
    })();
    this.#done.set(key, p);
    return p;
  }

  /** Copies a blob once per target, bounded, skipping foreign layers unless asked. */
  #copyBlob(d: Descriptor, src: CopySource, dst: CopyTarget): Promise<void> {
    if ((d.urls?.length ?? 0) > 0 && this.#o.includeExternal !== true) {
      this.#o.onSkip?.(manifestEvent(d), "external");
      return Promise.resolve();
    }
    const key = `b|${_key(dst)}|${d.digest}`;
    const have = this.#done.get(key);
    if (have !== undefined) return have;
    const shared = this.#o.sharedBlobs;
    const sharedKey = `${dst.ref.scheme === "reg" ? dst.ref.registry : _key(dst)}|${d.digest}`;
    const prior = shared?.get(sharedKey);
    const p = this.#blobs.run(async () => {
      this.#check();
      let from = src;
      if (prior !== undefined && prior.at.transport === dst.transport) {
        // Another copy of this run moves it to the same registry: take it from there.
        if (await prior.done.then(() => true, () => false)) from = prior.at;
        this.#check();
      }
      let r: CopyBlobResult;
      try {
        // the blob copier loads with the first blob: a copy the target already has moves none
        const { copyBlob } = await import("./blob_copy.ts");
        r = await copyBlob(from, dst, d.digest, {
          size: d.size >= 0 ? d.size : undefined,
          mediaType: d.mediaType,
          signal: this.#signal,
          onStart: this.#o.onStart,
          onSkip: this.#o.onSkip,
          onProgress: this.#o.onProgress,
          onDone: this.#o.onDone,
          onFallback: this.#o.onFallback,
        });
      } catch (err) {
        this.#fail(err);
        throw err;
      }
      if (r.action === "copied") {
        this.#stats.blobs++;
        this.#stats.bytes += r.bytes;
      } else if (r.action === "mounted") this.#stats.mounted++;
    });
    this.#done.set(key, p);
    if (shared !== undefined && prior === undefined) shared.set(sharedKey, { done: p, at: dst });
    return p;
  }

  /** Copies the referrers of a digest (from `referrersSrc`, into `referrersTgt`). */
  #copyReferrers(digest: string, ancestors: ReadonlySet<string>): Promise<void> {
    const src = this.#o.referrersSrc !== undefined
      ? {
        transport: this.#o.referrersSrc.transport,
        ref: withoutReference(this.#o.referrersSrc.ref),
      }
      : this.#src;
    const dst = this.#o.referrersTgt !== undefined
      ? {
        transport: this.#o.referrersTgt.transport,
        ref: withoutReference(this.#o.referrersTgt.ref),
      }
      : this.#dst;
    if (_sameRepository(src, dst)) return Promise.resolve();
    const key = `r|${_key(dst)}|${digest}`;
    const have = this.#referrersDone.get(key);
    if (have !== undefined) return have;
    const p = (async () => {
      this.#check();
      let list: Descriptor[];
      try {
        list = await this.#requests.run(() =>
          src.transport.referrerList(withDigest(src.ref, digest), { signal: this.#signal })
        );
      } catch (err) {
        if (err instanceof NotFoundError) return;
        throw wrapCopyError(err, "list referrers", "source", `${_name(src.ref)}@${digest}`);
      }
      const filters = this.#o.referrerFilters ?? [];
      if (filters.length > 0) {
        list = list.filter((d) => filters.some((f) => filterReferrers([d], f).length > 0));
      }
      await this.#all(list.map((d) => this.#copyDescriptor(d, src, dst, false, ancestors)));
    })();
    this.#referrersDone.set(key, p);
    return p;
  }

  /** Copies the source tags `<alg>-<hex>*` of every manifest visited, until none is new. */
  async #copyDigestTags(): Promise<void> {
    if (this.#o.digestTags !== true || _sameRepository(this.#src, this.#dst)) return;
    let tags: string[];
    try {
      tags = await this.#src.transport.tagList(this.#src.ref, { signal: this.#signal });
    } catch (err) {
      throw wrapCopyError(err, "list tags", "source", _name(this.#src.ref));
    }
    const handled = new Set<string>();
    const copiedTags = new Set<string>();
    for (let round = 0; round <= tags.length; round++) {
      const pending = [...this.#visited].filter((d) => !handled.has(d));
      if (pending.length === 0) return;
      for (const digest of pending) {
        handled.add(digest);
        const prefix = referrersFallbackTag(digest);
        for (const tag of tags) {
          if (!tag.startsWith(prefix) || copiedTags.has(tag)) continue;
          copiedTags.add(tag);
          await this.#copyTag(tag);
        }
      }
    }
  }

  /** Copies one tag of the source to the same tag of the target, skipping when up to date. */
  async #copyTag(tag: string): Promise<void> {
    this.#check();
    const m = await this.#get(this.#src, withTag(this.#src.ref, tag));
    const target = withTag(this.#dst.ref, tag);
    const existing = await this.#head(this.#dst, target);
    if (existing?.digest === m.digest && this.#o.forceRecursive !== true) {
      this.#visited.add(m.digest);
      this.#o.onSkip?.(manifestEvent(m), "exists");
      return;
    }
    await this.#copyTree(m, this.#src, this.#dst, target, false, new Set());
  }

  async #get(src: CopySource, ref: Ref): Promise<Manifest> {
    this.#check();
    try {
      return await this.#requests.run(() =>
        src.transport.manifestGet(ref, { signal: this.#signal })
      );
    } catch (err) {
      throw wrapCopyError(err, "get manifest", "source", commonName(ref));
    }
  }

  async #head(dst: CopyTarget, ref: Ref): Promise<Descriptor | undefined> {
    this.#check();
    return await this.#requests.run(() => headTarget(dst, ref, this.#signal));
  }

  async #put(dst: CopyTarget, ref: Ref, m: Manifest, child: boolean): Promise<void> {
    this.#check();
    const event = manifestEvent(m);
    this.#o.onStart?.(event);
    try {
      await this.#requests.run(() =>
        dst.transport.manifestPut(ref, m.raw, {
          mediaType: m.mediaType,
          child,
          signal: this.#signal,
        })
      );
    } catch (err) {
      throw wrapCopyError(err, "put manifest", "destination", commonName(ref));
    }
    this.#stats.manifests++;
    this.#o.onDone?.(event);
  }

  #check(): void {
    if (this.#signal.aborted) {
      throw new AbortedError("Cannot finish the copy: the operation was cancelled", {
        cause: this.#signal.reason,
      });
    }
  }
}

/** Blobs an image manifest refers to (config, layers; schema1 `fsLayers`). */
function _blobsOf(m: Manifest): Descriptor[] {
  if (m.mediaType === MediaType.DOCKER_SCHEMA1 || m.mediaType === MediaType.DOCKER_SCHEMA1_SIGNED) {
    const layers = (m.json as { fsLayers?: { blobSum: string }[] }).fsLayers ?? [];
    return layers.map((l) => ({ mediaType: MediaType.OCTET_STREAM, digest: l.blobSum, size: -1 }));
  }
  return manifestReferences(m);
}

function _sameRepository(
  a: { transport: ReadOnlyTransport; ref: Ref },
  b: { transport: ReadOnlyTransport; ref: Ref },
): boolean {
  return a.transport === b.transport && equalRepository(a.ref, b.ref);
}

function _key(t: CopyTarget): string {
  return `${t.ref.scheme}:${_name(t.ref)}`;
}

function _name(ref: Ref): string {
  return commonName(withoutReference(ref));
}

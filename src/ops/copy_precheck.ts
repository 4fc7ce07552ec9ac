/**
 * The first step of an image copy, in a module of its own so that a command
 * can run it before the copy engine (`copy.ts`) loads: the target's tag is
 * looked up and, when no platform is picked, the source's digest comes from
 * a HEAD sent at the same time. Equal digests make the copy a no-op, as in
 * regctl: no manifest is read or hashed, a HEAD does not count against
 * Docker Hub's pull limit, and `image copy` then loads no engine at all.
 *
 * @module
 */
import { LayoutError, NotFoundError, UsageError } from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { commonName, type Ref, withoutReference, withTag } from "../types/ref.ts";
import type { CopyOptions, CopyResult } from "./copy.ts";
import type { CopyEvent, CopySource, CopyTarget } from "./copy_endpoint.ts";
import { wrapCopyError } from "./copy_error.ts";

/** What {@link precheckCopy} found. */
export interface CopyPrecheck {
  /**
   * The target tag's lookup: its descriptor, or undefined when the tag is
   * missing (rejects with the lookup's error). Undefined when the target
   * names no tag.
   */
  target: Promise<Descriptor | undefined> | undefined;
  /** The source's descriptor, when the target's tag already holds it. */
  upToDate?: Descriptor | undefined;
}

/**
 * Checks option combinations of a copy before anything is read.
 *
 * @param options the options
 * @returns nothing
 * @throws {UsageError} on a conflict
 */
export function validateCopyOptions(options: CopyOptions): void {
  if (options.platform !== undefined && options.platforms !== undefined) {
    throw new UsageError(
      "Cannot copy: --platform and --platforms conflict (use one platform, or a list)",
    );
  }
  if (options.platforms !== undefined && options.platforms.length === 0) {
    throw new UsageError("Cannot copy: --platforms is empty (give at least one platform)");
  }
  if (
    (options.referrersSrc !== undefined || options.referrersTgt !== undefined) &&
    options.referrers !== true
  ) {
    throw new UsageError(
      "Cannot copy: --referrers-src and --referrers-tgt need --referrers (add it)",
    );
  }
}

/**
 * Looks a manifest up on the copy's target: its descriptor, or undefined when
 * it is missing (an empty directory is not a layout yet, but ocidir writes
 * create one there).
 *
 * @param dst the copy's target
 * @param ref the manifest's reference on the target
 * @param signal cancels the lookup
 * @returns the descriptor, or undefined
 * @throws {CopyError} when the lookup fails otherwise (`head manifest` on the destination)
 */
export async function headTarget(
  dst: CopyTarget,
  ref: Ref,
  signal: AbortSignal | undefined,
): Promise<Descriptor | undefined> {
  try {
    // found: what is written next references it (a layout keeps it until close)
    return await dst.transport.manifestHead(ref, { signal, forWrite: true });
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof LayoutError) return undefined;
    throw wrapCopyError(err, "head manifest", "destination", commonName(ref));
  }
}

/**
 * Starts a copy: looks up the target's tag and, when the copy could be a
 * no-op (a tagged target, no platform picked, no forced walk), the source's
 * digest. A failed source HEAD is not an error here: the copy engine reads
 * the manifest and reports it.
 *
 * @param src the copy's source
 * @param dst the copy's target
 * @param options the copy's options
 * @returns the target's lookup, and the source's descriptor when they match
 * @throws never (the target lookup's error is in `target`)
 */
export async function precheckCopy(
  src: CopySource,
  dst: CopyTarget,
  options: CopyOptions,
): Promise<CopyPrecheck> {
  if (options.signal?.aborted === true || dst.ref.tag === "") return { target: undefined };
  const target = headTarget(dst, withTag(withoutReference(dst.ref), dst.ref.tag), options.signal);
  target.catch(() => {}); // awaited by the engine, or dropped when the source fails
  if (
    dst.ref.digest !== "" || options.platform !== undefined || options.platforms !== undefined ||
    (options.forceRecursive === true && options.fast !== true)
  ) {
    return { target };
  }
  let source: Descriptor;
  try {
    source = await src.transport.manifestHead(src.ref, { signal: options.signal });
  } catch {
    return { target };
  }
  const found = await target.catch(() => undefined);
  return source.digest !== "" && found?.digest === source.digest
    ? { target, upToDate: source }
    : { target };
}

/**
 * The result of a copy whose target already holds the source's manifest.
 *
 * @param top the manifest's descriptor
 * @param dstRef the copy's target reference, as given
 * @param stats what moved meanwhile (referrers, digest tags)
 * @returns the result, marked skipped
 * @throws never
 */
export function upToDateResult(
  top: Descriptor,
  dstRef: Ref,
  stats: Pick<CopyResult, "manifests" | "blobs" | "mounted" | "bytes"> = {
    manifests: 0,
    blobs: 0,
    mounted: 0,
    bytes: 0,
  },
): CopyResult {
  return {
    target: { ...dstRef, digest: top.digest },
    digest: top.digest,
    mediaType: top.mediaType,
    size: top.size,
    sourceDigest: top.digest,
    filtered: false,
    skipped: true,
    ...stats,
  };
}

/**
 * Ends a copy that {@link precheckCopy} found up to date, when nothing more
 * is asked of it (no referrers and no digest tags, or `fast`): tells
 * `onSkip` and gives the result. Otherwise the copy engine goes on from the
 * precheck.
 *
 * @param pre the precheck
 * @param dst the copy's target
 * @param options the copy's options
 * @returns the result, or undefined when the engine has work left
 * @throws never
 */
export function finishUpToDate(
  pre: CopyPrecheck,
  dst: CopyTarget,
  options: CopyOptions,
): CopyResult | undefined {
  const top = pre.upToDate;
  if (top === undefined) return undefined;
  if (options.fast !== true && (options.referrers === true || options.digestTags === true)) {
    return undefined;
  }
  options.onSkip?.(manifestEvent(top), "exists");
  return upToDateResult(top, dst.ref);
}

/**
 * The progress event of a manifest.
 *
 * @param d the manifest's digest, size and media type
 * @returns the event
 * @throws never
 */
export function manifestEvent(
  d: { digest: string; size: number; mediaType?: string | undefined },
): CopyEvent {
  return { kind: "manifest", digest: d.digest, size: d.size, mediaType: d.mediaType };
}

/**
 * Repository copy (`repo copy`): every tag of a source repository, filtered
 * by anchored patterns, copied with bounded concurrency; the first failure
 * cancels the rest.
 *
 * @module
 */
import { LayoutError, NotFoundError } from "../errors.ts";
import { commonName, type Ref, withoutReference, withTag } from "../types/ref.ts";
import { copyImage, type CopyResult } from "./copy.ts";
import type { CopyHooks, CopySource, CopyTarget } from "./copy_endpoint.ts";
import { wrapCopyError } from "./copy_error.ts";
import { _mapLimited } from "./_limiter.ts";

/** Default number of tags copied at once by {@link copyRepo}. */
export const DEFAULT_REPO_CONCURRENCY = 2;

/** Options of {@link copyRepo}. */
export interface CopyRepoOptions extends CopyHooks {
  /** Copy only tags matching one of these (anchored) patterns. @default every tag */
  include?: readonly RegExp[] | undefined;
  /** Leave out tags matching one of these (anchored) patterns. @default none */
  exclude?: readonly RegExp[] | undefined;
  /** Copy only tags the target does not have yet. @default false */
  newTags?: boolean | undefined;
  /** Tags copied at once; `<= 0` means no limit. @default 2 */
  concurrent?: number | undefined;
  /** Copy referrers of each image too. @default false */
  referrers?: boolean | undefined;
  /** Copy digest tags of each image too. @default false */
  digestTags?: boolean | undefined;
  /** Cancels the copy. */
  signal?: AbortSignal | undefined;
}

/** What {@link copyRepo} did. */
export interface CopyRepoResult {
  /** Tags chosen for copying, sorted. */
  tags: string[];
  /** Result per tag, in {@link tags} order. */
  results: CopyResult[];
}

/**
 * Copies the tags of a repository.
 *
 * @param src source repository (tag and digest ignored)
 * @param dst target repository (tag and digest ignored)
 * @param options tag filters, concurrency, referrers, hooks, cancellation
 * @returns the tags copied and their results
 * @throws {CopyError} listing tags or copying an image failed (the first failure)
 * @throws {AbortedError} when cancelled
 *
 * @example Copy the tags matching v.* only
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { buildSampleImages } from "../sample/sample_images.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { copyRepo } from "./repo_copy.ts";
 * const t = new MemoryTransport();
 * await buildSampleImages(t, parseRef("example.com/a"));
 * const r = await copyRepo(
 *   { transport: t, ref: parseRef("example.com/a") },
 *   { transport: t, ref: parseRef("example.com/b") },
 *   { include: [/^(?:v.*)$/] },
 * );
 * assert.deepEqual(r.tags, ["v1"]);
 * ```
 */
export async function copyRepo(
  src: CopySource,
  dst: CopyTarget,
  options: CopyRepoOptions = {},
): Promise<CopyRepoResult> {
  const srcRepo = withoutReference(src.ref);
  const dstRepo = withoutReference(dst.ref);
  const { include, exclude } = options;
  let tags = await _tags(src.transport.tagList.bind(src.transport), srcRepo, "source", options);
  tags = tags.filter((t) =>
    (include === undefined || include.length === 0 || include.some((r) => r.test(t))) &&
    !(exclude ?? []).some((r) => r.test(t))
  );
  if (options.newTags === true && tags.length > 0) {
    const have = new Set(
      await _tags(dst.transport.tagList.bind(dst.transport), dstRepo, "destination", options),
    );
    tags = tags.filter((t) => !have.has(t));
  }
  tags.sort();
  const controller = new AbortController();
  const signal = options.signal === undefined
    ? controller.signal
    : AbortSignal.any([options.signal, controller.signal]);
  const results = await _mapLimited(
    tags,
    options.concurrent ?? DEFAULT_REPO_CONCURRENCY,
    (tag) =>
      copyImage(
        { transport: src.transport, ref: withTag(srcRepo, tag) },
        { transport: dst.transport, ref: withTag(dstRepo, tag) },
        {
          referrers: options.referrers,
          digestTags: options.digestTags,
          onStart: options.onStart,
          onSkip: options.onSkip,
          onProgress: options.onProgress,
          onDone: options.onDone,
          onFallback: options.onFallback,
          signal,
        },
      ),
    controller,
  );
  return { tags, results };
}

async function _tags(
  list: (ref: Ref, o: { signal?: AbortSignal | undefined }) => Promise<string[]>,
  repo: Ref,
  side: "source" | "destination",
  options: CopyRepoOptions,
): Promise<string[]> {
  try {
    return await list(repo, { signal: options.signal });
  } catch (err) {
    const absent = err instanceof NotFoundError || err instanceof LayoutError;
    if (side === "destination" && absent) return [];
    throw wrapCopyError(err, "list tags", side, commonName(repo));
  }
}

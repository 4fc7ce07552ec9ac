/**
 * `image check-base`: tells whether an image's base image has changed,
 * from the `org.opencontainers.image.base.name`/`.base.digest` annotations
 * or from flags.
 *
 * @module
 */
import { ErrorCode, OciError, UsageError } from "../errors.ts";
import { readBlobCapped } from "../read_capped.ts";
import type { Platform } from "../types/descriptor.ts";
import { isImage } from "../types/manifest.ts";
import { commonName, parseRef, type Ref } from "../types/ref.ts";
import { _resolveImage, type ImageReader } from "./_image_reader.ts";

/** Annotation naming the base image. */
export const BASE_NAME_ANNOTATION = "org.opencontainers.image.base.name";
/** Annotation holding the base image digest. */
export const BASE_DIGEST_ANNOTATION = "org.opencontainers.image.base.digest";

/** Options of {@link checkBase}. */
export interface CheckBaseOptions {
  /** Base image reference (overrides the annotation). */
  base?: Ref | undefined;
  /** Expected base digest (overrides the annotation). */
  digest?: string | undefined;
  /** Skip comparing the config history. @default false */
  noConfig?: boolean | undefined;
  /** Platform chosen in indexes. */
  platform: Platform;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** The verdict of {@link checkBase}. */
export interface CheckBaseResult {
  /** True when the base is unchanged. */
  matches: boolean;
  /** The base reference used. */
  base: Ref;
  /** Why it does not match, when it does not. */
  reason?: string | undefined;
}

async function _history(
  reader: ImageReader,
  ref: Ref,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const bytes = await readBlobCapped(reader, ref, { digest, signal });
  const json = JSON.parse(new TextDecoder().decode(bytes)) as { history?: unknown[] };
  return (json.history ?? []).map((h) => JSON.stringify(h));
}

/**
 * Checks whether the base image of an image is unchanged: with a digest
 * (flag or annotation), the base reference must still resolve to it (the
 * index or the platform's manifest); without one, the base's layers (and,
 * unless `noConfig`, its config history) must be a prefix of the image's.
 *
 * @param reader read calls
 * @param ref the image
 * @param options base, digest, platform, cancellation
 * @returns the verdict
 * @throws {UsageError} when no base is given and the image has no base annotation
 * @throws {NotFoundError} when the image or base is missing
 */
export async function checkBase(
  reader: ImageReader,
  ref: Ref,
  options: CheckBaseOptions,
): Promise<CheckBaseResult> {
  const { signal } = options;
  const top = await reader.manifestGet(ref, { signal });
  const img = await _resolveImage(reader, ref, options.platform, signal);
  const notes: Record<string, string> = {
    ...((top.json as { annotations?: Record<string, string> }).annotations ?? {}),
    ...(img.manifest.json.annotations ?? {}),
  };
  let base = options.base;
  if (base === undefined) {
    const name = notes[BASE_NAME_ANNOTATION];
    if (name === undefined || name === "") {
      throw new UsageError(
        `Cannot check the base of "${
          commonName(ref)
        }": it has no "${BASE_NAME_ANNOTATION}" annotation (give --base)`,
      );
    }
    base = parseRef(name);
  }
  const expected = options.digest ??
    (options.base === undefined ? notes[BASE_DIGEST_ANNOTATION] : undefined);
  if (expected !== undefined && expected !== "") {
    const head = await reader.manifestHead(base, { signal });
    if (head.digest === expected) return { matches: true, base };
    const resolved = await _resolveImage(reader, base, options.platform, signal);
    if (resolved.manifest.digest === expected) return { matches: true, base };
    return { matches: false, base, reason: `the base now has digest ${head.digest}` };
  }
  const b = await _resolveImage(reader, base, options.platform, signal);
  const mine = img.manifest.json.layers.map((l) => l.digest);
  const theirs = b.manifest.json.layers.map((l) => l.digest);
  if (theirs.length > mine.length || theirs.some((d, i) => mine[i] !== d)) {
    return { matches: false, base, reason: "the base layers are not the image's first layers" };
  }
  if (options.noConfig !== true && isImage(b.manifest)) {
    const hb = await _history(reader, b.ref, b.manifest.json.config.digest, signal);
    const hi = await _history(reader, img.ref, img.manifest.json.config.digest, signal);
    if (hb.length > hi.length || hb.some((h, i) => hi[i] !== h)) {
      return { matches: false, base, reason: "the base history is not the image's first history" };
    }
  }
  return { matches: true, base };
}

/**
 * Thrown by callers when {@link checkBase} finds the base changed (exit 1).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BaseChangedError } from "./check_base.ts";
 * assert.equal(new BaseChangedError("x", "y").code, "DIGEST_MISMATCH");
 * ```
 */
export class BaseChangedError extends OciError {
  /**
   * Creates the error for an image whose base changed.
   * @param image the image checked
   * @param reason why the base differs
   */
  constructor(image: string, reason: string) {
    super(
      ErrorCode.DIGEST_MISMATCH,
      `Cannot confirm the base of "${image}": base image has changed (${reason}); rebuild the image`,
    );
  }
}

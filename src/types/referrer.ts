/**
 * Referrers helpers shared by every transport: the fallback tag name of the
 * distribution spec and client-side filtering of referrer descriptors.
 *
 * @module
 */
import { InvalidDigestError } from "../errors.ts";
import type { Descriptor } from "./descriptor.ts";

const TAG_UNSAFE = /[^A-Za-z0-9._-]/g;
const ALGORITHM_MAX = 32;
const ENCODED_MAX = 64;

/**
 * Returns the referrers fallback tag of a subject digest: `<alg>-<hex>`, with
 * every character not allowed in a tag replaced by `-`, the algorithm cut to
 * 32 characters and the encoded part to 64 (as regclient does).
 *
 * @param digest subject digest such as `sha256:<hex>`
 * @returns the fallback tag, e.g. `sha256-<hex>`
 * @throws {InvalidDigestError} when the string is not `algorithm:encoded`
 *
 * @example Tag of a sha256 digest
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { referrersFallbackTag } from "./referrer.ts";
 * const hex = "a".repeat(64);
 * equal(referrersFallbackTag(`sha256:${hex}`), `sha256-${hex}`);
 * ```
 */
export function referrersFallbackTag(digest: string): string {
  const idx = digest.indexOf(":");
  if (idx <= 0 || idx === digest.length - 1) {
    throw new InvalidDigestError(digest, 'expected "algorithm:encoded"');
  }
  const algorithm = digest.slice(0, idx).slice(0, ALGORITHM_MAX).replace(TAG_UNSAFE, "-");
  const encoded = digest.slice(idx + 1).slice(0, ENCODED_MAX).replace(TAG_UNSAFE, "-");
  return `${algorithm}-${encoded}`;
}

/** Options of {@link filterReferrers}. */
export interface ReferrerFilter {
  /** Keep only descriptors with exactly this artifact type. */
  artifactType?: string | undefined;
  /**
   * Keep only descriptors carrying these annotations. An empty value means
   * "the key is present with any value".
   */
  annotations?: Record<string, string> | undefined;
}

/**
 * Filters referrer descriptors client-side (for backends without server-side
 * filtering). The input is not modified.
 *
 * @param descs referrer descriptors
 * @param filter artifact type and annotations to match
 * @returns the matching descriptors, in their original order
 *
 * @example Filter by artifact type
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { filterReferrers } from "./referrer.ts";
 * const d = (artifactType: string) => ({
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: "sha256:" + "0".repeat(64),
 *   size: 1,
 *   artifactType,
 * });
 * equal(filterReferrers([d("a/sbom"), d("a/sig")], { artifactType: "a/sig" }).length, 1);
 * ```
 */
export function filterReferrers(
  descs: readonly Descriptor[],
  filter: ReferrerFilter = {},
): Descriptor[] {
  return descs.filter((d) => {
    if (filter.artifactType !== undefined && d.artifactType !== filter.artifactType) return false;
    for (const [key, value] of Object.entries(filter.annotations ?? {})) {
      const actual = d.annotations?.[key];
      if (actual === undefined) return false;
      if (value !== "" && actual !== value) return false;
    }
    return true;
  });
}

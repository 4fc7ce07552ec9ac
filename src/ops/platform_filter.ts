/**
 * Filtering an index down to some platforms (`image copy --platforms`): the
 * result is a real, smaller index with its own digest, not a sparse copy.
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import {
  encodeJson,
  type IndexJson,
  isIndex,
  type Manifest,
  parseManifest,
} from "../types/manifest.ts";
import { formatPlatform, selectPlatform } from "../types/platform.ts";

const ATTESTATION_DIGEST = "vnd.docker.reference.digest";

/** What {@link filterIndex} produced. */
export interface FilteredIndex {
  /** The index to push: the original when every entry was kept. */
  manifest: Manifest;
  /** True when entries were dropped (the digest changed). */
  changed: boolean;
  /** The entries kept, in index order. */
  kept: Descriptor[];
}

/**
 * Keeps the entries of an index chosen for each wanted platform (with
 * {@link selectPlatform}'s rules), plus BuildKit attestations of kept
 * entries. The other fields of the index are kept as they are.
 *
 * @param index the source index (its exact bytes are reused when nothing is dropped)
 * @param platforms the platforms wanted (at least one)
 * @returns the filtered index
 * @throws {NotFoundError} when a wanted platform has no entry
 *
 * @example Keep arm64 only
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeJson, parseManifest } from "../types/manifest.ts";
 * import { filterIndex } from "./platform_filter.ts";
 * const entry = (architecture: string, n: string) => ({
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: "sha256:" + n.repeat(64), size: 2, platform: { os: "linux", architecture },
 * });
 * const index = await parseManifest(encodeJson({
 *   schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
 *   manifests: [entry("amd64", "a"), entry("arm64", "b")],
 * }));
 * const out = await filterIndex(index, [{ os: "linux", architecture: "arm64" }]);
 * assert.equal(out.changed, true);
 * assert.equal(out.kept.length, 1);
 * ```
 */
export async function filterIndex(
  index: Manifest,
  platforms: readonly Platform[],
): Promise<FilteredIndex> {
  if (!isIndex(index)) return { manifest: index, changed: false, kept: [] };
  const entries = index.json.manifests;
  const chosen = new Set<Descriptor>();
  for (const want of platforms) {
    const found = selectPlatform(entries, want);
    if (found === undefined) {
      throw new NotFoundError(
        `Cannot find platform "${formatPlatform(want)}" in index "${index.digest}": ` +
          `the index has no such entry (list them with "manifest get")`,
      );
    }
    chosen.add(found);
  }
  const keptDigests = new Set([...chosen].map((d) => d.digest));
  const kept = entries.filter((d) =>
    chosen.has(d) || keptDigests.has(d.annotations?.[ATTESTATION_DIGEST] ?? "")
  );
  if (kept.length === entries.length) return { manifest: index, changed: false, kept };
  const json: IndexJson = { ...index.json, manifests: kept };
  const manifest = await parseManifest(encodeJson(json), { mediaType: index.mediaType });
  return { manifest, changed: true, kept };
}

/**
 * The referrers fallback tag of an `ocidir` layout: the index of a
 * subject's referrers kept under the tag `<alg>-<hex>`, updated under the
 * layout lock when a referrer is pushed or deleted.
 *
 * @module
 */
import { ManifestInvalidError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import {
  type IndexJson,
  isIndex,
  type Manifest,
  manifestDescriptor,
  parseManifest,
  subjectOf,
} from "../../types/manifest.ts";
import { isManifestMediaType, MediaType } from "../../types/media_type.ts";
import { referrersFallbackTag } from "../../types/referrer.ts";
import { referrerDescriptor } from "../transport_checks.ts";
import { type IndexEntry, type LayoutIndex, removeTag, setEntry } from "./layout.ts";
import type { LayoutStore } from "./_layout_store.ts";

/** Removes a referrer from the subject's fallback-tag index (under the lock). */
export async function removeReferrer(
  store: LayoutStore,
  dir: string,
  index: LayoutIndex,
  subject: string,
  referrer: string,
): Promise<{ index: LayoutIndex; removed: IndexEntry[] }> {
  const tag = referrersFallbackTag(subject);
  const entry = _tagged(index, tag);
  const current = entry === undefined ? undefined : await store.tryRead(dir, entry);
  if (current === undefined || !isIndex(current)) return { index, removed: [] };
  const manifests = current.json.manifests.filter((d) => d.digest !== referrer);
  if (manifests.length === current.json.manifests.length) return { index, removed: [] };
  if (manifests.length === 0) return removeTag(index, tag);
  const raw = new TextEncoder().encode(JSON.stringify({ ...current.json, manifests }));
  return await _setFallback(store, dir, index, tag, raw);
}

/** Adds a referrer to the subject's fallback-tag index (under the lock). */
export async function addReferrer(
  store: LayoutStore,
  dir: string,
  index: LayoutIndex,
  subject: string,
  referrer: Manifest,
): Promise<{ index: LayoutIndex; removed: IndexEntry[] }> {
  const tag = referrersFallbackTag(subject);
  const entry = _tagged(index, tag);
  let base: IndexJson = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [] };
  if (entry !== undefined) {
    const current = await store.tryRead(dir, entry);
    if (current !== undefined) {
      if (!isIndex(current) || current.mediaType !== MediaType.OCI_INDEX) {
        throw new ManifestInvalidError(
          `Cannot update referrers of "${subject}" in "${dir}": tag "${tag}" is not an OCI index; delete it and push again`,
        );
      }
      base = current.json;
    }
  }
  if (base.manifests.some((d) => d.digest === referrer.digest)) return { index, removed: [] };
  const json: IndexJson = {
    ...base,
    manifests: [...base.manifests, referrerDescriptor(referrer)],
  };
  const raw = new TextEncoder().encode(JSON.stringify(json));
  return await _setFallback(store, dir, index, tag, raw);
}

/**
 * Finds the referrers of a subject in a layout: the fallback-tag index plus
 * a scan of the `index.json` entries, deduplicated.
 *
 * @param store the transport's state
 * @param dir layout directory
 * @param subject the subject's digest
 * @returns referrer descriptors
 * @throws {NotFoundError} when the layout does not exist
 * @throws {LayoutError} when it is not a valid layout
 */
export async function findReferrers(
  store: LayoutStore,
  dir: string,
  subject: string,
): Promise<Descriptor[]> {
  const index = await store.readIndex(dir);
  const fallbackTag = referrersFallbackTag(subject);
  const found = new Map<string, Descriptor>();
  const fallback = _tagged(index, fallbackTag);
  if (fallback !== undefined && fallback.digest !== subject) {
    const m = await store.tryRead(dir, fallback);
    if (m !== undefined && isIndex(m)) {
      for (const d of m.json.manifests) if (!found.has(d.digest)) found.set(d.digest, d);
    }
  }
  for (const entry of index.manifests) {
    if (entry === fallback || found.has(entry.digest)) continue;
    if (entry.mediaType !== undefined && !isManifestMediaType(entry.mediaType)) continue;
    const m = await store.tryRead(dir, entry);
    if (m === undefined || subjectOf(m)?.digest !== subject) continue;
    found.set(m.digest, referrerDescriptor(m));
  }
  return [...found.values()];
}

function _tagged(index: LayoutIndex, tag: string): IndexEntry | undefined {
  return index.manifests.find((e) => e.annotations?.["org.opencontainers.image.ref.name"] === tag);
}

/** Writes a fallback index and points its tag at it. */
async function _setFallback(
  store: LayoutStore,
  dir: string,
  index: LayoutIndex,
  tag: string,
  raw: Uint8Array,
): Promise<{ index: LayoutIndex; removed: IndexEntry[] }> {
  const m = await parseManifest(raw, { mediaType: MediaType.OCI_INDEX });
  await store.writeBlob(dir, m.digest, raw, undefined);
  return setEntry(index, tag, manifestDescriptor(m));
}

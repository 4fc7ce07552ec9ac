/**
 * Test helper: what a repository holds, as comparable data (tag → digest,
 * every manifest and blob reachable from the tags, referrers of the index).
 *
 * @module
 */
import type { Transport } from "../../src/transport/transport.ts";
import { isIndex, manifestReferences } from "../../src/types/manifest.ts";
import { isManifestMediaType } from "../../src/types/media_type.ts";
import { type Ref, withDigest, withTag } from "../../src/types/ref.ts";

/** A repository's content. */
export interface Inventory {
  /** Tag → digest. */
  tags: Record<string, string>;
  /** Every manifest digest reachable from the tags, sorted. */
  manifests: string[];
  /** Every blob digest reachable from the tags (each checked with a HEAD), sorted. */
  blobs: string[];
}

/**
 * Reads what a repository holds, checking every reachable blob exists.
 *
 * @param t transport
 * @param repo repository
 * @returns the inventory
 */
export async function inventory(t: Transport, repo: Ref): Promise<Inventory> {
  const tags: Record<string, string> = {};
  const manifests = new Set<string>();
  const blobs = new Set<string>();
  const walk = async (ref: Ref): Promise<string> => {
    const m = await t.manifestGet(ref);
    if (manifests.has(m.digest)) return m.digest;
    manifests.add(m.digest);
    for (const d of manifestReferences(m)) {
      if (isIndex(m) || isManifestMediaType(d.mediaType)) await walk(withDigest(repo, d.digest));
      else {
        await t.blobHead(repo, d.digest);
        blobs.add(d.digest);
      }
    }
    return m.digest;
  };
  for (const tag of await t.tagList(repo)) tags[tag] = await walk(withTag(repo, tag));
  return { tags, manifests: [...manifests].sort(), blobs: [...blobs].sort() };
}

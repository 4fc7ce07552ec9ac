/**
 * Garbage collection of an OCI layout, limited to what one transport made
 * unreferenced: the blobs reachable from index entries it removed or
 * replaced are recorded (with their file identity) when they are removed,
 * and on close the ones still unreferenced and unchanged on disk are deleted.
 * A blob rewritten since (another process pushing the same content) has a
 * new identity and is kept.
 *
 * @module
 */
import { blobPath, type LayoutIndex } from "./layout.ts";
import type { FileInfo, FileSystem } from "./file_system.ts";
import { readCapped } from "./_read_capped.ts";
import {
  type Manifest,
  MANIFEST_READ_LIMIT,
  manifestReferences,
  parseManifest,
} from "../../types/manifest.ts";
import { isManifestMediaType } from "../../types/media_type.ts";
import { isDigest } from "../../types/digest.ts";
import { NotFoundError } from "../../errors.ts";

/** A blob to reach: digest and, when known, media type. */
export interface WalkRoot {
  /** Digest of the blob. */
  digest: string;
  /** Media type; when missing the blob is tried as a manifest. */
  mediaType?: string | undefined;
}

/** Blobs recorded for collection: digest → file identity when recorded. */
export type GcCandidates = Map<string, string>;

/**
 * A string that changes when a file is replaced or rewritten.
 *
 * @param info file info
 * @returns inode, mtime and size joined
 */
export function fileIdentity(info: FileInfo): string {
  return `${info.ino ?? "-"}:${info.mtime ?? "-"}:${info.size}`;
}

async function _readManifest(
  fs: FileSystem,
  dir: string,
  root: WalkRoot,
): Promise<Manifest | undefined> {
  try {
    const raw = await readCapped(fs, blobPath(dir, root.digest), MANIFEST_READ_LIMIT, "manifest");
    return await parseManifest(raw, { mediaType: root.mediaType, digest: root.digest });
  } catch {
    return undefined;
  }
}

/**
 * Walks blobs from roots through manifests (index children, config, layers),
 * calling `visit` once per existing blob. Missing blobs and blobs that do not
 * parse as manifests end the walk on their branch.
 *
 * @param fs file system
 * @param dir layout directory
 * @param roots starting points
 * @param visit called with each digest and its file info
 * @returns nothing
 */
export async function walkBlobs(
  fs: FileSystem,
  dir: string,
  roots: readonly WalkRoot[],
  visit: (digest: string, info: FileInfo) => void,
): Promise<void> {
  const seen = new Set<string>();
  const queue = [...roots];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next.digest) || !isDigest(next.digest)) continue;
    seen.add(next.digest);
    const info = await fs.stat(blobPath(dir, next.digest));
    if (info === undefined || !info.isFile) continue;
    visit(next.digest, info);
    if (next.mediaType !== undefined && !isManifestMediaType(next.mediaType)) continue;
    const m = await _readManifest(fs, dir, next);
    if (m === undefined) continue;
    for (const d of manifestReferences(m)) queue.push({ digest: d.digest, mediaType: d.mediaType });
  }
}

/**
 * Records the blobs reachable from removed roots, with their identity now.
 *
 * @param fs file system
 * @param dir layout directory
 * @param roots removed or replaced index entries
 * @param into where to add them
 * @returns nothing
 */
export async function recordCandidates(
  fs: FileSystem,
  dir: string,
  roots: readonly WalkRoot[],
  into: GcCandidates,
): Promise<void> {
  await walkBlobs(fs, dir, roots, (digest, info) => {
    into.set(digest, fileIdentity(info));
  });
}

/**
 * Deletes the candidates that nothing in `index` reaches and whose file is
 * unchanged since it was recorded. Call it under the layout lock.
 *
 * @param fs file system
 * @param dir layout directory
 * @param index current `index.json`
 * @param candidates recorded blobs
 * @returns the digests deleted
 */
export async function collectGarbage(
  fs: FileSystem,
  dir: string,
  index: LayoutIndex,
  candidates: GcCandidates,
): Promise<string[]> {
  if (candidates.size === 0) return [];
  const reachable = new Set<string>();
  await walkBlobs(fs, dir, index.manifests, (digest) => reachable.add(digest));
  const deleted: string[] = [];
  for (const [digest, identity] of candidates) {
    if (reachable.has(digest)) continue;
    const path = blobPath(dir, digest);
    const info = await fs.stat(path);
    if (info === undefined || fileIdentity(info) !== identity) continue;
    try {
      await fs.remove(path);
      deleted.push(digest);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return deleted;
}

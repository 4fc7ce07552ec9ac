/**
 * Reads the runner needs beyond a HEAD: the child of an index for one
 * platform, and an image's creation time (for `keepNewest`).
 *
 * @module
 */
import { NotFoundError, OciError } from "../errors.ts";
import type { Transport } from "../transport/transport.ts";
import { isImage, isIndex, type Manifest } from "../types/manifest.ts";
import { parsePlatform, selectPlatform } from "../types/platform.ts";
import { commonName, type Ref, withDigest } from "../types/ref.ts";
import { readBlobCapped } from "../read_capped.ts";

/**
 * The digest of an index's child for a platform (the manifest's own digest when it is no index).
 *
 * @param t the transport
 * @param src the index
 * @param platform `os/arch[/variant]`
 * @param signal cancels the read
 * @returns the child digest
 * @throws {NotFoundError} when the index has no such platform
 */
export async function platformChild(
  t: Transport,
  src: Ref,
  platform: string,
  signal: AbortSignal,
): Promise<string> {
  const index = await t.manifestGet(src, { signal });
  if (!isIndex(index)) return index.digest;
  const found = selectPlatform(index.json.manifests, parsePlatform(platform));
  if (found === undefined) {
    throw new NotFoundError(
      `Cannot find platform "${platform}" in "${commonName(src)}": the index has no such entry`,
    );
  }
  return found.digest;
}

/**
 * The creation time of an image (its first image manifest's config), 0 when unknown.
 *
 * @param t the transport
 * @param ref the image
 * @param signal cancels the reads
 * @returns milliseconds since the epoch, or 0
 * @throws {AbortedError} when cancelled
 */
export async function imageCreated(t: Transport, ref: Ref, signal: AbortSignal): Promise<number> {
  try {
    let m: Manifest = await t.manifestGet(ref, { signal });
    let at = ref;
    if (isIndex(m)) {
      const first = m.json.manifests.find((d) => d.platform !== undefined) ?? m.json.manifests[0];
      if (first === undefined) return 0;
      at = withDigest(ref, first.digest);
      m = await t.manifestGet(at, { signal });
    }
    if (!isImage(m)) return 0;
    const bytes = await readBlobCapped(t, at, {
      digest: m.json.config.digest,
      size: m.json.config.size,
      signal,
    });
    const created = (JSON.parse(new TextDecoder().decode(bytes)) as { created?: unknown }).created;
    const ms = typeof created === "string" ? Date.parse(created) : Number.NaN;
    return Number.isFinite(ms) ? ms : 0;
  } catch (err) {
    if (err instanceof OciError && err.code === "ABORTED") throw err;
    return 0;
  }
}

/**
 * Shared helpers of the file-level image operations: the read calls they
 * need, and resolving a reference to one platform's image manifest.
 *
 * @module
 */
import { NotFoundError, UnsupportedMediaTypeError } from "../errors.ts";
import type { Transport } from "../transport/transport.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { type ImageManifestJson, isImage, isIndex, type Manifest } from "../types/manifest.ts";
import { formatPlatform, selectPlatform } from "../types/platform.ts";
import { commonName, type Ref, withDigest } from "../types/ref.ts";

/** The read calls the file-level operations need (a `Client` or a `Transport` fits). */
export type ImageReader = Pick<Transport, "manifestGet" | "manifestHead" | "blobGet">;

/** An image manifest resolved for one platform. */
export interface ResolvedImage {
  /** Reference to the image manifest (by digest when chosen from an index). */
  ref: Ref;
  /** The image manifest. */
  manifest: Manifest & { json: ImageManifestJson };
}

/**
 * Resolves a reference to an image manifest, choosing a platform in an index.
 *
 * @param reader read calls
 * @param ref the reference
 * @param platform platform chosen in an index
 * @param signal cancellation
 * @returns the image manifest and its reference
 * @throws {NotFoundError} when the platform is not in the index
 * @throws {UnsupportedMediaTypeError} when the manifest is not an image
 */
export async function _resolveImage(
  reader: ImageReader,
  ref: Ref,
  platform: Platform,
  signal?: AbortSignal,
): Promise<ResolvedImage> {
  let m = await reader.manifestGet(ref, { signal });
  let at = ref;
  if (isIndex(m)) {
    const found = selectPlatform(m.json.manifests, platform);
    if (found === undefined) {
      throw new NotFoundError(
        `Cannot find platform "${formatPlatform(platform)}" in "${
          commonName(ref)
        }": the index has no such entry (choose one with --platform)`,
      );
    }
    at = withDigest(ref, found.digest);
    m = await reader.manifestGet(at, { signal });
  }
  if (!isImage(m)) {
    throw new UnsupportedMediaTypeError(
      `Cannot read the files of "${commonName(at)}": media type "${m.mediaType}" is not an image`,
    );
  }
  return { ref: at, manifest: m };
}

/**
 * Opens a layer blob as a verified stream.
 *
 * @param reader read calls
 * @param ref repository of the blob
 * @param layer the layer descriptor
 * @param signal cancellation
 * @returns the blob bytes (consume or cancel)
 * @throws {NotFoundError} when the blob is missing
 */
export async function _openLayer(
  reader: ImageReader,
  ref: Ref,
  layer: Descriptor,
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const r = await reader.blobGet(ref, layer.digest, {
    ...(layer.size >= 0 ? { size: layer.size } : {}),
    signal,
  });
  return r.body;
}

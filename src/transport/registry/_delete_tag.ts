/**
 * The dummy image of regctl's tag delete algorithm: a unique image pushed to
 * the tag so that deleting it by digest removes the tag.
 *
 * @module
 */
import { digestOf } from "../../types/digest.ts";
import { isIndexMediaType, MediaType } from "../../types/media_type.ts";

/** The blobs and manifest of a dummy image. */
export interface DeleteTagImage {
  /** Config and layer. */
  blobs: { digest: string; bytes: Uint8Array }[];
  /** Manifest bytes. */
  manifest: Uint8Array;
}

/**
 * Builds the dummy image that replaces a tag before it is deleted: an empty
 * config labelled `delete-tag` and `delete-date`, platform linux/amd64, one
 * empty layer, in the media type family of the manifest it replaces.
 *
 * @param tag the tag being deleted
 * @param mediaType media type of the manifest now at the tag
 * @param date the time of the delete
 * @returns blobs and manifest
 */
export async function buildDeleteTagImage(
  tag: string,
  mediaType: string,
  date: Date,
): Promise<DeleteTagImage> {
  const docker = mediaType === MediaType.DOCKER_MANIFEST ||
    mediaType === MediaType.DOCKER_MANIFEST_LIST ||
    (mediaType.startsWith("application/vnd.docker.") && !isIndexMediaType(mediaType));
  const layer = new Uint8Array(1024); // an empty tar archive
  const layerDigest = await digestOf(layer);
  const config = new TextEncoder().encode(JSON.stringify({
    created: date.toISOString(),
    architecture: "amd64",
    os: "linux",
    config: { Labels: { "delete-tag": tag, "delete-date": date.toISOString() } },
    rootfs: { type: "layers", diff_ids: [layerDigest] },
  }));
  const configDigest = await digestOf(config);
  const manifest = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: docker ? MediaType.DOCKER_MANIFEST : MediaType.OCI_MANIFEST,
    config: {
      mediaType: docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG,
      digest: configDigest,
      size: config.byteLength,
    },
    layers: [{
      mediaType: docker ? MediaType.DOCKER_LAYER : MediaType.OCI_LAYER,
      digest: layerDigest,
      size: layer.byteLength,
    }],
  }));
  return {
    blobs: [{ digest: configDigest, bytes: config }, { digest: layerDigest, bytes: layer }],
    manifest,
  };
}

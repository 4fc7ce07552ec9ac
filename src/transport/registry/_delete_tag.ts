/**
 * regctl's tag delete algorithm for registries without `DELETE` by tag: a
 * unique dummy image is pushed to the tag, then deleted by digest. Loaded on
 * first use by the registry transport.
 *
 * @module
 */
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf } from "../../types/digest.ts";
import { isIndexMediaType, MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import type { BlobPutOptions, CallOptions } from "../transport.ts";
import { manifestHeadAt } from "./_manifest_requests.ts";
import { putManifest } from "./_manifest_put.ts";
import { type RegistryContext, upstreamOf } from "./_registry_context.ts";

/** What {@link deleteTagWithDummy} needs of the transport. */
export interface DummyTagTarget {
  /**
   * Uploads a blob.
   *
   * @param ref repository reference
   * @param body the bytes
   * @param options digest, size, cancellation
   * @returns the descriptor
   */
  blobPut(ref: Ref, body: ReadableStream<Uint8Array>, options: BlobPutOptions): Promise<Descriptor>;
  /**
   * Deletes a manifest by digest.
   *
   * @param ref reference with the digest
   * @param options cancellation
   * @returns resolves when deleted
   */
  manifestDelete(ref: Ref, options: CallOptions): Promise<void>;
}

/**
 * Removes a tag by replacing it with a unique dummy image and deleting that
 * image by digest (the registry refused `DELETE` by tag).
 *
 * @param ctx the registry context
 * @param r normalised reference with the tag
 * @param options cancellation
 * @param t the transport's blob upload and manifest delete
 * @returns resolves when the tag is gone
 * @throws {NotFoundError} when the tag does not exist
 */
export async function deleteTagWithDummy(
  ctx: RegistryContext,
  r: Ref,
  options: CallOptions,
  t: DummyTagTarget,
): Promise<void> {
  const tagRef: Ref = { ...r, digest: "" };
  // NotFoundError when absent; read from the registry itself, never a mirror.
  const current = await manifestHeadAt(ctx, upstreamOf(ctx, r), tagRef, options);
  const dummy = await buildDeleteTagImage(r.tag, current.mediaType, new Date(ctx.now()));
  for (const blob of dummy.blobs) {
    await t.blobPut(r, ReadableStream.from([blob.bytes]), {
      digest: blob.digest,
      size: blob.bytes.byteLength,
      signal: options.signal,
    });
  }
  const { m } = await putManifest(ctx, tagRef, dummy.manifest, options, {});
  await t.manifestDelete({ ...r, tag: "", digest: m.digest }, options);
}

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

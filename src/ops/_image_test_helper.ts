/**
 * Test-only: pushes single-platform images with given layer blobs into a
 * memory transport.
 *
 * @module
 */
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { pushBlobBytes, pushManifestJson } from "../sample/push_content.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import { encodeJson } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRef, type Ref } from "../types/ref.ts";

/** A pushed test image. */
export interface _TestImage {
  /** The reference (tag). */
  ref: Ref;
  /** Manifest descriptor. */
  manifest: Descriptor;
  /** Config descriptor. */
  config: Descriptor;
  /** Layer descriptors. */
  layers: Descriptor[];
}

/** The repository used by the helpers. */
export const _REPO: Ref = parseRef("registry.example/test/app");

/**
 * Pushes an image whose layers are the given blobs (any bytes).
 * @param t memory transport
 * @param tag tag to set
 * @param layers layer blobs, base first
 * @param extra extra manifest fields (annotations)
 * @param history config history entries
 * @returns what was pushed
 */
export async function _pushImage(
  t: MemoryTransport,
  tag: string,
  layers: Uint8Array[],
  extra: Record<string, unknown> = {},
  history: string[] = [],
): Promise<_TestImage> {
  const ref = { ..._REPO, tag };
  const descs: Descriptor[] = [];
  for (const l of layers) {
    descs.push(await pushBlobBytes(t, _REPO, l, MediaType.OCI_LAYER_GZIP));
  }
  const config = await pushBlobBytes(
    t,
    _REPO,
    encodeJson({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: await Promise.all(layers.map((l) => digestOf(l))) },
      history: history.map((h) => ({ created_by: h })),
    }),
    MediaType.OCI_CONFIG,
  );
  const manifest = await pushManifestJson(
    t,
    ref,
    { schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config, layers: descs, ...extra },
    MediaType.OCI_MANIFEST,
  );
  return { ref, manifest, config, layers: descs };
}

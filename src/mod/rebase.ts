/**
 * `--rebase` and `--rebase-ref`: replace the old base image's layers and
 * history at the bottom of an image with the new base's, refusing when the
 * old base is not what the image was built on.
 *
 * @module
 */
import type { Client } from "../client.ts";
import { ManifestInvalidError } from "../errors.ts";
import { GoImage } from "../gotypes/oci_image.ts";
import { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import { readBlobCapped } from "../read_capped.ts";
import type { Platform } from "../types/descriptor.ts";
import { isImage } from "../types/manifest.ts";
import { commonName, type Ref } from "../types/ref.ts";
import {
  type GoImageDoc,
  isIndexDoc,
  type ModManifest,
  platformOf,
  remarshal,
} from "./image_graph.ts";
import type { ManifestStep, StepContext } from "./manifest_steps.ts";

/** A base image resolved for one platform. */
export interface BaseImage {
  /** Manifest digest. */
  digest: string;
  /** Layer descriptors. */
  layers: GoDescriptor[];
  /** The config. */
  image: GoImage;
}

/**
 * Reads an image (for an index, the given platform's) with its layers and config.
 *
 * @param client the client
 * @param ref the image
 * @param platform the platform wanted from an index
 * @param signal cancellation
 * @returns the image
 * @throws {NotFoundError} when missing or the platform is not in the index
 * @throws {ManifestInvalidError} when it is not an image
 */
export async function loadBaseImage(
  client: Client,
  ref: Ref,
  platform: Platform,
  signal?: AbortSignal,
): Promise<BaseImage> {
  const r = await client.resolvePlatform(ref, { platform, signal });
  const m = r.manifest;
  if (!isImage(m)) {
    throw new ManifestInvalidError(`Cannot use "${commonName(ref)}" as a base: it is not an image`);
  }
  const raw = await readBlobCapped(client, r.ref, {
    digest: m.json.config.digest,
    size: m.json.config.size,
    signal,
  });
  return {
    digest: m.digest,
    layers: m.json.layers.map((l) => GoDescriptor.fromJSON(l)),
    image: GoImage.fromJSON(JSON.parse(new TextDecoder().decode(raw))),
  };
}

function _sameHistory(a: GoImage["History"][number], b: GoImage["History"][number]): boolean {
  const t = (x: typeof a) => x.Created === null ? undefined : x.Created.UnixNano();
  return a.Author === b.Author && a.Comment === b.Comment && t(a) === t(b) &&
    a.CreatedBy === b.CreatedBy && a.EmptyLayer === b.EmptyLayer;
}

/**
 * The rebase step: for each image, checks that the old base's layers,
 * history and diff_ids are the image's first ones, then puts the new base's
 * in their place.
 *
 * @param oldBase the base the image was built on
 * @param newBase the base to move to
 * @param ctx client and names
 * @param onRebase told when an image was rebased (its layers must be walked)
 * @returns the step
 */
export function rebaseStep(
  oldBase: Ref,
  newBase: Ref,
  ctx: StepContext,
  onRebase: () => void,
): ManifestStep {
  return async (m: ModManifest) => {
    if (isIndexDoc(m.doc) || m.mod === "deleted" || m.config === undefined) return;
    const platform = platformOf(m)!;
    const [oldImg, newImg] = await Promise.all([
      loadBaseImage(ctx.client, oldBase, platform, ctx.signal),
      loadBaseImage(ctx.client, newBase, platform, ctx.signal),
    ]);
    if (oldImg.digest === newImg.digest) return;
    const name = commonName(ctx.source);
    const doc = m.doc as GoImageDoc;
    const image = m.config.image;
    const mismatch = (what: string) =>
      new ManifestInvalidError(
        `Cannot rebase "${name}": the old base "${
          commonName(oldBase)
        }" ${what} (check the base reference and digest)`,
      );
    if (oldImg.layers.length > doc.Layers.length) throw mismatch("has more layers than the image");
    oldImg.layers.forEach((l, i) => {
      if (l.Digest !== doc.Layers[i]!.Digest) {
        throw mismatch(`is not the image's first layers (layer ${i} differs)`);
      }
    });
    const oldHistory = oldImg.image.History;
    if (oldHistory.length > image.History.length) {
      throw mismatch("has more history entries than the image");
    }
    let historyLayers = 0;
    oldHistory.forEach((h, i) => {
      if (!_sameHistory(h, image.History[i]!)) throw mismatch(`history entry ${i} differs`);
      if (!h.EmptyLayer) historyLayers++;
    });
    const oldDiffs = oldImg.image.RootFS.DiffIDs;
    if (oldImg.layers.length !== historyLayers || oldImg.layers.length !== oldDiffs.length) {
      throw mismatch("has a layer count that does not match its history");
    }
    if (oldDiffs.length > image.RootFS.DiffIDs.length) {
      throw mismatch("has more rootfs entries than the image");
    }
    oldDiffs.forEach((d, i) => {
      if (image.RootFS.DiffIDs[i] !== d) throw mismatch(`rootfs entry ${i} differs`);
    });
    const newLayerCount = newImg.image.History.filter((h) => !h.EmptyLayer).length;
    if (
      newImg.layers.length !== newLayerCount ||
      newImg.image.RootFS.DiffIDs.length !== newLayerCount
    ) {
      throw new ManifestInvalidError(
        `Cannot rebase "${name}": the new base "${
          commonName(newBase)
        }" has a layer count that does not match its history`,
      );
    }
    let prune = oldImg.layers.length;
    let i = 0;
    while (prune > 0 && i < m.layers.length) {
      if (m.layers[i]!.mod === "added") {
        i++;
        continue;
      }
      m.layers.splice(i, 1);
      prune--;
    }
    m.layers.unshift(...newImg.layers.map((desc, j) => ({
      mod: "unchanged" as const,
      desc,
      ucDigest: newImg.image.RootFS.DiffIDs[j],
      from: newBase,
    })));
    doc.Layers = [...newImg.layers, ...doc.Layers.slice(oldImg.layers.length)];
    image.History = [...newImg.image.History, ...image.History.slice(oldHistory.length)];
    image.RootFS.DiffIDs = [
      ...newImg.image.RootFS.DiffIDs,
      ...image.RootFS.DiffIDs.slice(oldDiffs.length),
    ];
    m.config.modified = true;
    remarshal(m, false);
    onRebase();
  };
}

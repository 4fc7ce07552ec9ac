/**
 * The image being modified, as a graph (regclient's DAG): manifests with
 * their Go structs (re-marshalled as regclient does when they change), image
 * configs as {@link GoImage}, and layers with what happened to each.
 *
 * @module
 */
import type { Client } from "../client.ts";
import { ManifestInvalidError } from "../errors.ts";
import { marshalGoJson } from "../gotypes/go_json.ts";
import { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import { GoImage } from "../gotypes/oci_image.ts";
import {
  GoDockerList,
  GoDockerManifest,
  GoOciIndex,
  GoOciManifest,
} from "../gotypes/oci_manifest.ts";
import { readBlobCapped } from "../read_capped.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { type DigestAlgorithm, digestOf } from "../types/digest.ts";
import { isImage, isIndex, type Manifest } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { commonName, type Ref, withDigest } from "../types/ref.ts";

/** What happened to a manifest or layer. */
export type Change = "unchanged" | "added" | "replaced" | "deleted";

/** A manifest struct of any kind. */
export type GoManifestDoc = GoOciManifest | GoDockerManifest | GoOciIndex | GoDockerList;

/** An image manifest struct. */
export type GoImageDoc = GoOciManifest | GoDockerManifest;

/** Media types of image configs whose content `image mod` edits. */
export const KNOWN_CONFIGS: readonly string[] = [MediaType.OCI_CONFIG, MediaType.DOCKER_CONFIG];

/** Media types of tar layers `image mod` can rewrite. */
export const KNOWN_TARS: readonly string[] = [
  MediaType.DOCKER_LAYER,
  MediaType.DOCKER_LAYER_GZIP,
  MediaType.DOCKER_LAYER_ZSTD,
  MediaType.OCI_LAYER,
  MediaType.OCI_LAYER_GZIP,
  MediaType.OCI_LAYER_ZSTD,
];

/** A layer of an image in the graph. */
export interface ModLayer {
  /** What happened to it. */
  mod: Change;
  /** The descriptor as read (for an added layer: its media type, then its result). */
  desc: GoDescriptor;
  /** The descriptor after a rewrite. */
  newDesc?: GoDescriptor | undefined;
  /** Uncompressed digest after a rewrite or an add. */
  ucDigest?: string | undefined;
  /** Repository to read it from when not the source (a rebase's new base). */
  from?: Ref | undefined;
  /** For an added layer: opens its plain tar (shared by every image it is added to). */
  added?: AddedLayer | undefined;
}

/** A layer added by `--layer-add`. */
export interface AddedLayer {
  /** Opens the plain (uncompressed) tar; called once for each image it goes to. */
  open: () => Promise<ReadableStream<Uint8Array>>;
}

/** An image config in the graph. */
export interface ModConfig {
  /** Descriptor as read. */
  desc: Descriptor;
  /** Bytes as read (kept unless modified). */
  raw: Uint8Array;
  /** The config as regclient's struct. */
  image: GoImage;
  /** Some step changed it (it is re-marshalled). */
  modified: boolean;
  /** `--digest-algo`: pushed again under a digest of this algorithm. */
  algorithm?: DigestAlgorithm | undefined;
}

/** A manifest in the graph. */
export interface ModManifest {
  /** The manifest the reference names (not a child). */
  top: boolean;
  /** A referrer of a manifest of the image (pushed by digest, listed as a referrer). */
  referrer?: boolean | undefined;
  /** What happened to it. */
  mod: Change;
  /** Descriptor as read. */
  origDesc: Descriptor;
  /** The struct, as edited. */
  doc: GoManifestDoc;
  /** Current bytes (re-marshalled when the struct changed). */
  raw: Uint8Array;
  /** Current media type. */
  mediaType: string;
  /** Config of an image (absent for indexes and artifacts). */
  config?: ModConfig | undefined;
  /** Layers of an image. */
  layers: ModLayer[];
  /** Children of an index. */
  children: ModManifest[];
  /** `--digest-algo`: the algorithm of its digest. */
  algorithm?: DigestAlgorithm | undefined;
  /** Manifests that become referrers of this one (`--to-oci-referrers`). */
  adopted?: ModManifest[] | undefined;
}

/**
 * Tells whether a manifest struct is an index or manifest list.
 *
 * @param doc the struct
 * @returns true for an index
 */
export function isIndexDoc(doc: GoManifestDoc): doc is GoOciIndex | GoDockerList {
  return doc instanceof GoOciIndex || doc instanceof GoDockerList;
}

/**
 * Re-marshals a manifest after a change (`json.Marshal`: compact, HTML
 * characters escaped). Replacing the whole struct (regclient's `SetOrig`)
 * also fills in the media type; setting an annotation or layers does not.
 *
 * @param m the manifest
 * @param setOrig the struct was replaced as a whole
 * @returns nothing; `raw` and `mediaType` follow the struct
 */
export function remarshal(m: ModManifest, setOrig = true): void {
  if (setOrig) m.doc.MediaType = mediaTypeOf(m.doc);
  m.raw = new TextEncoder().encode(marshalGoJson(m.doc, { escapeHTML: true }));
  m.mediaType = mediaTypeOf(m.doc);
  if (m.mod === "unchanged") m.mod = "replaced";
}

/**
 * The media type of a manifest struct's kind.
 *
 * @param doc the struct
 * @returns OCI or Docker, index or image media type
 */
export function mediaTypeOf(doc: GoManifestDoc): string {
  if (doc instanceof GoOciIndex) return MediaType.OCI_INDEX;
  if (doc instanceof GoDockerList) return MediaType.DOCKER_MANIFEST_LIST;
  if (doc instanceof GoDockerManifest) return MediaType.DOCKER_MANIFEST;
  return MediaType.OCI_MANIFEST;
}

/**
 * Re-marshals a config after a change (regclient's `SetConfig`).
 *
 * @param c the config
 * @returns its new bytes
 */
export function configBytes(c: ModConfig): Uint8Array {
  return c.modified
    ? new TextEncoder().encode(marshalGoJson(c.image, { escapeHTML: true }))
    : c.raw;
}

/**
 * The platform of an image, from its config.
 *
 * @param m the manifest
 * @returns the platform, or undefined for an index or artifact
 */
export function platformOf(m: ModManifest): Platform | undefined {
  const p = m.config?.image.Platform;
  if (p === undefined) return undefined;
  return {
    os: p.OS,
    architecture: p.Architecture,
    ...(p.Variant !== "" ? { variant: p.Variant } : {}),
    ...(p.OSVersion !== "" ? { "os.version": p.OSVersion } : {}),
  };
}

/**
 * The current descriptor of a manifest.
 *
 * @param m the manifest
 * @returns media type, digest and size of the current bytes
 */
export async function currentDescriptor(m: ModManifest): Promise<Descriptor> {
  if (m.mod === "unchanged") return m.origDesc;
  return {
    mediaType: m.mediaType,
    digest: await digestOf(m.raw, m.algorithm),
    size: m.raw.byteLength,
  };
}

function _decode(manifest: Manifest, where: string): GoManifestDoc {
  const json: unknown = manifest.json;
  switch (manifest.mediaType) {
    case MediaType.OCI_INDEX:
      return GoOciIndex.fromJSON(json);
    case MediaType.DOCKER_MANIFEST_LIST:
      return GoDockerList.fromJSON(json);
    case MediaType.OCI_MANIFEST:
      return GoOciManifest.fromJSON(json);
    case MediaType.DOCKER_MANIFEST:
      return GoDockerManifest.fromJSON(json);
  }
  throw new ManifestInvalidError(
    `Cannot modify "${where}": media type "${manifest.mediaType}" is not an image or index (schema1 and artifacts manifests cannot be modified)`,
  );
}

/**
 * Reads an image into a graph: the manifest, index children, configs and
 * layer descriptors.
 *
 * @param client the client
 * @param ref the image
 * @param options cancellation
 * @returns the top manifest of the graph
 * @throws {NotFoundError} when a manifest or config is missing
 * @throws {ManifestInvalidError} for a manifest that cannot be modified
 */
export async function loadGraph(
  client: Client,
  ref: Ref,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<ModManifest> {
  const top = await loadManifest(client, ref, undefined, options.signal);
  top.top = true;
  return top;
}

/**
 * Reads one manifest of an image (and its children) into the graph.
 *
 * @param client the client
 * @param ref the repository (and tag, when `desc` is absent)
 * @param desc the manifest's descriptor
 * @param signal cancellation
 * @returns the manifest, not marked top
 * @throws {NotFoundError} when a manifest or config is missing
 * @throws {ManifestInvalidError} for a manifest that cannot be modified
 */
export async function loadManifest(
  client: Client,
  ref: Ref,
  desc: Descriptor | undefined,
  signal: AbortSignal | undefined,
): Promise<ModManifest> {
  const r = desc === undefined ? ref : withDigest(ref, desc.digest);
  const manifest = await client.manifestGet(r, { signal });
  const doc = _decode(manifest, commonName(r));
  const m: ModManifest = {
    top: false,
    mod: "unchanged",
    origDesc: { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size },
    doc,
    raw: manifest.raw,
    mediaType: manifest.mediaType,
    layers: [],
    children: [],
  };
  if (isIndex(manifest)) {
    for (const child of manifest.json.manifests) {
      m.children.push(await loadManifest(client, ref, child, signal));
    }
  } else if (isImage(manifest)) {
    const c = manifest.json.config;
    if (KNOWN_CONFIGS.includes(c.mediaType)) {
      const raw = await readBlobCapped(client, ref, { digest: c.digest, size: c.size, signal });
      let image: GoImage;
      try {
        image = GoImage.fromJSON(JSON.parse(new TextDecoder().decode(raw)));
      } catch (err) {
        throw new ManifestInvalidError(
          `Cannot modify "${commonName(r)}": its config "${c.digest}" is not a valid image config`,
          { cause: err },
        );
      }
      m.config = { desc: c, raw, image, modified: false };
    }
    for (const l of (doc as GoImageDoc).Layers) {
      m.layers.push({ mod: "unchanged", desc: l });
    }
  }
  return m;
}

/**
 * Copies a Go descriptor (a value, as in Go).
 *
 * @param d the descriptor
 * @returns a copy whose slices and maps are its own
 */
export function cloneDescriptor(d: GoDescriptor): GoDescriptor {
  return GoDescriptor.fromJSON(JSON.parse(marshalGoJson(d)));
}

/**
 * Visits every manifest, children before parents (regclient's walk order).
 *
 * @param m the top manifest
 * @param fn called for each manifest
 * @returns when every call finished
 */
export async function walkManifests(
  m: ModManifest,
  fn: (m: ModManifest) => void | Promise<void>,
): Promise<void> {
  for (const child of m.children) await walkManifests(child, fn);
  await fn(m);
}

/**
 * Manifests (OCI image manifest and index, Docker schema2 manifest and list,
 * Docker schema1 read only), parsed with validation while keeping the exact
 * bytes so the digest never changes.
 *
 * @module
 */
import { ManifestInvalidError, SizeLimitError, UnsupportedMediaTypeError } from "../errors.ts";
import { type Descriptor, isMediaType, type Platform, validateDescriptor } from "./descriptor.ts";
import { type DigestAlgorithm, digestOf, parseDigest } from "./digest.ts";
import { isIndexMediaType, MediaType } from "./media_type.ts";
import { utf8Text } from "../utf8_text.ts";

/** Largest manifest ocictl reads (8 MiB). */
export const MANIFEST_READ_LIMIT = 8 * 1024 * 1024;
/** Largest manifest ocictl writes (4 MiB). */
export const MANIFEST_WRITE_LIMIT = 4 * 1024 * 1024;

/** JSON shape of an image manifest (OCI or Docker schema2). */
export interface ImageManifestJson {
  /** Always 2. */
  schemaVersion: 2;
  /** Media type. */
  mediaType?: string;
  /** Artifact type. */
  artifactType?: string;
  /** Config descriptor. */
  config: Descriptor;
  /** Layer descriptors. */
  layers: Descriptor[];
  /** Subject descriptor. */
  subject?: Descriptor;
  /** Annotations. */
  annotations?: Record<string, string>;
}

/** JSON shape of an index (OCI index or Docker manifest list). */
export interface IndexJson {
  /** Always 2. */
  schemaVersion: 2;
  /** Media type. */
  mediaType?: string;
  /** Artifact type. */
  artifactType?: string;
  /** Child manifests. */
  manifests: Descriptor[];
  /** Subject descriptor. */
  subject?: Descriptor;
  /** Annotations. */
  annotations?: Record<string, string>;
}

/** JSON shape of a Docker schema1 manifest (read only). */
export interface Schema1Json {
  /** Always 1. */
  schemaVersion: 1;
  /** Repository name. */
  name?: string;
  /** Tag. */
  tag?: string;
  /** Architecture. */
  architecture?: string;
  /** Layer blob sums. */
  fsLayers?: { blobSum: string }[];
  /** Signatures (signed variant). */
  signatures?: unknown[];
}

/** Image config JSON (OCI and Docker share the shape). */
export interface ImageConfigJson {
  /** Creation time. */
  created?: string;
  /** Author. */
  author?: string;
  /** Architecture. */
  architecture: string;
  /** OS. */
  os: string;
  /** Variant. */
  variant?: string;
  /** Runtime config. */
  config?: Record<string, unknown>;
  /** Layer diff ids. */
  rootfs: { type: string; "diff_ids": string[] };
  /** History entries. */
  history?: Record<string, unknown>[];
  /** Other fields are kept as they are. */
  [key: string]: unknown;
}

/** A parsed manifest of any kind, with its exact bytes. */
export interface Manifest {
  /** Media type (from the body, else the one given, else detected). */
  readonly mediaType: string;
  /** Digest of {@link raw}. */
  readonly digest: string;
  /** Byte length of {@link raw}. */
  readonly size: number;
  /** The exact bytes. */
  readonly raw: Uint8Array;
  /** The parsed JSON. */
  readonly json: ImageManifestJson | IndexJson | Schema1Json;
}

/** Options of {@link parseManifest}. */
export interface ParseManifestOptions {
  /** Media type given by the source (Content-Type or descriptor). */
  mediaType?: string | undefined;
  /** Digest algorithm to use. @default "sha256" */
  algorithm?: DigestAlgorithm;
  /** Expected digest; its algorithm is used. */
  digest?: string | undefined;
  /** Size cap. @default MANIFEST_READ_LIMIT */
  limit?: number;
}

/**
 * Parses and validates manifest bytes.
 *
 * @param raw exact manifest bytes
 * @param options media type hint, digest algorithm, size cap
 * @returns the manifest with its digest
 * @throws {SizeLimitError} over the cap
 * @throws {ManifestInvalidError} not JSON, or not a valid manifest
 * @throws {UnsupportedMediaTypeError} a body whose media type is not a manifest
 *
 * @example Parse an index
 * ```ts
 * import { parseManifest } from "./manifest.ts";
 * const raw = new TextEncoder().encode('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}');
 * const m = await parseManifest(raw);
 * if (m.mediaType !== "application/vnd.oci.image.index.v1+json") throw new Error("bad");
 * ```
 */
export async function parseManifest(
  raw: Uint8Array,
  options: ParseManifestOptions = {},
): Promise<Manifest> {
  const limit = options.limit ?? MANIFEST_READ_LIMIT;
  if (raw.byteLength > limit) throw new SizeLimitError("manifest", limit);
  let json: unknown;
  try {
    json = JSON.parse(utf8Text(raw, true));
  } catch (err) {
    throw new ManifestInvalidError(`Cannot parse manifest: not valid JSON (${String(err)})`, {
      cause: err,
    });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ManifestInvalidError("Cannot parse manifest: not a JSON object");
  }
  const obj = json as Record<string, unknown>;
  const mediaType = _detectMediaType(obj, options.mediaType);
  _validate(obj, mediaType);
  const algorithm = options.digest
    ? parseDigest(options.digest).algorithm
    : (options.algorithm ?? "sha256");
  return {
    mediaType,
    digest: await digestOf(raw, algorithm),
    size: raw.byteLength,
    raw,
    json: obj as unknown as Manifest["json"],
  };
}

function _detectMediaType(obj: Record<string, unknown>, hint: string | undefined): string {
  const hintType = hint?.split(";")[0]?.trim();
  if (obj.schemaVersion === 1) {
    if (obj.signatures !== undefined) return MediaType.DOCKER_SCHEMA1_SIGNED;
    return hintType === MediaType.DOCKER_SCHEMA1_SIGNED
      ? MediaType.DOCKER_SCHEMA1_SIGNED
      : MediaType.DOCKER_SCHEMA1;
  }
  if (obj.mediaType !== undefined) {
    if (!isMediaType(obj.mediaType)) {
      throw new ManifestInvalidError("Cannot parse manifest: invalid mediaType field");
    }
    return obj.mediaType;
  }
  if (hintType && hintType !== "application/json" && hintType !== MediaType.OCTET_STREAM) {
    return hintType;
  }
  if (Array.isArray(obj.manifests)) return MediaType.OCI_INDEX;
  if (obj.config !== undefined) return MediaType.OCI_MANIFEST;
  throw new ManifestInvalidError("Cannot parse manifest: cannot tell its media type");
}

function _validate(obj: Record<string, unknown>, mediaType: string): void {
  switch (mediaType) {
    case MediaType.DOCKER_SCHEMA1:
    case MediaType.DOCKER_SCHEMA1_SIGNED:
      if (obj.schemaVersion !== 1 || !Array.isArray(obj.fsLayers)) {
        throw new ManifestInvalidError("Cannot parse schema1 manifest: missing fsLayers");
      }
      return;
    case MediaType.OCI_INDEX:
    case MediaType.DOCKER_MANIFEST_LIST: {
      _schemaVersion2(obj);
      if (!Array.isArray(obj.manifests)) {
        throw new ManifestInvalidError('Cannot parse index: "manifests" must be an array');
      }
      obj.manifests.forEach((d, i) => validateDescriptor(d, `manifests[${i}]`));
      if (obj.subject != null) validateDescriptor(obj.subject, "subject");
      return;
    }
    case MediaType.OCI_MANIFEST:
    case MediaType.DOCKER_MANIFEST: {
      _schemaVersion2(obj);
      validateDescriptor(obj.config, "config");
      if (!Array.isArray(obj.layers)) {
        throw new ManifestInvalidError('Cannot parse manifest: "layers" must be an array');
      }
      obj.layers.forEach((d, i) => validateDescriptor(d, `layers[${i}]`));
      if (obj.subject != null) validateDescriptor(obj.subject, "subject");
      return;
    }
    case MediaType.OCI_ARTIFACT:
      if (Array.isArray(obj.blobs)) {
        obj.blobs.forEach((d, i) => validateDescriptor(d, `blobs[${i}]`));
      }
      return;
    default:
      throw new UnsupportedMediaTypeError(
        `Cannot parse manifest: media type "${mediaType}" is not a manifest type`,
      );
  }
}

function _schemaVersion2(obj: Record<string, unknown>): void {
  if (obj.schemaVersion !== 2) {
    throw new ManifestInvalidError("Cannot parse manifest: schemaVersion must be 2");
  }
}

/**
 * Tells whether a manifest is an index or manifest list.
 *
 * @param m manifest
 * @returns true for indexes
 */
export function isIndex(m: Manifest): m is Manifest & { json: IndexJson } {
  return isIndexMediaType(m.mediaType);
}

/**
 * Tells whether a manifest is a single image (OCI or Docker schema2).
 *
 * @param m manifest
 * @returns true for image manifests with a config
 */
export function isImage(m: Manifest): m is Manifest & { json: ImageManifestJson } {
  return m.mediaType === MediaType.OCI_MANIFEST || m.mediaType === MediaType.DOCKER_MANIFEST;
}

/**
 * Returns the descriptor of a manifest (media type, digest, size, and the
 * artifact type when it has one).
 *
 * @param m manifest
 * @returns its descriptor
 */
export function manifestDescriptor(m: Manifest): Descriptor {
  const d: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.size };
  const at = artifactTypeOf(m);
  if (at !== undefined) d.artifactType = at;
  return d;
}

/**
 * The artifact type of a manifest: its `artifactType`, else the config media
 * type when that is not a regular image config.
 *
 * @param m manifest
 * @returns artifact type or undefined
 */
export function artifactTypeOf(m: Manifest): string | undefined {
  const j = m.json as Partial<ImageManifestJson & IndexJson>;
  if (typeof j.artifactType === "string") return j.artifactType;
  if (isImage(m)) {
    const cfg = m.json.config.mediaType;
    if (cfg !== MediaType.OCI_CONFIG && cfg !== MediaType.DOCKER_CONFIG) return cfg;
  }
  return undefined;
}

/**
 * The descriptors a manifest refers to (children of an index; config and
 * layers of an image), subject excluded.
 *
 * @param m manifest
 * @returns referenced descriptors in document order
 */
export function manifestReferences(m: Manifest): Descriptor[] {
  if (isIndex(m)) return [...m.json.manifests];
  if (isImage(m)) return [m.json.config, ...m.json.layers];
  if (m.mediaType === MediaType.OCI_ARTIFACT) {
    return [...((m.json as unknown as { blobs?: Descriptor[] }).blobs ?? [])];
  }
  return [];
}

/**
 * The subject of a manifest, if any.
 *
 * @param m manifest
 * @returns subject descriptor or undefined
 */
export function subjectOf(m: Manifest): Descriptor | undefined {
  const s = (m.json as { subject?: Descriptor | null }).subject;
  return s ?? undefined;
}

/**
 * Serialises a JSON value to manifest bytes (2-space indent, like regctl's
 * created manifests).
 *
 * @param value manifest JSON
 * @returns UTF-8 bytes
 */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2));
}

/** Re-exported for convenience. */
export type { Platform };

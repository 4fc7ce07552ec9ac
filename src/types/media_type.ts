/**
 * Media type constants for OCI and Docker content.
 *
 * @module
 */

/** Known media types. */
export const MediaType = {
  /** OCI image index. */
  OCI_INDEX: "application/vnd.oci.image.index.v1+json",
  /** OCI image manifest. */
  OCI_MANIFEST: "application/vnd.oci.image.manifest.v1+json",
  /** OCI image config. */
  OCI_CONFIG: "application/vnd.oci.image.config.v1+json",
  /** OCI empty descriptor content (`{}`). */
  OCI_EMPTY: "application/vnd.oci.empty.v1+json",
  /** OCI layout header file. */
  OCI_LAYOUT_HEADER: "application/vnd.oci.layout.header.v1+json",
  /** OCI uncompressed layer. */
  OCI_LAYER: "application/vnd.oci.image.layer.v1.tar",
  /** OCI gzip layer. */
  OCI_LAYER_GZIP: "application/vnd.oci.image.layer.v1.tar+gzip",
  /** OCI zstd layer. */
  OCI_LAYER_ZSTD: "application/vnd.oci.image.layer.v1.tar+zstd",
  /** OCI non-distributable layer (deprecated). */
  OCI_LAYER_FOREIGN: "application/vnd.oci.image.layer.nondistributable.v1.tar",
  /** OCI non-distributable gzip layer (deprecated). */
  OCI_LAYER_FOREIGN_GZIP: "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  /** OCI non-distributable zstd layer (deprecated). */
  OCI_LAYER_FOREIGN_ZSTD: "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  /** Legacy OCI artifact manifest (experimental, read only). */
  OCI_ARTIFACT: "application/vnd.oci.artifact.manifest.v1+json",
  /** Docker schema2 manifest list. */
  DOCKER_MANIFEST_LIST: "application/vnd.docker.distribution.manifest.list.v2+json",
  /** Docker schema2 manifest. */
  DOCKER_MANIFEST: "application/vnd.docker.distribution.manifest.v2+json",
  /** Docker schema1 manifest (read only). */
  DOCKER_SCHEMA1: "application/vnd.docker.distribution.manifest.v1+json",
  /** Docker schema1 signed manifest (read only). */
  DOCKER_SCHEMA1_SIGNED: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  /** Docker image config. */
  DOCKER_CONFIG: "application/vnd.docker.container.image.v1+json",
  /** Docker gzip layer. */
  DOCKER_LAYER_GZIP: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  /** Docker uncompressed layer. */
  DOCKER_LAYER: "application/vnd.docker.image.rootfs.diff.tar",
  /** Docker zstd layer. */
  DOCKER_LAYER_ZSTD: "application/vnd.docker.image.rootfs.diff.tar.zstd",
  /** Docker foreign layer. */
  DOCKER_LAYER_FOREIGN: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
  /** Generic binary content. */
  OCTET_STREAM: "application/octet-stream",
} as const;

/** Media types that are indexes (lists of manifests). */
export const INDEX_MEDIA_TYPES: readonly string[] = [
  MediaType.OCI_INDEX,
  MediaType.DOCKER_MANIFEST_LIST,
];

/** Media types that are single-image manifests. */
export const IMAGE_MEDIA_TYPES: readonly string[] = [
  MediaType.OCI_MANIFEST,
  MediaType.DOCKER_MANIFEST,
  MediaType.DOCKER_SCHEMA1,
  MediaType.DOCKER_SCHEMA1_SIGNED,
  MediaType.OCI_ARTIFACT,
];

/** Every manifest media type, in the order sent in an `Accept` header. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.OCI_INDEX,
  MediaType.OCI_MANIFEST,
  MediaType.DOCKER_MANIFEST_LIST,
  MediaType.DOCKER_MANIFEST,
  MediaType.DOCKER_SCHEMA1_SIGNED,
  MediaType.DOCKER_SCHEMA1,
  MediaType.OCI_ARTIFACT,
];

/**
 * Tells whether a media type is an index or manifest list.
 *
 * @param mediaType media type string
 * @returns true for OCI index and Docker manifest list
 */
export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

/**
 * Tells whether a media type is any manifest type (index or image).
 *
 * @param mediaType media type string
 * @returns true for every known manifest type
 */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** The empty JSON descriptor `{}` of the image spec. */
export const EMPTY_DESCRIPTOR = {
  mediaType: MediaType.OCI_EMPTY,
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30=",
} as const;

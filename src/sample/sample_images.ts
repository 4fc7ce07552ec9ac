/**
 * A fixed, deterministic set of sample images pushed into any
 * {@link Transport}: a two-platform OCI index (`v1`), an SBOM artifact whose
 * subject is that index, a Docker schema2 manifest list (`docker`) and a
 * single OCI image (`single`). Used by tests, `deno task demo` and benchmarks.
 * Everything is generated in code, so it also works in a compiled binary.
 *
 * @module
 */
import type { Transport } from "../transport/transport.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import {
  encodeJson,
  type ImageConfigJson,
  type ImageManifestJson,
  type IndexJson,
} from "../types/manifest.ts";
import { EMPTY_DESCRIPTOR, MediaType } from "../types/media_type.ts";
import { type Ref, withDigest, withoutReference, withTag } from "../types/ref.ts";
import { _checkAborted } from "./_abort.ts";
import { buildLayer, type LayerEntry } from "./layer_builder.ts";
import { pushBlobBytes, pushManifestJson } from "./push_content.ts";

export { pushBlobBytes, pushManifestJson } from "./push_content.ts";
export type { PushBlobOptions, PushManifestOptions } from "./push_content.ts";

/** Creation time written in configs, history and annotations. */
export const SAMPLE_CREATED = "2024-01-01T00:00:00Z";

/** Artifact type of the sample SBOM artifact. */
export const SAMPLE_ARTIFACT_TYPE = "application/vnd.example.sbom+json";

/** Tags set by {@link buildSampleImages}. */
export const SAMPLE_TAGS = {
  /** Two-platform OCI index. */
  index: "v1",
  /** Docker schema2 manifest list. */
  docker: "docker",
  /** Single OCI image. */
  single: "single",
} as const;

/** One pushed image (manifest, config and layers). */
export interface SampleImage {
  /** Platform of the image. */
  platform: Platform;
  /** Descriptor of the image manifest (without `platform`). */
  manifest: Descriptor;
  /** Descriptor of the config blob. */
  config: Descriptor;
  /** Descriptors of the layer blobs, base first. */
  layers: Descriptor[];
  /** DiffIDs of the layers (digests of the uncompressed tars), base first. */
  diffIds: string[];
}

/** Everything {@link buildSampleImages} pushed. */
export interface SampleSet {
  /** References of the tags set and of the artifact (by digest). */
  refs: {
    /** `repo:v1`. */
    index: Ref;
    /** `repo:docker`. */
    docker: Ref;
    /** `repo:single`. */
    single: Ref;
    /** `repo@<artifact digest>` (no tag). */
    artifact: Ref;
  };
  /** The OCI index tagged `v1`. */
  index: Descriptor;
  /** Its children: linux/amd64, then linux/arm64/v8. */
  images: SampleImage[];
  /** The SBOM artifact manifest (with `artifactType`), subject = {@link index}. */
  artifact: Descriptor;
  /** The artifact's single layer (the SBOM JSON). */
  artifactLayer: Descriptor;
  /** The artifact's config: the empty descriptor. */
  artifactConfig: Descriptor;
  /** The Docker manifest list tagged `docker`. */
  dockerList: Descriptor;
  /** Its children: linux/amd64, then linux/arm64/v8. */
  dockerImages: SampleImage[];
  /** The OCI image tagged `single` (linux/amd64). */
  single: SampleImage;
  /** Every manifest pushed, in push order (children before parents). */
  manifests: Descriptor[];
  /** Every distinct blob pushed, in push order. */
  blobs: Descriptor[];
}

/** Options of {@link buildSampleImages}. */
export interface BuildSampleOptions {
  /** Cancels the pushes. */
  signal?: AbortSignal | undefined;
}

const PLATFORMS: readonly Platform[] = [
  { architecture: "amd64", os: "linux" },
  { architecture: "arm64", os: "linux", variant: "v8" },
];

/**
 * Builds the sample images and pushes them into `transport` under `repo`,
 * children before parents. The same transport contents come out on every run,
 * so digests can be compared between runs and machines.
 *
 * @param transport destination
 * @param repo repository to push into (its tag and digest are ignored)
 * @param options cancellation
 * @returns every descriptor pushed
 * @throws {AbortedError} the signal was aborted
 * @throws {OciError} whatever the transport throws
 *
 * @example Push the samples and read the tags back
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { buildSampleImages } from "./sample_images.ts";
 * const transport = new MemoryTransport();
 * const repo = { scheme: "reg" as const, registry: "example.com", repository: "sample", path: "", tag: "", digest: "" };
 * const set = await buildSampleImages(transport, repo);
 * assert.deepEqual(await transport.tagList(repo), ["docker", "single", "v1"]);
 * assert.equal((await transport.manifestHead(set.refs.index)).digest, set.index.digest);
 * ```
 */
export async function buildSampleImages(
  transport: Transport,
  repo: Ref,
  options: BuildSampleOptions = {},
): Promise<SampleSet> {
  const { signal } = options;
  const base = withoutReference(repo);
  const pusher = new _Pusher(transport, base, signal);

  // tag v1: OCI index of two platform images
  const images: SampleImage[] = [];
  for (const platform of PLATFORMS) {
    images.push(await _pushImage(pusher, platform, "oci", true));
  }
  const indexJson: IndexJson = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    manifests: images.map((img) => ({ ...img.manifest, platform: img.platform })),
    annotations: {
      "org.opencontainers.image.created": SAMPLE_CREATED,
      "org.opencontainers.image.description": "ocictl sample multi-platform image",
    },
  };
  const indexRef = withTag(base, SAMPLE_TAGS.index);
  const index = await pusher.manifest(indexRef, indexJson, MediaType.OCI_INDEX, false);

  // untagged SBOM artifact referring to the index
  const artifactConfig = await pusher.blob(new TextEncoder().encode("{}"), MediaType.OCI_EMPTY);
  const sbom = encodeJson({
    spdxVersion: "SPDX-2.3",
    name: "ocictl-sample",
    packages: [{ name: "hello", versionInfo: "1.0.0" }],
  });
  const artifactLayer: Descriptor = {
    ...(await pusher.blob(sbom, SAMPLE_ARTIFACT_TYPE)),
    annotations: { "org.opencontainers.image.title": "sbom.spdx.json" },
  };
  const artifactJson: ImageManifestJson = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    artifactType: SAMPLE_ARTIFACT_TYPE,
    config: { ...EMPTY_DESCRIPTOR },
    layers: [artifactLayer],
    subject: { mediaType: index.mediaType, digest: index.digest, size: index.size },
    annotations: {
      "org.opencontainers.image.created": SAMPLE_CREATED,
      "org.opencontainers.image.description": "ocictl sample SBOM",
    },
  };
  const artifact = await pusher.manifest(base, artifactJson, MediaType.OCI_MANIFEST, false);

  // tag docker: Docker schema2 manifest list
  const dockerImages: SampleImage[] = [];
  for (const platform of PLATFORMS) {
    dockerImages.push(await _pushImage(pusher, platform, "docker", true));
  }
  const dockerJson: IndexJson = {
    schemaVersion: 2,
    mediaType: MediaType.DOCKER_MANIFEST_LIST,
    manifests: dockerImages.map((img) => ({ ...img.manifest, platform: img.platform })),
  };
  const dockerRef = withTag(base, SAMPLE_TAGS.docker);
  const dockerList = await pusher.manifest(
    dockerRef,
    dockerJson,
    MediaType.DOCKER_MANIFEST_LIST,
    false,
  );

  // tag single: one OCI image
  const singleRef = withTag(base, SAMPLE_TAGS.single);
  const single = await _pushImage(pusher, PLATFORMS[0] as Platform, "single", false, singleRef);

  return {
    refs: {
      index: indexRef,
      docker: dockerRef,
      single: singleRef,
      artifact: withDigest(base, artifact.digest),
    },
    index,
    images,
    artifact,
    artifactLayer,
    artifactConfig: { ...artifactConfig, data: EMPTY_DESCRIPTOR.data },
    dockerList,
    dockerImages,
    single,
    manifests: pusher.manifests,
    blobs: pusher.blobs,
  };
}

type _Flavor = "oci" | "docker" | "single";

/** Pushes content and records every descriptor. */
class _Pusher {
  readonly manifests: Descriptor[] = [];
  readonly blobs: Descriptor[] = [];
  readonly #transport: Transport;
  readonly #repo: Ref;
  readonly #signal: AbortSignal | undefined;
  readonly #seen = new Set<string>();

  constructor(transport: Transport, repo: Ref, signal: AbortSignal | undefined) {
    this.#transport = transport;
    this.#repo = repo;
    this.#signal = signal;
  }

  async blob(bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
    const d = await pushBlobBytes(this.#transport, this.#repo, bytes, mediaType, {
      signal: this.#signal,
    });
    if (!this.#seen.has(d.digest)) {
      this.#seen.add(d.digest);
      this.blobs.push(d);
    }
    return d;
  }

  async manifest(ref: Ref, json: unknown, mediaType: string, child: boolean): Promise<Descriptor> {
    const d = await pushManifestJson(this.#transport, ref, json, mediaType, {
      child,
      signal: this.#signal,
    });
    this.manifests.push(d);
    return d;
  }

  get signal(): AbortSignal | undefined {
    return this.#signal;
  }

  get repo(): Ref {
    return this.#repo;
  }
}

async function _pushImage(
  pusher: _Pusher,
  platform: Platform,
  flavor: _Flavor,
  child: boolean,
  ref?: Ref,
): Promise<SampleImage> {
  _checkAborted(pusher.signal);
  const docker = flavor === "docker";
  const layerType = docker ? MediaType.DOCKER_LAYER_GZIP : MediaType.OCI_LAYER_GZIP;
  const built = [
    await buildLayer(_baseEntries(platform, flavor), { mediaType: layerType }),
    await buildLayer(_appEntries(platform, flavor), { mediaType: layerType }),
  ];
  const layers: Descriptor[] = [];
  for (const layer of built) {
    layers.push(await pusher.blob(layer.bytes, layer.descriptor.mediaType));
  }
  const diffIds = built.map((l) => l.diffId);
  const config = await pusher.blob(
    encodeJson(_config(platform, flavor, diffIds)),
    docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG,
  );
  const mediaType = docker ? MediaType.DOCKER_MANIFEST : MediaType.OCI_MANIFEST;
  const json: ImageManifestJson = { schemaVersion: 2, mediaType, config, layers };
  if (!docker) json.annotations = { "org.opencontainers.image.created": SAMPLE_CREATED };
  const manifest = await pusher.manifest(ref ?? pusher.repo, json, mediaType, child);
  return { platform: { ...platform }, manifest, config, layers, diffIds };
}

function _platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((s) => s !== undefined).join("/");
}

function _baseEntries(platform: Platform, flavor: _Flavor): LayerEntry[] {
  const plat = _platformString(platform);
  return [
    { path: "bin/", type: "dir" },
    {
      path: "bin/sh",
      type: "file",
      mode: 0o755,
      content: `#!/bin/sh\necho "ocictl sample shell (${plat})"\n`,
    },
    { path: "bin/ash", type: "symlink", linkname: "sh" },
    { path: "bin/hush", type: "hardlink", linkname: "bin/sh", mode: 0o755 },
    { path: "etc/", type: "dir" },
    {
      path: "etc/os-release",
      type: "file",
      content: `NAME="ocictl sample"\nID=ocictl-sample\nVERSION_ID=1\nVARIANT_ID=${flavor}\n` +
        `ARCHITECTURE=${platform.architecture}${platform.variant ?? ""}\nPLATFORM=${plat}\n`,
    },
    { path: "etc/removed.conf", type: "file", content: "# removed by the second layer\n" },
    { path: "var/", type: "dir" },
    { path: "var/cache/", type: "dir" },
    {
      path: "var/cache/old.txt",
      type: "file",
      content: "hidden by the opaque whiteout of the second layer\n",
    },
  ];
}

function _appEntries(platform: Platform, flavor: _Flavor): LayerEntry[] {
  return [
    { path: "app/", type: "dir" },
    {
      path: "app/hello.txt",
      type: "file",
      content: `hello from the ocictl ${flavor} sample on ${_platformString(platform)}\n`,
    },
    { path: "etc/", type: "dir" },
    { path: "etc/.wh.removed.conf", type: "file" },
    { path: "var/", type: "dir" },
    { path: "var/cache/", type: "dir" },
    { path: "var/cache/.wh..wh..opq", type: "file" },
    { path: "var/cache/new.txt", type: "file", content: "written after the opaque whiteout\n" },
  ];
}

function _config(platform: Platform, flavor: _Flavor, diffIds: string[]): ImageConfigJson {
  const cfg: ImageConfigJson = {
    created: SAMPLE_CREATED,
    author: "ocictl sample builder",
    architecture: platform.architecture,
    os: platform.os,
    config: {
      Env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        `SAMPLE_FLAVOR=${flavor}`,
      ],
      Cmd: ["/bin/sh"],
      WorkingDir: "/app",
      Labels: {
        "org.example.sample.flavor": flavor,
        "org.opencontainers.image.title": "ocictl sample",
      },
    },
    rootfs: { type: "layers", diff_ids: [...diffIds] },
    history: [
      { created: SAMPLE_CREATED, created_by: "ADD base.tar / # sample base layer" },
      { created: SAMPLE_CREATED, created_by: "COPY app/ /app/ # whiteouts and app files" },
      { created: SAMPLE_CREATED, created_by: 'CMD ["/bin/sh"]', empty_layer: true },
    ],
  };
  if (platform.variant !== undefined) cfg.variant = platform.variant;
  return cfg;
}

/**
 * `image import`: reads an image tar (an OCI layout tar, or any of the three
 * `docker save` shapes, optionally gzip or zstd compressed) and pushes one
 * image to a reference. The tar is staged into a temp directory first and
 * everything is verified there (blob names against their bytes, layer
 * DiffIDs against the config, every referenced blob present) before the
 * first write to the target, so bad input writes nothing.
 *
 * @module
 */
import { ArchiveError } from "../archive/archive_error.ts";
import { type Compression, openDecompressed } from "../archive/compression.ts";
import { DigestMismatchError, ManifestInvalidError, NotFoundError } from "../errors.ts";
import { readCapped } from "../read_capped.ts";
import { OciDirTransport } from "../transport/ocidir/ocidir_transport.ts";
import type { OciFileSystem } from "../transport/ocifile/file_system.ts";
import {
  resolveStaged,
  stageArchive,
  type StagedArchive,
} from "../transport/ocifile/stage_archive.ts";
import type { Transport } from "../transport/transport.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import { createHasher } from "../types/hasher.ts";
import {
  encodeJson,
  type ImageManifestJson,
  isIndex,
  MANIFEST_READ_LIMIT,
  manifestReferences,
  parseManifest,
} from "../types/manifest.ts";
import { isManifestMediaType, MediaType } from "../types/media_type.ts";
import { parseRef, type Ref } from "../types/ref.ts";
import { VerifyStream } from "../verify_stream.ts";
import { copyImage } from "./copy.ts";
import { familiarName } from "./image_export.ts";

/** Options of {@link importImage}. */
export interface ImageImportOptions {
  /** The file-system seam (temp directory, staged files). */
  fs: OciFileSystem;
  /** Image to pick in a tar holding several (tag, `repo:tag` or full name). */
  name?: string | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** What {@link importImage} did. */
export interface ImageImportResult {
  /** Digest of the manifest pushed. */
  digest: string;
  /** Its media type. */
  mediaType: string;
  /** `oci` when read from the OCI layout, `docker` when built from `manifest.json`. */
  source: "oci" | "docker";
}

interface _DockerEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

function _familiar(name: string): string | undefined {
  try {
    const r = parseRef(name);
    return r.scheme === "reg" ? familiarName(r) : undefined;
  } catch {
    return undefined;
  }
}

function _sameName(want: string, candidates: readonly string[]): boolean {
  const norm = _familiar(want);
  return candidates.some((c) => c === want || (norm !== undefined && _familiar(c) === norm));
}

async function _readStaged(
  fs: OciFileSystem,
  staged: StagedArchive,
  path: string,
): Promise<Uint8Array> {
  const p = resolveStaged(staged, path);
  return await readCapped(await fs.open(`${staged.dir}/${p}`), MANIFEST_READ_LIMIT, `"${path}"`);
}

function _layerType(c: Compression): string {
  return c === "gzip"
    ? MediaType.DOCKER_LAYER_GZIP
    : c === "zstd"
    ? MediaType.DOCKER_LAYER_ZSTD
    : MediaType.DOCKER_LAYER;
}

/**
 * Imports one image from a tar into a reference.
 *
 * @param target transport of the reference
 * @param ref where to push (tag or digest)
 * @param tar the tar bytes (consumed)
 * @param options file-system seam, name to pick, cancellation
 * @returns the digest pushed
 * @throws {ArchiveError} for unsafe names, a corrupt tar, a missing blob, or a tar with neither `index.json` nor `manifest.json`
 * @throws {DigestMismatchError} when a blob or a layer DiffID does not match
 * @throws {NotFoundError} when `name` matches no image
 */
export async function importImage(
  target: Transport,
  ref: Ref,
  tar: ReadableStream<Uint8Array>,
  options: ImageImportOptions,
): Promise<ImageImportResult> {
  const { fs, signal } = options;
  let tmp: string;
  try {
    tmp = await fs.makeTempDir("ocictl_import_");
  } catch (err) {
    await tar.cancel(err).catch(() => {});
    throw err;
  }
  const src = new OciDirTransport({ fs });
  try {
    const staged = await stageArchive(fs, tar, tmp, { subject: "the image tar", signal });
    if (staged.files.has("index.json")) {
      return await _importOci(fs, staged, src, target, ref, options);
    }
    if (staged.files.has("manifest.json")) {
      return await _importDocker(fs, staged, target, ref, options);
    }
    throw new ArchiveError(
      "index.json",
      "Cannot import the image tar: it has neither index.json (OCI layout) nor manifest.json (docker save)",
    );
  } finally {
    await src.close().catch(() => {});
    await fs.removeTree(tmp).catch(() => {});
  }
}

async function _importOci(
  fs: OciFileSystem,
  staged: StagedArchive,
  src: OciDirTransport,
  target: Transport,
  ref: Ref,
  options: ImageImportOptions,
): Promise<ImageImportResult> {
  const index = await parseManifest(await _readStaged(fs, staged, "index.json"), {
    mediaType: MediaType.OCI_INDEX,
  });
  if (!isIndex(index)) {
    throw new ManifestInvalidError("Cannot import the image tar: index.json is not an index");
  }
  const entries = index.json.manifests;
  let entry: Descriptor | undefined = entries[0];
  if (options.name !== undefined) {
    const name = options.name;
    entry = entries.find((d) => {
      const a = d.annotations ?? {};
      const names = [
        a["org.opencontainers.image.ref.name"],
        a["io.containerd.image.name"],
      ].filter((x): x is string => x !== undefined);
      return _sameName(name, names);
    });
    if (entry === undefined) {
      throw new NotFoundError(
        `Cannot find image "${name}" in the image tar (names come from index.json annotations)`,
      );
    }
  }
  if (entry === undefined) {
    throw new ArchiveError("index.json", "Cannot import the image tar: index.json lists no image");
  }
  const srcRef: Ref = {
    scheme: "ocidir",
    registry: "",
    repository: "",
    path: staged.dir,
    tag: "",
    digest: entry.digest,
  };
  // Check every manifest and referenced blob before writing anything.
  const seen = new Set<string>();
  const check = async (digest: string): Promise<void> => {
    if (seen.has(digest)) return;
    seen.add(digest);
    const m = await src.manifestGet({ ...srcRef, digest }, { signal: options.signal });
    for (const d of manifestReferences(m)) {
      if (isManifestMediaType(d.mediaType)) await check(d.digest);
      else if ((d.urls?.length ?? 0) === 0) {
        const p = `blobs/${d.digest.replace(":", "/")}`;
        if (!staged.files.has(p)) {
          throw new ArchiveError(p, `Cannot import the image tar: blob "${d.digest}" is missing`);
        }
      }
    }
  };
  await check(entry.digest);
  const r = await copyImage(
    { transport: src, ref: srcRef },
    { transport: target, ref },
    { signal: options.signal },
  );
  return { digest: r.digest, mediaType: r.mediaType, source: "oci" };
}

async function _importDocker(
  fs: OciFileSystem,
  staged: StagedArchive,
  target: Transport,
  ref: Ref,
  options: ImageImportOptions,
): Promise<ImageImportResult> {
  const { signal } = options;
  let list: unknown;
  try {
    list = JSON.parse(new TextDecoder().decode(await _readStaged(fs, staged, "manifest.json")));
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ManifestInvalidError("Cannot import the image tar: manifest.json is not JSON", {
      cause: err,
    });
  }
  if (!Array.isArray(list) || list.length === 0) {
    throw new ManifestInvalidError("Cannot import the image tar: manifest.json lists no image");
  }
  const all = list as _DockerEntry[];
  let entry: _DockerEntry | undefined = all[0];
  if (options.name !== undefined) {
    const name = options.name;
    entry = all.find((e) =>
      Array.isArray(e.RepoTags) &&
      _sameName(name, e.RepoTags.filter((t): t is string => typeof t === "string"))
    );
    if (entry === undefined) {
      throw new NotFoundError(`Cannot find image "${name}" in manifest.json of the image tar`);
    }
  }
  if (
    entry === undefined || typeof entry.Config !== "string" || !Array.isArray(entry.Layers) ||
    !entry.Layers.every((l) => typeof l === "string")
  ) {
    throw new ManifestInvalidError(
      "Cannot import the image tar: a manifest.json entry needs Config and Layers",
    );
  }
  const configBytes = await _readStaged(fs, staged, entry.Config);
  let config: { rootfs?: { diff_ids?: unknown } };
  try {
    config = JSON.parse(new TextDecoder().decode(configBytes));
  } catch (err) {
    throw new ManifestInvalidError("Cannot import the image tar: the config is not JSON", {
      cause: err,
    });
  }
  const diffIds = config.rootfs?.diff_ids;
  const layerPaths = entry.Layers as string[];
  if (!Array.isArray(diffIds) || diffIds.length !== layerPaths.length) {
    throw new ManifestInvalidError(
      "Cannot import the image tar: the config's rootfs.diff_ids do not match the layer count",
    );
  }
  const configDesc: Descriptor = {
    mediaType: MediaType.DOCKER_CONFIG,
    digest: await digestOf(configBytes),
    size: configBytes.byteLength,
  };
  const layers: { desc: Descriptor; path: string }[] = [];
  for (const [i, lp] of layerPaths.entries()) {
    const path = `${staged.dir}/${resolveStaged(staged, lp)}`;
    const v = new VerifyStream({ subject: `layer "${lp}"` });
    const opened = await openDecompressed(
      (await fs.open(path)).pipeThrough(v),
      `layer "${lp}"`,
    );
    const h = createHasher("sha256");
    for await (const chunk of opened.body) h.update(chunk);
    const diffId = h.digest();
    if (diffId !== diffIds[i]) {
      throw new DigestMismatchError(`layer "${lp}" of the image tar`, String(diffIds[i]), diffId);
    }
    layers.push({
      desc: { mediaType: _layerType(opened.compression), digest: v.digest ?? "", size: v.count },
      path,
    });
  }
  const json: ImageManifestJson = {
    schemaVersion: 2,
    mediaType: MediaType.DOCKER_MANIFEST,
    config: configDesc,
    layers: layers.map((l) => l.desc),
  };
  const raw = encodeJson(json);
  await target.blobPut(ref, ReadableStream.from([configBytes]), {
    digest: configDesc.digest,
    size: configDesc.size,
    signal,
  });
  for (const l of layers) {
    await target.blobPut(ref, await fs.open(l.path), {
      digest: l.desc.digest,
      size: l.desc.size,
      signal,
    });
  }
  const d = await target.manifestPut(ref, raw, { mediaType: MediaType.DOCKER_MANIFEST, signal });
  return { digest: d.digest, mediaType: MediaType.DOCKER_MANIFEST, source: "docker" };
}

/**
 * Artifacts as regctl's `artifact put` and `artifact get` handle them: an OCI
 * image manifest shaped by the image spec's artifact guidance (`artifactType`,
 * empty config descriptor with `data`, titled layers, `subject`), pushed with
 * every blob streamed and hashed on the way to the transport; and the
 * selection of an artifact and its layers for reading.
 *
 * @module
 */
import { NotFoundError, UnsupportedMediaTypeError, UsageError } from "../errors.ts";
import type { Client } from "../client.ts";
import type { CallOptions } from "../transport/transport.ts";
import { type Descriptor, isMediaType, type Platform } from "../types/descriptor.ts";
import {
  encodeJson,
  type ImageManifestJson,
  type IndexJson,
  isImage,
  isIndex,
  type Manifest,
  manifestDescriptor,
  parseManifest,
} from "../types/manifest.ts";
import { EMPTY_DESCRIPTOR, MediaType } from "../types/media_type.ts";
import {
  commonName,
  equalRepository,
  type Ref,
  withDigest,
  withoutReference,
} from "../types/ref.ts";
import { type _DirSink, _extractTarGz, _safeRelative } from "./_dir_tar.ts";
import { queryReferrers, type ReferrerMatch, resolveSubject } from "./referrer_query.ts";

export { _packDirectory as packDirectory } from "./_dir_tar.ts";
export type {
  _DirEntry as DirEntry,
  _DirSink as DirSink,
  _DirSource as DirSource,
} from "./_dir_tar.ts";

/** Artifact type used (with a warning) when none is given and there is no config. */
export const DEFAULT_ARTIFACT_TYPE = "application/vnd.unknown.config+json";
/** Media type of a file layer when none is given. */
export const DEFAULT_FILE_MEDIA_TYPE = "application/octet-stream";
/** The annotation holding a layer's file name. */
export const ANNOTATION_TITLE = "org.opencontainers.image.title";

/** Content of one artifact file (or the config). */
export interface ArtifactContent {
  /** The name as given (`-f` value); the title is made from it. */
  name: string;
  /** A directory packed as tar+gzip: its title ends with `/`. @default false */
  directory?: boolean | undefined;
  /** Opens the bytes; called once, when the blob is pushed. */
  open(): Promise<ReadableStream<Uint8Array>>;
}

/** Options of {@link putArtifact}. */
export interface PutArtifactOptions extends CallOptions {
  /** Where to push (tag or repository); absent means the subject's repository, by digest. */
  ref?: Ref | undefined;
  /** The manifest the artifact refers to. */
  subject?: Ref | undefined;
  /** Allow the artifact in another repository than its subject. @default false */
  external?: boolean | undefined;
  /** Resolve an index subject to this platform (also set on the `index` entry). */
  platform?: Platform | undefined;
  /** Artifact type. */
  artifactType?: string | undefined;
  /** Config content (`--config-file`); absent means the empty config. */
  config?: ArtifactContent | undefined;
  /** Config media type. */
  configType?: string | undefined;
  /** Files pushed as layers, in order. */
  files?: readonly ArtifactContent[] | undefined;
  /** The single layer when there are no files (stdin). */
  stdin?: ReadableStream<Uint8Array> | undefined;
  /** One media type per file (or one for stdin). */
  fileMediaTypes?: readonly string[] | undefined;
  /** Add `org.opencontainers.image.title` to each file layer. @default false */
  fileTitle?: boolean | undefined;
  /** Titles keep only the last path component. @default false */
  stripDirs?: boolean | undefined;
  /** Manifest annotations. */
  annotations?: Record<string, string> | undefined;
  /** Push by digest only (no tag). @default false */
  byDigest?: boolean | undefined;
  /** Push by digest and append the artifact to the index at `ref`. @default false */
  index?: boolean | undefined;
  /** Receives warnings (default artifact type, config type from artifact type). */
  warn?: ((message: string) => void) | undefined;
}

/** What {@link putArtifact} pushed. */
export interface PutArtifactResult {
  /** The reference pushed (tag, or digest). */
  ref: Ref;
  /** The artifact manifest's descriptor. */
  descriptor: Descriptor;
  /** The artifact manifest. */
  manifest: Manifest;
}

/**
 * Pairs file media types with files as regctl does: one file (or stdin) with
 * a custom artifact type uses that type; one file or stdin alone gets
 * `application/octet-stream`; otherwise one media type per file is required.
 *
 * @param fileCount number of files (0 for stdin)
 * @param mediaTypes `--file-media-type` values
 * @param artifactType the artifact type in force
 * @returns one media type per layer (one for stdin)
 * @throws {UsageError} when the counts do not match or a media type is malformed
 *
 * @example One file, custom artifact type
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveFileMediaTypes } from "./artifact.ts";
 * assert.deepEqual(resolveFileMediaTypes(1, [], "application/x.sbom"), ["application/x.sbom"]);
 * assert.deepEqual(resolveFileMediaTypes(2, ["a/b", "c/d"], undefined), ["a/b", "c/d"]);
 * ```
 */
export function resolveFileMediaTypes(
  fileCount: number,
  mediaTypes: readonly string[],
  artifactType: string | undefined,
): string[] {
  for (const mt of mediaTypes) _checkMediaType(mt, "--file-media-type");
  if (
    fileCount <= 1 && mediaTypes.length === 0 && artifactType !== undefined &&
    artifactType !== DEFAULT_ARTIFACT_TYPE
  ) {
    return [artifactType];
  }
  if (fileCount <= 1 && mediaTypes.length === 0) return [DEFAULT_FILE_MEDIA_TYPE];
  if (fileCount === 0 && mediaTypes.length === 1) return [...mediaTypes];
  if (fileCount !== mediaTypes.length) {
    throw new UsageError(
      `Cannot push artifact: ${fileCount} files but ${mediaTypes.length} --file-media-type values (give one per file)`,
    );
  }
  return [...mediaTypes];
}

/**
 * The title of a file layer: the name as given (a directory gets a trailing
 * `/`), or only its last component with `stripDirs`.
 *
 * @param name the `-f` value
 * @param directory true for a packed directory
 * @param stripDirs keep the last component only
 * @returns the title
 * @throws never
 *
 * @example Strip directories
 * ```ts
 * import assert from "node:assert/strict";
 * import { artifactTitle } from "./artifact.ts";
 * assert.equal(artifactTitle("a/b/c.txt", false, true), "c.txt");
 * assert.equal(artifactTitle("a/dir", true, true), "dir/");
 * ```
 */
export function artifactTitle(name: string, directory: boolean, stripDirs: boolean): string {
  let f = directory && !name.endsWith("/") ? `${name}/` : name;
  if (stripDirs) {
    const parts = f.split("/");
    const last = parts[parts.length - 1] ?? "";
    if (last !== "") f = last;
    else if (parts.length > 1) f = `${parts[parts.length - 2] ?? ""}/`;
  }
  return f;
}

function _checkMediaType(value: string, flag: string): void {
  if (!isMediaType(value)) {
    throw new UsageError(`Cannot use "${value}" as ${flag}: not a valid media type (type/subtype)`);
  }
}

/**
 * Pushes an artifact: validates every option and resolves the subject (and
 * the index to append to) before anything is written, then streams the
 * config and file blobs to the target repository and pushes the manifest.
 *
 * @param client the client
 * @param options target, subject, content, types, annotations
 * @returns the reference, descriptor and manifest pushed
 * @throws {UsageError} neither ref nor subject, `external` without subject, a
 *   subject in another repository without `external`, media type count mismatch,
 *   a malformed media type, a config file without a config type
 * @throws {NotFoundError} when the subject does not exist
 * @throws {UnsupportedMediaTypeError} when `index` names something other than an index
 *
 * @example Push an artifact from a stream
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "../client.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { putArtifact } from "./artifact.ts";
 * const memory = new MemoryTransport();
 * const client = new Client({ transports: () => memory });
 * const r = await putArtifact(client, {
 *   ref: parseRef("example.com/a:art"),
 *   artifactType: "application/x.note",
 *   stdin: ReadableStream.from([new TextEncoder().encode("hi")]),
 * });
 * assert.equal(r.manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
 * await client.close();
 * ```
 */
export async function putArtifact(
  client: Client,
  options: PutArtifactOptions,
): Promise<PutArtifactResult> {
  const { ref, subject, signal } = options;
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  // validate inputs
  if (ref === undefined && subject === undefined) {
    throw new UsageError("Cannot push artifact: give a reference or --subject");
  }
  if (options.external && subject === undefined) {
    throw new UsageError("Cannot push artifact: --external needs --subject");
  }
  if (
    ref !== undefined && subject !== undefined && !options.external &&
    !equalRepository(ref, subject)
  ) {
    throw new UsageError(
      `Cannot push artifact "${commonName(ref)}": the subject "${
        commonName(subject)
      }" is in another repository (add --external)`,
    );
  }
  if (options.index && ref === undefined) {
    throw new UsageError("Cannot push artifact: --index needs a reference to the index");
  }
  if (options.artifactType !== undefined) _checkMediaType(options.artifactType, "--artifact-type");
  if (options.configType !== undefined) _checkMediaType(options.configType, "--config-type");
  let configType = options.configType;
  let artifactType = options.artifactType;
  if (configType === undefined) {
    if (options.config === undefined) {
      configType = MediaType.OCI_EMPTY;
    } else if (artifactType !== undefined) {
      configType = artifactType;
      warn("setting config-type using artifact-type");
    } else {
      throw new UsageError("Cannot push artifact: --config-file needs --config-type");
    }
  }
  if (artifactType === undefined && configType === MediaType.OCI_EMPTY) {
    warn("using default value for artifact-type is not recommended");
    artifactType = DEFAULT_ARTIFACT_TYPE;
  }
  const files = options.files ?? [];
  const fileTypes = resolveFileMediaTypes(files.length, options.fileMediaTypes ?? [], artifactType);
  if (files.length === 0 && options.stdin === undefined) {
    throw new UsageError("Cannot push artifact: give --file, or content on stdin");
  }
  const annotations = options.annotations ?? {};
  for (const w of warnings) options.warn?.(w);

  // resolve what must exist before writing
  const target = (ref ?? subject) as Ref;
  const repo = withoutReference(target);
  let subjectDesc: Descriptor | undefined;
  if (subject !== undefined) {
    subjectDesc = (await resolveSubject(client, subject, { platform: options.platform, signal }))
      .descriptor;
  }
  let baseIndex: Manifest | undefined;
  if (options.index && ref !== undefined) {
    baseIndex = await _existingIndex(client, ref, signal);
  }

  // push the config and layers
  let configDesc: Descriptor;
  if (options.config === undefined) {
    const d = await client.blobPut(repo, ReadableStream.from([new TextEncoder().encode("{}")]), {
      digest: EMPTY_DESCRIPTOR.digest,
      size: EMPTY_DESCRIPTOR.size,
      signal,
    });
    configDesc = { mediaType: configType, digest: d.digest, size: d.size };
    if (configType === MediaType.OCI_EMPTY) configDesc.data = EMPTY_DESCRIPTOR.data;
  } else {
    const d = await client.blobPut(repo, await options.config.open(), { signal });
    configDesc = { mediaType: configType, digest: d.digest, size: d.size };
  }
  const layers: Descriptor[] = [];
  if (files.length > 0) {
    for (const [i, f] of files.entries()) {
      const d = await client.blobPut(repo, await f.open(), { signal });
      const layer: Descriptor = {
        mediaType: fileTypes[i] ?? DEFAULT_FILE_MEDIA_TYPE,
        digest: d.digest,
        size: d.size,
      };
      if (options.fileTitle) {
        layer.annotations = {
          [ANNOTATION_TITLE]: artifactTitle(
            f.name,
            f.directory === true,
            options.stripDirs === true,
          ),
        };
      }
      layers.push(layer);
    }
  } else if (options.stdin !== undefined) {
    const d = await client.blobPut(repo, options.stdin, { signal });
    layers.push({
      mediaType: fileTypes[0] ?? DEFAULT_FILE_MEDIA_TYPE,
      digest: d.digest,
      size: d.size,
    });
  }

  // push the manifest
  const json: ImageManifestJson = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    ...(artifactType !== undefined ? { artifactType } : {}),
    config: configDesc,
    layers,
    ...(subjectDesc !== undefined ? { subject: subjectDesc } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  const raw = encodeJson(json);
  const manifest = await parseManifest(raw);
  const byDigest = options.byDigest || options.index || ref === undefined;
  const pushRef = byDigest ? withDigest(target, manifest.digest) : target;
  const descriptor = await client.manifestPut(pushRef, raw, {
    mediaType: MediaType.OCI_MANIFEST,
    signal,
    ...(options.index && subjectDesc === undefined ? { child: true } : {}),
  });

  // append to the index
  if (options.index && ref !== undefined) {
    const entry: Descriptor = { ...manifestDescriptor(manifest) };
    if (artifactType !== undefined) entry.artifactType = artifactType;
    if (Object.keys(annotations).length > 0) entry.annotations = { ...annotations };
    if (options.platform !== undefined) entry.platform = options.platform;
    const indexJson: IndexJson = baseIndex !== undefined && isIndex(baseIndex)
      ? { ...baseIndex.json, manifests: [...baseIndex.json.manifests, entry] }
      : { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [entry] };
    const indexRaw = encodeJson(indexJson);
    await client.manifestPut(ref, indexRaw, {
      mediaType: indexJson.mediaType ?? MediaType.OCI_INDEX,
      signal,
    });
  }
  return { ref: pushRef, descriptor, manifest };
}

async function _existingIndex(
  client: Client,
  ref: Ref,
  signal: AbortSignal | undefined,
): Promise<Manifest | undefined> {
  let m: Manifest;
  try {
    m = await client.manifestGet(ref, { signal });
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  if (!isIndex(m)) {
    throw new UnsupportedMediaTypeError(
      `Cannot append artifact to "${commonName(ref)}": it is a ${m.mediaType}, not an index`,
    );
  }
  return m;
}

/** Options of {@link resolveArtifact}. */
export interface ResolveArtifactOptions extends ReferrerMatch, CallOptions {
  /** Pick the first matching referrer of this subject instead of a reference. */
  subject?: Ref | undefined;
  /** Platform of the subject, or of the artifact reference when it is an index. */
  platform?: Platform | undefined;
  /** Repository holding the referrers of the subject. */
  external?: Ref | undefined;
}

/** An artifact read for `artifact get`. */
export interface ResolvedArtifact {
  /** Reference of the artifact manifest (digest set). */
  ref: Ref;
  /** The manifest. */
  manifest: Manifest;
  /** Its config descriptor (empty descriptor for legacy artifact manifests). */
  config: Descriptor;
  /** Its layers (blobs of a legacy artifact manifest). */
  layers: Descriptor[];
}

/**
 * Finds an artifact: by reference (resolving an index to a platform), or as
 * the first referrer of a subject matching the filters.
 *
 * @param client the client
 * @param ref the artifact reference (absent with `subject`)
 * @param options subject, filters, sort, platform, external repository
 * @returns the artifact's reference, manifest, config and layers
 * @throws {UsageError} neither or both of ref and subject; `external` without subject
 * @throws {NotFoundError} no artifact, or no matching referrer
 * @throws {UnsupportedMediaTypeError} the reference is not an image or artifact manifest
 */
export async function resolveArtifact(
  client: Client,
  ref: Ref | undefined,
  options: ResolveArtifactOptions = {},
): Promise<ResolvedArtifact> {
  const { signal } = options;
  if (options.external !== undefined && options.subject === undefined) {
    throw new UsageError("Cannot get artifact: --external needs --subject");
  }
  if (ref !== undefined && options.subject !== undefined) {
    throw new UsageError("Cannot get artifact: give a reference or --subject, not both");
  }
  let target: Ref;
  let manifest: Manifest;
  if (options.subject !== undefined) {
    const q = await queryReferrers(client, options.subject, options);
    const first = q.descriptors[0];
    if (first === undefined) {
      throw new NotFoundError(
        `Cannot find an artifact referring to "${
          commonName(options.subject)
        }": no referrer matches (list them with "artifact list")`,
      );
    }
    target = withDigest(q.source ?? q.subject, first.digest);
    manifest = await client.manifestGet(target, { signal });
  } else if (ref !== undefined) {
    if (options.platform !== undefined) {
      const r = await client.resolvePlatform(ref, { platform: options.platform, signal });
      target = r.ref;
      manifest = r.manifest;
    } else {
      manifest = await client.manifestGet(ref, { signal });
      target = { ...ref, digest: manifest.digest };
    }
  } else {
    throw new UsageError("Cannot get artifact: give a reference or --subject");
  }
  if (isImage(manifest)) {
    return { ref: target, manifest, config: manifest.json.config, layers: manifest.json.layers };
  }
  if (manifest.mediaType === MediaType.OCI_ARTIFACT) {
    const blobs = (manifest.json as unknown as { blobs?: Descriptor[] }).blobs ?? [];
    return { ref: target, manifest, config: { ...EMPTY_DESCRIPTOR }, layers: blobs };
  }
  throw new UnsupportedMediaTypeError(
    `Cannot get artifact "${
      commonName(target)
    }": it is a ${manifest.mediaType} (give -p for an index)`,
  );
}

/** Layer filters of `artifact get`. */
export interface LayerFilter {
  /** Keep layers whose title is one of these. */
  files?: readonly string[] | undefined;
  /** Keep layers of these media types. */
  mediaTypes?: readonly string[] | undefined;
}

/**
 * Filters the layers of an artifact by media type and title.
 *
 * @param layers the layers
 * @param filter titles and media types
 * @returns the matching layers, in order
 * @throws {NotFoundError} when none matches
 *
 * @example By title
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectArtifactLayers } from "./artifact.ts";
 * const l = (title: string) => ({
 *   mediaType: "text/plain", digest: "sha256:" + "a".repeat(64), size: 1,
 *   annotations: { "org.opencontainers.image.title": title },
 * });
 * assert.equal(selectArtifactLayers([l("a"), l("b")], { files: ["b"] }).length, 1);
 * ```
 */
export function selectArtifactLayers(
  layers: readonly Descriptor[],
  filter: LayerFilter = {},
): Descriptor[] {
  let out = [...layers];
  if (filter.mediaTypes !== undefined && filter.mediaTypes.length > 0) {
    const want = filter.mediaTypes;
    out = out.filter((d) => want.includes(d.mediaType));
  }
  if (filter.files !== undefined && filter.files.length > 0) {
    const want = filter.files;
    out = out.filter((d) => {
      const t = d.annotations?.[ANNOTATION_TITLE];
      return t !== undefined && want.includes(t);
    });
  }
  if (out.length === 0) {
    throw new NotFoundError(
      "Cannot find a matching layer in the artifact: check --file and --file-media-type",
    );
  }
  return out;
}

/**
 * Plans where each layer is written under an output directory: layers
 * without a title are skipped, titles are checked (no absolute path, no
 * `..`), `stripDirs` keeps the last component. Titles ending in `/` are
 * directories (tar+gzip to extract).
 *
 * @param layers the selected layers
 * @param stripDirs keep only the last path component
 * @returns one entry per written layer: relative path, directory flag, layer
 * @throws {ManifestInvalidError} for a title that would leave the directory
 *
 * @example Traversal is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { planArtifactOutput } from "./artifact.ts";
 * const l = { mediaType: "text/plain", digest: "sha256:" + "a".repeat(64), size: 1,
 *   annotations: { "org.opencontainers.image.title": "../x" } };
 * assert.throws(() => planArtifactOutput([l], false), { code: "MANIFEST_INVALID" });
 * ```
 */
export function planArtifactOutput(
  layers: readonly Descriptor[],
  stripDirs: boolean,
): { path: string; directory: boolean; layer: Descriptor }[] {
  const out: { path: string; directory: boolean; layer: Descriptor }[] = [];
  for (const layer of layers) {
    const title = layer.annotations?.[ANNOTATION_TITLE];
    if (title === undefined || title === "") continue;
    const directory = title.endsWith("/");
    const name = stripDirs ? artifactTitle(title, directory, true) : title;
    out.push({ path: _safeRelative(name, "artifact file"), directory, layer });
  }
  return out;
}

/**
 * Writes the planned layers under an output directory through a sink: files
 * are streamed (each verified against its digest), directories extracted.
 *
 * @param client the client
 * @param ref the artifact's repository
 * @param plan the output of {@link planArtifactOutput}
 * @param sink writes files and directories relative to the output directory
 * @param options signal
 * @returns nothing
 * @throws {DigestMismatchError} when a layer's bytes do not match
 * @throws {ManifestInvalidError} for an archive entry leaving the directory
 */
export async function writeArtifactFiles(
  client: Client,
  ref: Ref,
  plan: readonly { path: string; directory: boolean; layer: Descriptor }[],
  sink: _DirSink,
  options: CallOptions = {},
): Promise<void> {
  const repo = withoutReference(ref);
  for (const p of plan) {
    const reader = await client.blobGet(repo, p.layer.digest, {
      size: p.layer.size,
      signal: options.signal,
    });
    if (p.directory) {
      await _extractTarGz(reader.body, sink, p.path);
    } else {
      const at = p.path.lastIndexOf("/");
      if (at > 0) await sink.mkdir(p.path.slice(0, at));
      await sink.writeFile(p.path, reader.body);
    }
  }
}

/**
 * Index editing as regctl's `index create`, `index add` and `index delete`
 * do it: descriptors gathered from manifests already in the repository
 * (`--digest`) and from other images copied in by digest first (`--ref`,
 * through {@link copyImage}), platforms read from each image config, Docker
 * and OCI children never mixed, and every check done before anything is
 * written.
 *
 * @module
 */
import { NotFoundError, UnsupportedMediaTypeError, UsageError } from "../errors.ts";
import type { Client } from "../client.ts";
import { readBlobCapped } from "../read_capped.ts";
import type { CallOptions } from "../transport/transport.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { isDigest } from "../types/digest.ts";
import {
  encodeJson,
  type IndexJson,
  isImage,
  isIndex,
  type Manifest,
  manifestDescriptor,
  parseManifest,
} from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { formatPlatform, platformMatches } from "../types/platform.ts";
import { commonName, type Ref, withDigest, withoutReference, withTag } from "../types/ref.ts";
import { copyImage } from "./copy.ts";

/** Where the new descriptors of an index come from. */
export interface IndexEntryOptions extends CallOptions {
  /** Digests of manifests already in the target repository. */
  digests?: readonly string[] | undefined;
  /** Images copied into the target repository by digest first; an index adds its children. */
  refs?: readonly Ref[] | undefined;
  /** Keep only these platforms of the `refs` indexes. */
  platforms?: readonly Platform[] | undefined;
  /** Annotations set on every new descriptor. */
  descAnnotations?: Record<string, string> | undefined;
  /** Platform set on every new descriptor (instead of reading configs). */
  descPlatform?: Platform | undefined;
  /** Copy digest tags with the `refs`. @default false */
  digestTags?: boolean | undefined;
  /** Copy referrers with the `refs`. @default false */
  referrers?: boolean | undefined;
}

/** Options of {@link createIndex}. */
export interface CreateIndexOptions extends IndexEntryOptions {
  /** Index media type. @default OCI index */
  mediaType?: string | undefined;
  /** Index annotations. */
  annotations?: Record<string, string> | undefined;
  /** Artifact type (OCI only). */
  artifactType?: string | undefined;
  /** Subject: a tag or digest in the same repository (OCI only). */
  subject?: string | undefined;
  /** Push by digest only. @default false */
  byDigest?: boolean | undefined;
}

/** Options of {@link deleteFromIndex}. */
export interface IndexDeleteOptions extends CallOptions {
  /** Remove entries with these digests. */
  digests?: readonly string[] | undefined;
  /** Remove entries of these platforms. */
  platforms?: readonly Platform[] | undefined;
}

/** What an index edit pushed. */
export interface IndexEditResult {
  /** The reference pushed (tag, or digest). */
  ref: Ref;
  /** The index descriptor. */
  descriptor: Descriptor;
  /** The index. */
  manifest: Manifest;
}

const DOCKER_TYPES: readonly string[] = [MediaType.DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST_LIST];
const OCI_TYPES: readonly string[] = [MediaType.OCI_MANIFEST, MediaType.OCI_INDEX];
const IMAGE_CONFIGS: readonly string[] = [MediaType.OCI_CONFIG, MediaType.DOCKER_CONFIG];

/**
 * Creates an index from manifests in the repository and images copied in.
 *
 * @param client the client
 * @param ref where to push the index (tag)
 * @param options media type, annotations, artifact type, subject, entries
 * @returns the pushed index
 * @throws {UsageError} an unknown media type, artifact type or subject on a Docker list
 * @throws {NotFoundError} a digest, ref, subject or platform that does not exist
 * @throws {UnsupportedMediaTypeError} Docker and OCI children mixed
 *
 * @example Index of the sample single image
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "../client.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { buildSampleImages } from "../sample/sample_images.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { createIndex } from "./index_edit.ts";
 * const memory = new MemoryTransport();
 * const sample = await buildSampleImages(memory, parseRef("example.com/a"));
 * const client = new Client({ transports: () => memory });
 * const r = await createIndex(client, parseRef("example.com/a:idx"), {
 *   digests: [sample.single.manifest.digest],
 * });
 * assert.equal(r.manifest.mediaType, "application/vnd.oci.image.index.v1+json");
 * await client.close();
 * ```
 */
export async function createIndex(
  client: Client,
  ref: Ref,
  options: CreateIndexOptions = {},
): Promise<IndexEditResult> {
  const mediaType = options.mediaType ?? MediaType.OCI_INDEX;
  if (mediaType !== MediaType.OCI_INDEX && mediaType !== MediaType.DOCKER_MANIFEST_LIST) {
    throw new UsageError(
      `Cannot create index "${
        commonName(ref)
      }": media type "${mediaType}" is not an index type (use ${MediaType.OCI_INDEX} or ${MediaType.DOCKER_MANIFEST_LIST})`,
    );
  }
  const docker = mediaType === MediaType.DOCKER_MANIFEST_LIST;
  if (docker && (options.artifactType !== undefined || options.subject !== undefined)) {
    throw new UsageError(
      `Cannot create index "${commonName(ref)}": --artifact-type and --subject need an OCI index`,
    );
  }
  const repo = withoutReference(ref);
  let subject: Descriptor | undefined;
  if (options.subject !== undefined) {
    const s = isDigest(options.subject)
      ? withDigest(repo, options.subject)
      : withTag(repo, options.subject);
    const d = await client.manifestHead(s, { signal: options.signal });
    subject = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  }
  const plan = await _planEntries(client, repo, options);
  _checkMix(ref, mediaType, plan.entries);
  const json: IndexJson = {
    schemaVersion: 2,
    mediaType,
    ...(options.artifactType !== undefined ? { artifactType: options.artifactType } : {}),
    manifests: plan.entries,
    ...(subject !== undefined ? { subject } : {}),
    ...(options.annotations !== undefined && Object.keys(options.annotations).length > 0
      ? { annotations: options.annotations }
      : {}),
  };
  await _copyRefs(client, repo, plan.copies, options);
  return await _push(client, ref, json, options.byDigest === true, options.signal);
}

/**
 * Appends descriptors to the index at a reference and pushes it to the same
 * reference.
 *
 * @param client the client
 * @param ref the index (tag)
 * @param options entries to add
 * @returns the pushed index
 * @throws {UnsupportedMediaTypeError} the reference is not an index, or children would mix
 * @throws {NotFoundError} a digest, ref or platform that does not exist
 */
export async function addToIndex(
  client: Client,
  ref: Ref,
  options: IndexEntryOptions = {},
): Promise<IndexEditResult> {
  const base = await _getIndex(client, ref, options.signal);
  const repo = withoutReference(ref);
  const plan = await _planEntries(client, repo, options);
  const have = new Set(base.json.manifests.map((d) => d.digest));
  const added = plan.entries.filter((d) => !have.has(d.digest));
  _checkMix(ref, base.mediaType, added);
  const json: IndexJson = { ...base.json, manifests: [...base.json.manifests, ...added] };
  await _copyRefs(client, repo, plan.copies, options);
  return await _push(client, ref, json, false, options.signal);
}

/**
 * Removes descriptors (by digest or platform) from the index at a reference
 * and pushes it to the same reference.
 *
 * @param client the client
 * @param ref the index (tag)
 * @param options digests and platforms to remove
 * @returns the pushed index
 * @throws {UsageError} when neither digests nor platforms are given
 * @throws {NotFoundError} a digest or platform that is not in the index
 * @throws {UnsupportedMediaTypeError} the reference is not an index
 */
export async function deleteFromIndex(
  client: Client,
  ref: Ref,
  options: IndexDeleteOptions = {},
): Promise<IndexEditResult> {
  const digests = options.digests ?? [];
  const platforms = options.platforms ?? [];
  if (digests.length === 0 && platforms.length === 0) {
    throw new UsageError(
      `Cannot delete from index "${commonName(ref)}": give --digest or --platform`,
    );
  }
  const base = await _getIndex(client, ref, options.signal);
  const list = base.json.manifests;
  for (const d of digests) {
    if (!list.some((e) => e.digest === d)) {
      throw new NotFoundError(`Cannot delete "${d}" from index "${commonName(ref)}": not in it`);
    }
  }
  for (const p of platforms) {
    if (!list.some((e) => e.platform !== undefined && platformMatches(p, e.platform))) {
      throw new NotFoundError(
        `Cannot delete platform "${formatPlatform(p)}" from index "${commonName(ref)}": not in it`,
      );
    }
  }
  const kept = list.filter((e) =>
    !digests.includes(e.digest) &&
    !(e.platform !== undefined && platforms.some((p) => platformMatches(p, e.platform as Platform)))
  );
  return await _push(client, ref, { ...base.json, manifests: kept }, false, options.signal);
}

async function _getIndex(
  client: Client,
  ref: Ref,
  signal: AbortSignal | undefined,
): Promise<Manifest & { json: IndexJson }> {
  const m = await client.manifestGet(ref, { signal });
  if (!isIndex(m)) {
    throw new UnsupportedMediaTypeError(
      `Cannot edit index "${commonName(ref)}": it is a ${m.mediaType}, not an index`,
    );
  }
  return m;
}

async function _push(
  client: Client,
  ref: Ref,
  json: IndexJson,
  byDigest: boolean,
  signal: AbortSignal | undefined,
): Promise<IndexEditResult> {
  const raw = encodeJson(json);
  const manifest = await parseManifest(raw);
  const target = byDigest || ref.tag === ""
    ? withDigest(ref, manifest.digest)
    : withTag(ref, ref.tag);
  const descriptor = await client.manifestPut(target, raw, {
    mediaType: manifest.mediaType,
    signal,
  });
  return { ref: target, descriptor, manifest };
}

function _checkMix(ref: Ref, mediaType: string, entries: readonly Descriptor[]): void {
  const forbidden = mediaType === MediaType.DOCKER_MANIFEST_LIST ? OCI_TYPES : DOCKER_TYPES;
  const bad = entries.find((d) => forbidden.includes(d.mediaType));
  if (bad !== undefined) {
    throw new UnsupportedMediaTypeError(
      `Cannot build index "${
        commonName(ref)
      }": child "${bad.digest}" is a ${bad.mediaType}, which cannot go in a ${mediaType} (do not mix Docker and OCI; convert the image or pick -m)`,
    );
  }
}

interface _Plan {
  entries: Descriptor[];
  copies: { src: Ref; digest: string }[];
}

async function _planEntries(client: Client, repo: Ref, o: IndexEntryOptions): Promise<_Plan> {
  const { signal } = o;
  const entries: Descriptor[] = [];
  const copies: { src: Ref; digest: string }[] = [];
  const wanted = o.platforms ?? [];
  const matched = new Set<number>();
  for (const src of o.refs ?? []) {
    const m = await client.manifestGet(src, { signal });
    copies.push({ src, digest: m.digest });
    if (isIndex(m)) {
      for (const child of m.json.manifests) {
        if (wanted.length > 0) {
          const i = wanted.findIndex((p) =>
            child.platform !== undefined && platformMatches(p, child.platform)
          );
          if (i < 0) continue;
          matched.add(i);
        }
        entries.push(_decorate({ ...child }, o));
      }
    } else {
      const d = manifestDescriptor(m);
      const platform = o.descPlatform ?? await _platformOf(client, src, m, signal);
      if (platform !== undefined) d.platform = platform;
      entries.push(_decorate(d, o));
    }
  }
  wanted.forEach((p, i) => {
    if (!matched.has(i)) {
      throw new NotFoundError(
        `Cannot find platform "${
          formatPlatform(p)
        }" in the --ref images (list them with "manifest get")`,
      );
    }
  });
  for (const digest of o.digests ?? []) {
    const ref = withDigest(repo, digest);
    const m = await client.manifestGet(ref, { signal });
    const d = manifestDescriptor(m);
    const platform = o.descPlatform ?? await _platformOf(client, ref, m, signal);
    if (platform !== undefined) d.platform = platform;
    entries.push(_decorate(d, o));
  }
  const seen = new Set<string>();
  return {
    entries: entries.filter((d) => {
      if (seen.has(d.digest)) return false;
      seen.add(d.digest);
      return true;
    }),
    copies,
  };
}

function _decorate(d: Descriptor, o: IndexEntryOptions): Descriptor {
  if (o.descPlatform !== undefined) d.platform = o.descPlatform;
  if (o.descAnnotations !== undefined && Object.keys(o.descAnnotations).length > 0) {
    d.annotations = { ...d.annotations, ...o.descAnnotations };
  }
  return d;
}

/** Reads the platform of an image from its config; undefined for artifacts and indexes. */
async function _platformOf(
  client: Client,
  ref: Ref,
  m: Manifest,
  signal: AbortSignal | undefined,
): Promise<Platform | undefined> {
  if (!isImage(m) || !IMAGE_CONFIGS.includes(m.json.config.mediaType)) return undefined;
  const c = m.json.config;
  const raw = await readBlobCapped(client, withoutReference(ref), {
    digest: c.digest,
    size: c.size,
    signal,
  });
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof cfg.os !== "string" || typeof cfg.architecture !== "string") return undefined;
  const p: Platform = { architecture: cfg.architecture, os: cfg.os };
  if (typeof cfg.variant === "string" && cfg.variant !== "") p.variant = cfg.variant;
  if (typeof cfg["os.version"] === "string" && cfg["os.version"] !== "") {
    p["os.version"] = cfg["os.version"];
  }
  if (Array.isArray(cfg["os.features"]) && cfg["os.features"].length > 0) {
    p["os.features"] = cfg["os.features"].filter((f): f is string => typeof f === "string");
  }
  return p;
}

async function _copyRefs(
  client: Client,
  repo: Ref,
  copies: readonly { src: Ref; digest: string }[],
  o: IndexEntryOptions,
): Promise<void> {
  for (const c of copies) {
    await copyImage(
      { transport: client.transport(c.src), ref: c.src },
      { transport: client.transport(repo), ref: withDigest(repo, c.digest) },
      { referrers: o.referrers === true, digestTags: o.digestTags === true, signal: o.signal },
    );
  }
}

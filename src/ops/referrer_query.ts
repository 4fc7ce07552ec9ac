/**
 * Referrer queries as regctl's `artifact list` and `artifact tree` run them:
 * the subject resolved to a digest (and to a platform of an index), the
 * referrers read from the subject's repository or an external one, filtered
 * and sorted client-side, optionally with the subject's digest tags; and the
 * recursive graph of index children and referrers.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Client } from "../client.ts";
import type { CallOptions } from "../transport/transport.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { artifactTypeOf, isIndex, type Manifest } from "../types/manifest.ts";
import { commonName, type Ref, withDigest, withoutReference, withTag } from "../types/ref.ts";
import { filterReferrers, referrersFallbackTag } from "../types/referrer.ts";

/** The annotation `--latest` sorts on. */
export const ANNOTATION_CREATED = "org.opencontainers.image.created";
/** The annotation naming a tag (set on digest-tag descriptors). */
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";

/** Filters and sorting shared by the referrer commands. */
export interface ReferrerMatch {
  /** Keep only referrers of this artifact type. */
  artifactType?: string | undefined;
  /** Keep only referrers with these annotations (empty value: key present). */
  annotations?: Record<string, string> | undefined;
  /** Sort by this annotation's value (referrers without it go last). */
  sortAnnotation?: string | undefined;
  /** Sort descending. @default false */
  sortDesc?: boolean | undefined;
  /** Sort by `org.opencontainers.image.created`, newest first. @default false */
  latest?: boolean | undefined;
}

/** Options of {@link queryReferrers}. */
export interface ReferrerQueryOptions extends ReferrerMatch, CallOptions {
  /** Resolve an index subject to this platform's manifest first. */
  platform?: Platform | undefined;
  /** Read referrers from this repository instead of the subject's. */
  external?: Ref | undefined;
  /** Also list the subject's `<alg>-<hex>*` tags. @default false */
  digestTags?: boolean | undefined;
}

/** What {@link queryReferrers} found. */
export interface ReferrerQueryResult {
  /** The subject, with its digest added (tag kept). */
  subject: Ref;
  /** The subject's descriptor (media type, digest, size). */
  subjectDescriptor: Descriptor;
  /** The external repository read, when one was given. */
  source: Ref | undefined;
  /** Matching referrers, filtered and sorted; digest-tag descriptors appended. */
  descriptors: Descriptor[];
  /** Digest tags found (with `digestTags`). */
  tags: string[];
}

/**
 * Parses `key=value` options (annotations, labels, filters); a bare `key`
 * maps to the empty string, as regctl does.
 *
 * @param values the raw option values
 * @param what names the option in errors, e.g. `--annotation`
 * @returns the map, later keys overriding earlier ones
 * @throws {UsageError} for an empty key
 *
 * @example Parse annotations
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKeyValues } from "./referrer_query.ts";
 * assert.deepEqual(parseKeyValues(["a=1", "b"], "--annotation"), { a: "1", b: "" });
 * ```
 */
export function parseKeyValues(values: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values) {
    const at = kv.indexOf("=");
    const key = at < 0 ? kv : kv.slice(0, at);
    if (key === "") {
      throw new UsageError(`Cannot use "${kv}" as ${what}: expected key=value`);
    }
    out[key] = at < 0 ? "" : kv.slice(at + 1);
  }
  return out;
}

/**
 * Checks the sort options of a referrer query.
 *
 * @param match filters and sort options
 * @returns nothing
 * @throws {UsageError} when `latest` and `sortAnnotation` are both set
 */
export function validateReferrerMatch(match: ReferrerMatch): void {
  if (match.latest && match.sortAnnotation !== undefined && match.sortAnnotation !== "") {
    throw new UsageError(
      "Cannot list referrers: --latest and --sort-annotation conflict (use one of them)",
    );
  }
}

/**
 * Filters and sorts referrer descriptors: artifact type, annotations, then a
 * stable sort on an annotation (descriptors without it last).
 *
 * @param descs referrer descriptors
 * @param match filters and sort options
 * @returns a new, filtered and sorted list
 * @throws {UsageError} see {@link validateReferrerMatch}
 *
 * @example Newest first
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchReferrers } from "./referrer_query.ts";
 * const d = (created: string) => ({
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: "sha256:" + created.slice(-1).repeat(64),
 *   size: 1,
 *   annotations: { "org.opencontainers.image.created": created },
 * });
 * const out = matchReferrers([d("2024-01-01"), d("2025-01-02")], { latest: true });
 * assert.equal(out[0]?.annotations?.["org.opencontainers.image.created"], "2025-01-02");
 * ```
 */
export function matchReferrers(descs: readonly Descriptor[], match: ReferrerMatch): Descriptor[] {
  validateReferrerMatch(match);
  const out = filterReferrers(descs, {
    artifactType: match.artifactType,
    annotations: match.annotations,
  });
  const key = match.latest ? ANNOTATION_CREATED : match.sortAnnotation;
  if (key === undefined || key === "") return out;
  const desc = match.latest ? true : match.sortDesc === true;
  return out
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const va = a.d.annotations?.[key];
      const vb = b.d.annotations?.[key];
      if (va === undefined || vb === undefined) {
        if (va === vb) return a.i - b.i;
        return va === undefined ? 1 : -1;
      }
      if (va === vb) return a.i - b.i;
      return (va < vb ? -1 : 1) * (desc ? -1 : 1);
    })
    .map((x) => x.d);
}

/**
 * Resolves a subject reference to its descriptor, choosing a platform's
 * manifest in an index when a platform is given.
 *
 * @param client the client
 * @param subject subject reference (tag or digest)
 * @param options platform, signal
 * @returns the subject reference with its digest added, and its descriptor
 * @throws {NotFoundError} when the subject (or the platform in it) does not exist
 */
export async function resolveSubject(
  client: Client,
  subject: Ref,
  options: { platform?: Platform | undefined } & CallOptions = {},
): Promise<{ ref: Ref; descriptor: Descriptor }> {
  if (options.platform !== undefined) {
    const r = await client.resolvePlatform(subject, {
      platform: options.platform,
      signal: options.signal,
    });
    return {
      ref: r.ref,
      descriptor: {
        mediaType: r.manifest.mediaType,
        digest: r.manifest.digest,
        size: r.manifest.size,
      },
    };
  }
  const d = await client.manifestHead(subject, { signal: options.signal });
  return {
    ref: { ...subject, digest: d.digest },
    descriptor: { mediaType: d.mediaType, digest: d.digest, size: d.size },
  };
}

/**
 * Lists the referrers of a subject with regctl's `artifact list` options.
 *
 * @param client the client
 * @param subject the subject (tag or digest)
 * @param options filters, sort, platform, external repository, digest tags, signal
 * @returns the subject, the source and the matching descriptors
 * @throws {UsageError} conflicting sort options
 * @throws {NotFoundError} when the subject does not exist
 *
 * @example List the sample SBOM
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "../client.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { buildSampleImages } from "../sample/sample_images.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { queryReferrers } from "./referrer_query.ts";
 * const memory = new MemoryTransport();
 * const sample = await buildSampleImages(memory, parseRef("example.com/a"));
 * const client = new Client({ transports: () => memory });
 * const r = await queryReferrers(client, sample.refs.index);
 * assert.equal(r.descriptors[0]?.digest, sample.artifact.digest);
 * await client.close();
 * ```
 */
export async function queryReferrers(
  client: Client,
  subject: Ref,
  options: ReferrerQueryOptions = {},
): Promise<ReferrerQueryResult> {
  validateReferrerMatch(options);
  const { signal } = options;
  const resolved = await resolveSubject(client, subject, options);
  const digest = resolved.descriptor.digest;
  const source = options.external;
  const listRef = withDigest(source ?? subject, digest);
  const all = await client.referrerList(listRef, {
    signal,
    ...(options.artifactType !== undefined ? { artifactType: options.artifactType } : {}),
  });
  const descriptors = matchReferrers(all, options);
  const tags: string[] = [];
  if (options.digestTags) {
    const fallback = referrersFallbackTag(digest);
    const repo = withoutReference(subject);
    for (const tag of await client.tagList(repo, { signal })) {
      if (!tag.startsWith(fallback) || tag === fallback) continue;
      const d = await client.manifestHead(withTag(repo, tag), { signal });
      descriptors.push({ ...d, annotations: { ...d.annotations, [ANNOTATION_REF_NAME]: tag } });
      tags.push(tag);
    }
  }
  return {
    subject: resolved.ref,
    subjectDescriptor: resolved.descriptor,
    source,
    descriptors,
    tags,
  };
}

/** One node of an artifact tree. */
export interface ReferrerTreeNode {
  /** The reference of this manifest (digest set). */
  ref: Ref;
  /** The manifest. */
  manifest: Manifest;
  /** Platform, for an index child that has one. */
  platform: Platform | undefined;
  /** Artifact type of the manifest, when it has one. */
  artifactType: string | undefined;
  /** Children of an index. */
  children: ReferrerTreeNode[];
  /** Referrers of this manifest. */
  referrers: ReferrerTreeNode[];
  /** Digest tags of this manifest (with `digestTags`). */
  tags: string[];
}

/** Options of {@link buildReferrerTree}. */
export interface ReferrerTreeOptions extends CallOptions {
  /** Keep only referrers of this artifact type. */
  artifactType?: string | undefined;
  /** Keep only referrers with these annotations. */
  annotations?: Record<string, string> | undefined;
  /** Read referrers from this repository. */
  external?: Ref | undefined;
  /** List digest tags of every manifest. @default false */
  digestTags?: boolean | undefined;
}

const TREE_DEPTH_MAX = 32;

/**
 * Builds the graph of a manifest: index children and referrers, recursively
 * (each manifest visited once, depth capped at 32).
 *
 * @param client the client
 * @param ref the root (tag or digest)
 * @param options referrer filters, external repository, digest tags, signal
 * @returns the root node
 * @throws {NotFoundError} when the root does not exist
 */
export async function buildReferrerTree(
  client: Client,
  ref: Ref,
  options: ReferrerTreeOptions = {},
): Promise<ReferrerTreeNode> {
  const seen = new Set<string>();
  const tags = options.digestTags
    ? await client.tagList(withoutReference(ref), { signal: options.signal })
    : [];
  const root = await client.manifestGet(ref, { signal: options.signal });
  return _node(client, { ...ref, digest: root.digest }, root, undefined, options, seen, tags, 0);
}

async function _node(
  client: Client,
  ref: Ref,
  manifest: Manifest,
  platform: Platform | undefined,
  options: ReferrerTreeOptions,
  seen: Set<string>,
  allTags: readonly string[],
  depth: number,
): Promise<ReferrerTreeNode> {
  seen.add(manifest.digest);
  const node: ReferrerTreeNode = {
    ref,
    manifest,
    platform,
    artifactType: artifactTypeOf(manifest),
    children: [],
    referrers: [],
    tags: [],
  };
  if (depth >= TREE_DEPTH_MAX) return node;
  const { signal } = options;
  const repo = withoutReference(ref);
  if (isIndex(manifest)) {
    for (const d of manifest.json.manifests) {
      if (seen.has(d.digest)) continue;
      const childRef = withDigest(repo, d.digest);
      const child = await client.manifestGet(childRef, { signal });
      node.children.push(
        await _node(client, childRef, child, d.platform, options, seen, allTags, depth + 1),
      );
    }
  }
  const source = options.external ?? repo;
  const referrers = await client.referrerList(withDigest(source, manifest.digest), {
    signal,
    ...(options.artifactType !== undefined ? { artifactType: options.artifactType } : {}),
  });
  const matched = filterReferrers(referrers, {
    artifactType: options.artifactType,
    annotations: options.annotations,
  });
  for (const d of matched) {
    if (seen.has(d.digest)) continue;
    const rRef = withDigest(withoutReference(source), d.digest);
    const m = await client.manifestGet(rRef, { signal });
    node.referrers.push(
      await _node(client, rRef, m, undefined, options, seen, allTags, depth + 1),
    );
  }
  const fallback = referrersFallbackTag(manifest.digest);
  node.tags = allTags.filter((t) => t.startsWith(fallback) && t !== fallback);
  return node;
}

/**
 * Names a tree node as regctl does: its common name.
 *
 * @param node a tree node
 * @returns `repo@digest` (or `ocidir://dir@digest`)
 * @throws never
 */
export function treeNodeName(node: ReferrerTreeNode): string {
  return commonName(node.ref);
}

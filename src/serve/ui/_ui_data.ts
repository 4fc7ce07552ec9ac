/**
 * What the registry browser reads, through the same storage as the registry
 * routes ({@link ServeState}: its layouts transport and file system): page
 * summaries of repositories and tags, and an image's config.
 *
 * @module
 */
import { readBlobCapped } from "../../read_capped.ts";
import { MediaType } from "../../types/media_type.ts";
import {
  type ImageConfigJson,
  type ImageManifestJson,
  isImage,
  isIndex,
  type Manifest,
} from "../../types/manifest.ts";
import { formatPlatform } from "../../types/platform.ts";
import { withDigest } from "../../types/ref.ts";
import type { ServeState } from "../_serve_state.ts";
import { _mapLimited } from "../../ops/_limiter.ts";

/** One row of the repository list. */
export interface RepoRow {
  /** Repository name. */
  name: string;
  /** Number of tags. */
  tags: number;
  /** Last change of its index.json, in ms since the epoch. */
  changed: number | undefined;
}

/** One row of a repository's tag list. */
export interface TagRow {
  /** The tag. */
  tag: string;
  /** Manifest digest. */
  digest: string;
  /** Manifest media type. */
  mediaType: string;
  /** Artifact type, when the manifest is an artifact. */
  artifactType: string | undefined;
  /** Platforms (`os/arch[/variant]`). */
  platforms: string[];
  /** Manifests, configs and layers, in bytes (each blob once). */
  size: number;
  /** Creation time from the (first) config. */
  created: string | undefined;
}

/** Most index children read to total an index's size. */
const CHILDREN_MAX = 64;
/** Concurrent reads when summarising tags. */
const CONCURRENCY = 4;

/**
 * Summarises repositories for one page of the list.
 *
 * @param st registry state
 * @param names repository names of the page
 * @returns one row each, in order
 */
export function repoRows(st: ServeState, names: readonly string[]): Promise<RepoRow[]> {
  return _mapLimited(names, CONCURRENCY, async (name) => {
    const [tags, info] = await Promise.all([
      st.t.tagList(st.ref(name)).catch(() => []),
      st.fs.stat(`${st.dir}/${name}/index.json`),
    ]);
    return { name, tags: tags.length, changed: info?.mtime };
  });
}

/**
 * Reads an image config when the manifest is an image with an image config.
 *
 * @param st registry state
 * @param repo repository
 * @param m image manifest
 * @returns the config, or undefined for an artifact
 */
export async function readImageConfig(
  st: ServeState,
  repo: string,
  m: Manifest & { json: ImageManifestJson },
): Promise<ImageConfigJson | undefined> {
  const c = m.json.config;
  if (c.mediaType !== MediaType.OCI_CONFIG && c.mediaType !== MediaType.DOCKER_CONFIG) {
    return undefined;
  }
  const bytes = await readBlobCapped(st.t, st.ref(repo), { digest: c.digest, size: c.size });
  return JSON.parse(new TextDecoder().decode(bytes)) as ImageConfigJson;
}

/**
 * Summarises one tag: digest, media type, platforms, total size, created.
 *
 * @param st registry state
 * @param repo repository
 * @param tag the tag
 * @returns the row
 * @throws {NotFoundError} when the tag or a blob is missing
 */
export async function tagRow(st: ServeState, repo: string, tag: string): Promise<TagRow> {
  const m = await st.t.manifestGet(st.ref(repo, tag));
  const blobs = new Map<string, number>([[m.digest, m.size]]);
  const row: TagRow = {
    tag,
    digest: m.digest,
    mediaType: m.mediaType,
    artifactType: undefined,
    platforms: [],
    size: 0,
    created: undefined,
  };
  const images: (Manifest & { json: ImageManifestJson })[] = [];
  if (isIndex(m)) {
    row.artifactType = m.json.artifactType;
    for (const d of m.json.manifests.slice(0, CHILDREN_MAX)) {
      if (d.platform !== undefined) row.platforms.push(formatPlatform(d.platform));
      blobs.set(d.digest, d.size);
      const child = await st.t.manifestGet(withDigest(st.ref(repo), d.digest));
      if (isImage(child)) images.push(child);
    }
  } else if (isImage(m)) {
    row.artifactType = m.json.artifactType;
    images.push(m);
  }
  for (const img of images) {
    blobs.set(img.json.config.digest, img.json.config.size);
    for (const l of img.json.layers) blobs.set(l.digest, l.size);
  }
  const first = images[0];
  if (first !== undefined) {
    const config = await readImageConfig(st, repo, first);
    row.created = typeof config?.created === "string" ? config.created : undefined;
    if (!isIndex(m) && config !== undefined) {
      row.platforms.push(formatPlatform({
        os: config.os,
        architecture: config.architecture,
        ...(config.variant !== undefined ? { variant: config.variant } : {}),
      }));
    }
  }
  for (const size of blobs.values()) row.size += size;
  return row;
}

/**
 * Summarises several tags, a few at a time.
 *
 * @param st registry state
 * @param repo repository
 * @param tags the tags
 * @returns one row each, in order; a tag that cannot be read has an empty digest
 */
export function tagRows(st: ServeState, repo: string, tags: readonly string[]): Promise<TagRow[]> {
  return _mapLimited(tags, CONCURRENCY, (tag) =>
    tagRow(st, repo, tag).catch((): TagRow => ({
      tag,
      digest: "",
      mediaType: "",
      artifactType: undefined,
      platforms: [],
      size: 0,
      created: undefined,
    })));
}

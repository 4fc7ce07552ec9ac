/**
 * OCI image layout 1.0 files: `oci-layout`, `index.json` and
 * `blobs/<alg>/<hex>`, and the tag bookkeeping on `index.json` entries
 * (`org.opencontainers.image.ref.name`).
 *
 * @module
 */
import { LayoutError, NotFoundError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { parseDigest } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import { readCapped } from "./_read_capped.ts";
import type { FileSystem } from "./file_system.ts";
import { LOCK_FILE } from "./lock.ts";
import { GC_LOCK_FILE } from "./gc_lock.ts";
import { writeTempBytes } from "./temp_bytes.ts";
import { utf8Text } from "../../utf8_text.ts";

/** Name of the layout marker file. */
export const OCI_LAYOUT_FILE = "oci-layout";
/** Name of the layout's entry point. */
export const INDEX_FILE = "index.json";
/** The only layout version accepted. */
export const LAYOUT_VERSION = "1.0.0";
/** Annotation naming an `index.json` entry (the tag). */
export const REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";
/** Largest `index.json` read (32 MiB). */
export const INDEX_READ_LIMIT = 32 * 1024 * 1024;

/**
 * One `index.json` entry. Other tools may leave out `mediaType`; unknown
 * fields are kept when the file is rewritten.
 */
export interface IndexEntry {
  /** Media type, when the writer recorded one. */
  mediaType?: string;
  /** Digest of the manifest. */
  digest: string;
  /** Size of the manifest. */
  size: number;
  /** Annotations, the tag among them. */
  annotations?: Record<string, string>;
  /** Other fields as written. */
  [key: string]: unknown;
}

/** The parsed `index.json`. */
export interface LayoutIndex {
  /** Always 2. */
  schemaVersion: number;
  /** The entries. */
  manifests: IndexEntry[];
  /** Other fields as written. */
  [key: string]: unknown;
}

/**
 * Path of a blob in a layout.
 *
 * @param dir layout directory
 * @param digest blob digest
 * @returns `<dir>/blobs/<alg>/<hex>`
 * @throws {InvalidDigestError} when the digest is not a valid sha256/sha512 digest
 */
export function blobPath(dir: string, digest: string): string {
  const d = parseDigest(digest);
  return `${dir}/blobs/${d.algorithm}/${d.hex}`;
}

function _parseJson(bytes: Uint8Array, path: string): unknown {
  try {
    return JSON.parse(utf8Text(bytes, true));
  } catch (err) {
    throw new LayoutError(path, `Cannot read OCI layout file "${path}": not valid JSON`, {
      cause: err,
    });
  }
}

async function _readLayoutFile(fs: FileSystem, dir: string): Promise<void> {
  const path = `${dir}/${OCI_LAYOUT_FILE}`;
  let bytes: Uint8Array;
  try {
    bytes = await readCapped(fs, path, 64 * 1024, `"${path}"`);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new LayoutError(
        dir,
        `Cannot read OCI layout "${dir}": "${OCI_LAYOUT_FILE}" is missing, so it is not an OCI layout`,
      );
    }
    throw err;
  }
  const json = _parseJson(bytes, path) as { imageLayoutVersion?: unknown } | null;
  const version = typeof json === "object" && json !== null ? json.imageLayoutVersion : undefined;
  if (version !== LAYOUT_VERSION) {
    throw new LayoutError(
      path,
      `Cannot read OCI layout file "${path}": imageLayoutVersion is ${
        JSON.stringify(version)
      }, only "${LAYOUT_VERSION}" is supported`,
    );
  }
}

function _validateIndex(json: unknown, path: string): LayoutIndex {
  const bad = (detail: string) =>
    new LayoutError(path, `Cannot read OCI layout file "${path}": ${detail}`);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw bad("not a JSON object");
  }
  const obj = json as Record<string, unknown>;
  const manifests = obj.manifests ?? [];
  if (!Array.isArray(manifests)) throw bad('"manifests" must be an array');
  manifests.forEach((e: unknown, i) => {
    const entry = e as Record<string, unknown> | null;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw bad(`manifests[${i}] is not an object`);
    }
    if (typeof entry.digest !== "string") throw bad(`manifests[${i}] has no digest`);
    if (typeof entry.size !== "number") throw bad(`manifests[${i}] has no size`);
    if (entry.mediaType !== undefined && typeof entry.mediaType !== "string") {
      throw bad(`manifests[${i}].mediaType is not a string`);
    }
    const ann = entry.annotations;
    if (ann !== undefined && ann !== null) {
      if (typeof ann !== "object" || Array.isArray(ann)) {
        throw bad(`manifests[${i}].annotations is not an object`);
      }
      if (Object.values(ann).some((v) => typeof v !== "string")) {
        throw bad(`manifests[${i}].annotations has a value that is not a string`);
      }
    }
  });
  return { ...obj, schemaVersion: Number(obj.schemaVersion ?? 2), manifests } as LayoutIndex;
}

async function _readIndexFile(fs: FileSystem, dir: string): Promise<LayoutIndex> {
  const path = `${dir}/${INDEX_FILE}`;
  let bytes: Uint8Array;
  try {
    bytes = await readCapped(fs, path, INDEX_READ_LIMIT, `"${path}"`);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new LayoutError(path, `Cannot read OCI layout "${dir}": "${INDEX_FILE}" is missing`);
    }
    throw err;
  }
  return _validateIndex(_parseJson(bytes, path), path);
}

/**
 * Reads and validates a layout's `oci-layout` and `index.json`.
 *
 * @param fs file system
 * @param dir layout directory
 * @returns the parsed `index.json`
 * @throws {NotFoundError} when the directory does not exist or is empty
 * @throws {LayoutError} when it is not an OCI layout 1.0.0 or a file is broken
 */
export async function readLayout(fs: FileSystem, dir: string): Promise<LayoutIndex> {
  const info = await fs.stat(dir);
  if (info === undefined) {
    throw new NotFoundError(`Cannot find OCI layout "${dir}": the directory does not exist`);
  }
  if (!info.isDirectory) {
    throw new LayoutError(dir, `Cannot read OCI layout "${dir}": not a directory`);
  }
  if ((await fs.stat(`${dir}/${OCI_LAYOUT_FILE}`)) === undefined) {
    // An empty directory is a layout that has not been written yet.
    const others = (await fs.readDir(dir)).filter((n) =>
      n !== LOCK_FILE && n !== GC_LOCK_FILE && n !== "blobs"
    );
    if (others.length === 0) {
      throw new NotFoundError(`Cannot find OCI layout "${dir}": the directory is empty`);
    }
  }
  await _readLayoutFile(fs, dir);
  return await _readIndexFile(fs, dir);
}

/** Temp files of this module's own layout files (`oci-layout.<uuid>.tmp`, `index.json.<uuid>.tmp`). */
const _OWN_TEMP = /^(oci-layout|index\.json)\.[0-9a-f-]{36}\.tmp$/;

async function _writeFile(fs: FileSystem, dir: string, name: string, bytes: Uint8Array) {
  const tmp = await writeTempBytes(fs, dir, bytes, { prefix: `${name}.` });
  await fs.rename(tmp, `${dir}/${name}`);
}

/**
 * Writes `index.json` atomically (temp file, then rename).
 *
 * @param fs file system
 * @param dir layout directory
 * @param index the new contents
 * @returns nothing
 */
export async function writeIndex(fs: FileSystem, dir: string, index: LayoutIndex): Promise<void> {
  await _writeFile(fs, dir, INDEX_FILE, new TextEncoder().encode(JSON.stringify(index)));
}

/**
 * Opens a layout for changing it, creating it in a missing or empty
 * directory. Call it while holding the layout lock (the directory must
 * already exist for the lock file).
 *
 * @param fs file system
 * @param dir layout directory
 * @returns the current `index.json`
 * @throws {LayoutError} when the directory holds something that is not an
 *   OCI layout 1.0.0, or a layout file is broken (nothing is overwritten)
 */
export async function openLayoutForWrite(fs: FileSystem, dir: string): Promise<LayoutIndex> {
  const hasLayoutFile = (await fs.stat(`${dir}/${OCI_LAYOUT_FILE}`)) !== undefined;
  if (hasLayoutFile) {
    await _readLayoutFile(fs, dir);
    const index = (await fs.stat(`${dir}/${INDEX_FILE}`)) === undefined
      ? await _createIndex(fs, dir)
      : await _readIndexFile(fs, dir);
    await fs.mkdir(`${dir}/blobs`);
    return index;
  }
  // What a creation killed part-way leaves (locks, blobs/, a temp oci-layout or index.json,
  // index.json itself) is ours to finish; anything else is someone else's directory.
  const others = (await fs.readDir(dir)).filter((n) =>
    n !== LOCK_FILE && n !== GC_LOCK_FILE && n !== "blobs" && n !== INDEX_FILE &&
    !_OWN_TEMP.test(n)
  );
  if (others.length > 0) {
    throw new LayoutError(
      dir,
      `Cannot write OCI layout "${dir}": the directory is not empty and has no "${OCI_LAYOUT_FILE}"; use a new or empty directory`,
    );
  }
  if ((await fs.stat(`${dir}/${INDEX_FILE}`)) !== undefined) {
    // a creation that stopped before oci-layout: keep its index only if it is a valid one
    await _readIndexFile(fs, dir);
  }
  await fs.mkdir(`${dir}/blobs`);
  // oci-layout first: a layout killed after it is finished by the branch above
  await _writeFile(
    fs,
    dir,
    OCI_LAYOUT_FILE,
    new TextEncoder().encode(JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })),
  );
  return (await fs.stat(`${dir}/${INDEX_FILE}`)) === undefined
    ? await _createIndex(fs, dir)
    : await _readIndexFile(fs, dir);
}

async function _createIndex(fs: FileSystem, dir: string): Promise<LayoutIndex> {
  const index: LayoutIndex = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [] };
  await writeIndex(fs, dir, index);
  return index;
}

/**
 * The tag of an entry (its ref.name annotation), if any.
 *
 * @param entry index entry
 * @returns the annotation value or undefined
 */
export function refNameOf(entry: IndexEntry): string | undefined {
  return entry.annotations?.[REF_NAME_ANNOTATION];
}

/**
 * Finds the entry of a tag: an exact ref.name first, else one whose ref.name
 * ends in `:<tag>` (full names written by other tools).
 *
 * @param index parsed `index.json`
 * @param tag tag
 * @returns the entry or undefined
 */
export function findTag(index: LayoutIndex, tag: string): IndexEntry | undefined {
  return index.manifests.find((e) => refNameOf(e) === tag) ??
    index.manifests.find((e) => refNameOf(e)?.endsWith(`:${tag}`) === true);
}

/**
 * Lists the tags of a layout: ref.name values with anything up to the last
 * `:` removed, deduplicated and sorted.
 *
 * @param index parsed `index.json`
 * @returns sorted tags
 */
export function listTags(index: LayoutIndex): string[] {
  const tags = new Set<string>();
  for (const e of index.manifests) {
    const name = refNameOf(e);
    if (name === undefined || name === "") continue;
    tags.add(name.slice(name.lastIndexOf(":") + 1));
  }
  return [...tags].sort();
}

/** Result of an `index.json` change. */
export interface IndexChange {
  /** The new index. */
  index: LayoutIndex;
  /** Entries that were removed or replaced. */
  removed: IndexEntry[];
}

/**
 * Adds or replaces the entry of a manifest, as regclient does: with a tag it
 * replaces the entry carrying that tag (or an untagged entry of the same
 * digest); without a tag it adds one untagged entry unless there is one
 * already.
 *
 * @param index parsed `index.json` (not modified)
 * @param tag tag, or "" for an untagged entry
 * @param desc descriptor of the manifest
 * @returns the new index and the entries it replaced
 */
export function setEntry(index: LayoutIndex, tag: string, desc: Descriptor): IndexChange {
  const entry: IndexEntry = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (desc.artifactType !== undefined) entry.artifactType = desc.artifactType;
  const annotations = { ...desc.annotations };
  if (tag !== "") annotations[REF_NAME_ANNOTATION] = tag;
  if (Object.keys(annotations).length > 0) entry.annotations = annotations;
  const matches = (e: IndexEntry) => {
    const name = refNameOf(e);
    return ((name === undefined || name === "") && e.digest === desc.digest) ||
      (tag !== "" && name === tag);
  };
  const removed: IndexEntry[] = [];
  const manifests: IndexEntry[] = [];
  let placed = false;
  for (const e of index.manifests) {
    if (!matches(e)) {
      manifests.push(e);
      continue;
    }
    removed.push(e);
    if (!placed) {
      manifests.push(entry);
      placed = true;
    }
  }
  if (!placed) manifests.push(entry);
  return { index: { ...index, manifests }, removed };
}

/**
 * Removes a tag: the entries whose ref.name is exactly the tag, else those
 * ending in `:<tag>`.
 *
 * @param index parsed `index.json` (not modified)
 * @param tag tag
 * @returns the new index and the removed entries (empty when the tag is unknown)
 */
export function removeTag(index: LayoutIndex, tag: string): IndexChange {
  const exact = index.manifests.some((e) => refNameOf(e) === tag);
  const hit = (e: IndexEntry) =>
    exact ? refNameOf(e) === tag : refNameOf(e)?.endsWith(`:${tag}`) === true;
  return {
    index: { ...index, manifests: index.manifests.filter((e) => !hit(e)) },
    removed: index.manifests.filter(hit),
  };
}

/**
 * Removes every entry of a digest, tagged or not.
 *
 * @param index parsed `index.json` (not modified)
 * @param digest manifest digest
 * @returns the new index and the removed entries
 */
export function removeDigest(index: LayoutIndex, digest: string): IndexChange {
  return {
    index: { ...index, manifests: index.manifests.filter((e) => e.digest !== digest) },
    removed: index.manifests.filter((e) => e.digest === digest),
  };
}

/**
 * Writes the flattened root filesystem of an image into a directory
 * (`image export-fs`, regclient #971). Every layer is first walked without
 * writing anything, so an unsafe layer (`..`, absolute names, paths through
 * symlinks) is refused before the first byte lands; then the surviving
 * files are written with {@link SafeExtractor}, links last.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { ExtractFs } from "../archive/extract_fs.ts";
import { type FlatEntry, Flattener } from "../archive/flatten.ts";
import { walkLayer } from "../archive/layer_reader.ts";
import { SafeExtractor } from "../archive/safe_extract.ts";
import type { Platform } from "../types/descriptor.ts";
import type { Ref } from "../types/ref.ts";
import { commonName } from "../types/ref.ts";
import { _openLayer, _resolveImage, type ImageReader } from "./_image_reader.ts";

/** Options of {@link exportFs}. */
export interface ExportFsOptions {
  /** The file-system seam. */
  fs: ExtractFs;
  /** Platform chosen in an index. */
  platform: Platform;
  /** Write into a non-empty directory (existing files are replaced). @default false */
  force?: boolean | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** What {@link exportFs} wrote. */
export interface ExportFsResult {
  /** Digest of the image manifest exported. */
  digest: string;
  /** Regular files written. */
  files: number;
  /** Directories created. */
  dirs: number;
  /** Symlinks and hard links created. */
  links: number;
  /** Entries skipped (devices, FIFOs). */
  skipped: number;
}

/**
 * Exports an image's flattened filesystem to a directory.
 *
 * @param reader read calls
 * @param ref image reference
 * @param dir target directory: missing (created) or empty, unless `force`
 * @param options file-system seam, platform, force, cancellation
 * @returns counts of what was written
 * @throws {UsageError} when the directory is not empty and `force` is not set
 * @throws {ArchiveError} for an unsafe or corrupt layer (nothing written)
 * @throws {NotFoundError} when the image, platform or a layer is missing
 */
export async function exportFs(
  reader: ImageReader,
  ref: Ref,
  dir: string,
  options: ExportFsOptions,
): Promise<ExportFsResult> {
  const { fs, signal } = options;
  const img = await _resolveImage(reader, ref, options.platform, signal);
  const layers = img.manifest.json.layers;
  const existing = await fs.lstat(dir);
  if (existing !== undefined) {
    if (!existing.isDirectory) {
      throw new UsageError(`Cannot export the filesystem to "${dir}": it is not a directory`);
    }
    if (options.force !== true && (await fs.readDir(dir)).length > 0) {
      throw new UsageError(
        `Cannot export the filesystem to "${dir}": the directory is not empty (use an empty directory or --force)`,
      );
    }
  }
  // Pass 1: metadata only, nothing written.
  const flat = new Flattener(`"${commonName(img.ref)}"`);
  for (const [i, layer] of layers.entries()) {
    flat.beginLayer(i);
    const body = await _openLayer(reader, img.ref, layer, signal);
    for await (const e of walkLayer(body, { subject: `layer "${layer.digest}"` })) flat.add(e);
  }
  const entries = flat.entries();
  const result: ExportFsResult = {
    digest: img.manifest.digest,
    files: 0,
    dirs: 0,
    links: 0,
    skipped: 0,
  };
  for (const e of entries) {
    if (e.type === "hardlink" && flat.get(e.linkname)?.type !== "file") {
      throw new UsageError(
        `Cannot export "${e.path}" of "${
          commonName(img.ref)
        }": its hard link target "${e.linkname}" is not a file of the image`,
      );
    }
  }
  // Pass 2: write.
  if (existing === undefined) await fs.mkdir(dir, 0o755);
  const x = new SafeExtractor(fs, dir);
  for (const e of entries) {
    if (e.type !== "dir") continue;
    await x.mkdir(e.path, e.mode);
    result.dirs++;
  }
  const byLayer = new Map<number, Map<string, FlatEntry>>();
  for (const e of entries) {
    if (e.type !== "file") continue;
    let m = byLayer.get(e.layer);
    if (m === undefined) byLayer.set(e.layer, m = new Map());
    m.set(e.path, e);
  }
  for (const [i, layer] of layers.entries()) {
    const wanted = byLayer.get(i);
    if (wanted === undefined) continue;
    const body = await _openLayer(reader, img.ref, layer, signal);
    for await (const e of walkLayer(body, { subject: `layer "${layer.digest}"` })) {
      const w = wanted.get(e.path);
      if (w === undefined || w.ordinal !== e.ordinal || e.type !== "file") continue;
      await x.writeFile(e.path, e.body, e.mode);
      result.files++;
    }
  }
  for (const e of entries) {
    if (e.type === "hardlink") await x.hardlink(e.path, e.linkname);
    else if (e.type === "symlink") await x.symlink(e.path, e.linkname);
    else if (e.type === "other") {
      result.skipped++;
      continue;
    } else continue;
    result.links++;
  }
  await x.finish();
  return result;
}

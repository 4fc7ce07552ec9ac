/**
 * Reads one file out of an image (`image get-file`) or a layer blob
 * (`blob get-file`): layers are searched top-down, whiteouts and opaque
 * whiteouts hide lower files, hard links and symlinks are resolved inside
 * the image.
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from "../archive/flatten.ts";
import {
  type LayerEntry,
  type LayerEntryInfo,
  normalizeEntryPath,
  walkLayer,
} from "../archive/layer_reader.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { commonName, type Ref } from "../types/ref.ts";
import { _openLayer, _resolveImage, type ImageReader } from "./_image_reader.ts";

export type { ImageReader } from "./_image_reader.ts";

/** A file found in an image. */
export interface FoundFile {
  /** The entry's header (the file itself; links resolved). */
  info: LayerEntryInfo;
  /** Digest of the layer that holds it. */
  layer: string;
  /** The file's bytes (consume or cancel; that ends the layer walk). */
  body: ReadableStream<Uint8Array>;
}

/** Options of {@link getImageFile} and {@link getLayerFile}. */
export interface GetFileOptions {
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** Symlinks followed at most this many times. */
const MAX_LINKS = 40;

function _clean(path: string): string {
  return normalizeEntryPath(path.replace(/^\/+/, ""), "path");
}

function _resolveLink(from: string, target: string): string {
  const dir = target.startsWith("/") ? [] : from.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") dir.pop();
    else dir.push(part);
  }
  return dir.join("/");
}

type _Hit =
  | { kind: "file"; entry: LayerEntry; gen: AsyncGenerator<LayerEntry> }
  | { kind: "hardlink"; target: string }
  | { kind: "symlink"; target: string }
  | { kind: "dir" }
  | { kind: "hidden" }
  | { kind: "none" };

function _hides(entryPath: string, target: string): boolean {
  const slash = entryPath.lastIndexOf("/");
  const dir = slash < 0 ? "" : entryPath.slice(0, slash);
  const base = entryPath.slice(slash + 1);
  if (base === OPAQUE_WHITEOUT) return dir === "" || target.startsWith(`${dir}/`);
  if (!base.startsWith(WHITEOUT_PREFIX)) return false;
  const hidden = (dir === "" ? "" : `${dir}/`) + base.slice(WHITEOUT_PREFIX.length);
  return target === hidden || target.startsWith(`${hidden}/`);
}

async function _searchLayer(body: ReadableStream<Uint8Array>, target: string, subject: string) {
  const gen = walkLayer(body, { subject });
  let hidden = false;
  let done = false;
  try {
    for (;;) {
      const r = await gen.next();
      if (r.done) break;
      const e = r.value;
      if (e.path === target) {
        if (e.type === "file") {
          done = true;
          return { kind: "file", entry: e, gen } as _Hit;
        }
        if (e.type === "hardlink") return { kind: "hardlink", target: e.linkname } as _Hit;
        if (e.type === "symlink") return { kind: "symlink", target: e.linkname } as _Hit;
        if (e.type === "dir") return { kind: "dir" } as _Hit;
      }
      if (_hides(e.path, target)) hidden = true;
    }
    return (hidden ? { kind: "hidden" } : { kind: "none" }) as _Hit;
  } finally {
    if (!done) await gen.return(undefined);
  }
}

function _bodyOf(hit: { entry: LayerEntry; gen: AsyncGenerator<LayerEntry> }) {
  const reader = hit.entry.body.getReader();
  const end = () => hit.gen.return(undefined).then(() => {}, () => {});
  // Read the rest of the layer before ending the file's stream, so the
  // layer's digest and size are verified before the output counts as good.
  const finish = async () => {
    for (;;) {
      const r = await hit.gen.next();
      if (r.done) return;
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await reader.read();
        if (r.done) {
          await finish();
          controller.close();
        } else controller.enqueue(r.value);
      } catch (err) {
        await end();
        controller.error(err);
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await end();
    },
  });
}

/**
 * Searches layers (given base first) top-down for a file.
 *
 * @param reader read calls
 * @param ref repository of the layers
 * @param layers layer descriptors, base first
 * @param path file path (a leading `/` is fine)
 * @param options cancellation
 * @returns the file and its body
 * @throws {NotFoundError} when no layer has it, it is whited out, or it is a directory
 * @throws {ArchiveError} for an unsafe or corrupt layer
 */
export async function findFileInLayers(
  reader: ImageReader,
  ref: Ref,
  layers: readonly Descriptor[],
  path: string,
  options: GetFileOptions = {},
): Promise<FoundFile> {
  let target = _clean(path);
  let top = layers.length - 1;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    let next: { target: string; top: number } | undefined;
    for (let i = top; i >= 0 && next === undefined; i--) {
      const layer = layers[i] as Descriptor;
      const body = await _openLayer(reader, ref, layer, options.signal);
      const hit = await _searchLayer(body, target, `layer "${layer.digest}"`);
      switch (hit.kind) {
        case "file":
          return { info: hit.entry, layer: layer.digest, body: _bodyOf(hit) };
        case "hardlink":
          next = { target: hit.target, top: i };
          break;
        case "symlink":
          next = { target: _resolveLink(target, hit.target), top: layers.length - 1 };
          break;
        case "dir":
          throw new NotFoundError(
            `Cannot get file "${path}" from "${commonName(ref)}": it is a directory`,
          );
        case "hidden":
          throw new NotFoundError(
            `Cannot find file "${path}" in "${commonName(ref)}": a whiteout removed it`,
          );
      }
    }
    if (next === undefined) break;
    target = next.target;
    top = next.top;
  }
  throw new NotFoundError(
    `Cannot find file "${path}" in "${
      commonName(ref)
    }": no layer has it (check the path and --platform)`,
  );
}

/**
 * Reads a file of an image for a platform (`image get-file`).
 *
 * @param reader read calls
 * @param ref image reference
 * @param path file path
 * @param platform platform chosen in an index
 * @param options cancellation
 * @returns the file and its body
 * @throws {NotFoundError} when the file or platform is missing
 * @throws {UnsupportedMediaTypeError} when the reference is not an image
 */
export async function getImageFile(
  reader: ImageReader,
  ref: Ref,
  path: string,
  platform: Platform,
  options: GetFileOptions = {},
): Promise<FoundFile> {
  const img = await _resolveImage(reader, ref, platform, options.signal);
  return findFileInLayers(reader, img.ref, img.manifest.json.layers, path, options);
}

/**
 * Reads a file of one layer blob (`blob get-file`).
 *
 * @param reader read calls
 * @param ref repository
 * @param digest layer digest
 * @param path file path
 * @param options cancellation
 * @returns the file and its body
 * @throws {NotFoundError} when the file or blob is missing
 */
export function getLayerFile(
  reader: ImageReader,
  ref: Ref,
  digest: string,
  path: string,
  options: GetFileOptions = {},
): Promise<FoundFile> {
  return findFileInLayers(
    reader,
    ref,
    [{ mediaType: "application/octet-stream", digest, size: -1 }],
    path,
    options,
  );
}

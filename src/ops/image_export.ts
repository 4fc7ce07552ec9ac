/**
 * `image export`: one or more images as a tar: an OCI layout (`oci-layout`,
 * `index.json` with `io.containerd.image.name` and
 * `org.opencontainers.image.ref.name`, `blobs/…`) plus a docker
 * `manifest.json` for every single-platform image, so that `docker load` and
 * `skopeo copy docker-archive:…` accept it. Manifests are read first (so a
 * missing image fails before any byte); blobs then stream from the source
 * into the tar, verified on the way.
 *
 * @module
 */
import { createTarPacker, type TarHeader } from "modern-tar";
import { compressor } from "../archive/compression.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import type { Transport } from "../transport/transport.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { parseDigest } from "../types/digest.ts";
import { isImage, isIndex, type Manifest, manifestReferences } from "../types/manifest.ts";
import { isManifestMediaType, MediaType } from "../types/media_type.ts";
import { formatPlatform, selectPlatform } from "../types/platform.ts";
import { commonName, parseRef, type Ref, withDigest } from "../types/ref.ts";

/** The read calls an export needs. */
export type ExportReader = Pick<Transport, "manifestGet" | "blobGet">;

/** One image to export. */
export interface ExportImage {
  /** The source reference. */
  ref: Ref;
  /** Name embedded in the tar (`repo:tag`), instead of the reference's. */
  name?: string | undefined;
}

/** Options of {@link openImageExport}. */
export interface ImageExportOptions {
  /** Export only this platform's manifest of an index. */
  platform?: Platform | undefined;
  /** gzip the tar. @default false */
  compress?: boolean | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

interface _Blob {
  ref: Ref;
  desc: Descriptor;
}

interface _Image {
  top: Manifest;
  name: Ref | undefined;
  refName: string | undefined;
}

const MTIME = new Date(0);

function _blobPath(digest: string): string {
  const d = parseDigest(digest);
  return `blobs/${d.algorithm}/${d.hex}`;
}

/**
 * The familiar docker form of a name: `docker.io/` and `library/` dropped.
 *
 * @param ref a registry reference with a tag
 * @returns e.g. `alpine:3`, `localhost:5000/a/b:v1`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef } from "../types/ref.ts";
 * import { familiarName } from "./image_export.ts";
 * assert.equal(familiarName(parseRef("alpine:3")), "alpine:3");
 * ```
 */
export function familiarName(ref: Ref): string {
  let repo = ref.repository;
  if (ref.registry === "docker.io") {
    if (repo.startsWith("library/")) repo = repo.slice("library/".length);
  } else repo = `${ref.registry}/${repo}`;
  return `${repo}:${ref.tag === "" ? "latest" : ref.tag}`;
}

function _encode(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/**
 * Prepares an export of images and returns the tar stream. Every manifest
 * is read (and every name checked) before this resolves; blob bytes flow
 * while the stream is read.
 *
 * @param reader read calls of the source
 * @param images the images, each with an optional name
 * @param options platform, gzip, cancellation
 * @returns the tar (gzip when asked) stream; it errors on a blob read or verification failure
 * @throws {UsageError} when no image is given or a name does not parse
 * @throws {NotFoundError} when an image or platform is missing
 */
export async function openImageExport(
  reader: ExportReader,
  images: readonly ExportImage[],
  options: ImageExportOptions = {},
): Promise<ReadableStream<Uint8Array>> {
  if (images.length === 0) throw new UsageError("Cannot export: give at least one image");
  const { signal } = options;
  const manifests = new Map<string, Manifest>();
  const blobs = new Map<string, _Blob>();
  const tops: _Image[] = [];
  const walk = async (ref: Ref, m: Manifest): Promise<void> => {
    manifests.set(m.digest, m);
    for (const d of manifestReferences(m)) {
      if (isManifestMediaType(d.mediaType)) {
        if (manifests.has(d.digest)) continue;
        const child = await reader.manifestGet(withDigest(ref, d.digest), { signal });
        await walk(ref, child);
      } else if ((d.urls?.length ?? 0) === 0 && !blobs.has(d.digest)) {
        blobs.set(d.digest, { ref, desc: d });
      }
    }
  };
  for (const img of images) {
    let top = await reader.manifestGet(img.ref, { signal });
    if (options.platform !== undefined && isIndex(top)) {
      const found = selectPlatform(top.json.manifests, options.platform);
      if (found === undefined) {
        throw new NotFoundError(
          `Cannot find platform "${formatPlatform(options.platform)}" in "${
            commonName(img.ref)
          }": the index has no such entry`,
        );
      }
      top = await reader.manifestGet(withDigest(img.ref, found.digest), { signal });
    }
    await walk(img.ref, top);
    let name: Ref | undefined;
    if (img.name !== undefined) {
      name = parseRef(img.name);
      if (name.scheme !== "reg") {
        throw new UsageError(
          `Cannot export with name "${img.name}": use a registry name (repo:tag)`,
        );
      }
    } else if (img.ref.scheme === "reg" && img.ref.tag !== "") {
      name = img.ref;
    }
    const refName = name?.tag !== undefined && name.tag !== ""
      ? name.tag
      : img.ref.tag !== ""
      ? img.ref.tag
      : undefined;
    tops.push({ top, name, refName });
  }
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    manifests: tops.map(({ top, name, refName }) => {
      const annotations: Record<string, string> = {};
      if (name !== undefined) {
        annotations["io.containerd.image.name"] = commonName({ ...name, digest: "" });
      }
      if (refName !== undefined) annotations["org.opencontainers.image.ref.name"] = refName;
      const d: Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.size };
      if (Object.keys(annotations).length > 0) d.annotations = annotations;
      return d;
    }),
  };
  const dockerEntries = tops.filter(({ top }) => isImage(top)).map(({ top, name }) => {
    const json = (top as Manifest & { json: { config: Descriptor; layers: Descriptor[] } }).json;
    return {
      Config: _blobPath(json.config.digest),
      RepoTags: name !== undefined ? [familiarName(name)] : [],
      Layers: json.layers.map((l) => _blobPath(l.digest)),
    };
  });
  const { readable, controller } = createTarPacker();
  const add = async (header: TarHeader, body?: Uint8Array | ReadableStream<Uint8Array>) => {
    const sink = controller.add({
      mtime: MTIME,
      uid: 0,
      gid: 0,
      uname: "",
      gname: "",
      mode: 0o644,
      ...header,
    });
    if (body instanceof ReadableStream) {
      await body.pipeTo(sink);
      return;
    }
    const w = sink.getWriter();
    if (body !== undefined && body.byteLength > 0) await w.write(body);
    await w.close();
  };
  const file = (name: string, bytes: Uint8Array) =>
    add({ name, type: "file", size: bytes.byteLength }, bytes);
  (async () => {
    await file("oci-layout", _encode({ imageLayoutVersion: "1.0.0" }));
    await file("index.json", _encode(index));
    if (dockerEntries.length > 0) await file("manifest.json", _encode(dockerEntries));
    await add({ name: "blobs/", type: "directory", size: 0, mode: 0o755 });
    const dirs = new Set<string>();
    const dir = async (path: string) => {
      const d = path.slice(0, path.lastIndexOf("/") + 1);
      if (dirs.has(d)) return;
      dirs.add(d);
      await add({ name: d, type: "directory", size: 0, mode: 0o755 });
    };
    for (const m of manifests.values()) {
      await dir(_blobPath(m.digest));
      await file(_blobPath(m.digest), m.raw);
    }
    for (const { ref, desc } of blobs.values()) {
      if (manifests.has(desc.digest)) continue;
      await dir(_blobPath(desc.digest));
      const r = await reader.blobGet(ref, desc.digest, { size: desc.size, signal });
      await add({ name: _blobPath(desc.digest), type: "file", size: desc.size }, r.body);
    }
    controller.finalize();
  })().catch((err) => controller.error(err));
  return options.compress === true ? readable.pipeThrough(compressor("gzip")) : readable;
}

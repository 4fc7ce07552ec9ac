/**
 * Builds small, deterministic tar layers in memory for tests, demos and
 * benchmarks: fixed mtime, uid/gid 0, no user names and a normalised gzip
 * header, so the same entries give the same digest on every run and machine.
 *
 * @module
 */
import { createTarPacker, type TarHeader } from "modern-tar";
import { constants as zlibConstants, gzipSync } from "node:zlib";
import { UsageError } from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import { MediaType } from "../types/media_type.ts";

/** Modification time written on every entry (2024-01-01T00:00:00Z). */
export const LAYER_MTIME: Date = new Date("2024-01-01T00:00:00Z");

/** One entry of a layer. */
export interface LayerEntry {
  /** Path inside the layer, relative (`etc/os-release`); directories may end with `/`. */
  path: string;
  /** Entry kind. */
  type: "file" | "dir" | "symlink" | "hardlink";
  /** File body (files only). @default empty */
  content?: string | Uint8Array;
  /** Permission bits. @default 0o644 for files and hardlinks, 0o755 for dirs, 0o777 for symlinks */
  mode?: number;
  /** Link target: relative to the entry for symlinks, a layer path for hardlinks. */
  linkname?: string;
  /** Owner uid. @default 0 */
  uid?: number;
  /** Owner gid. @default 0 */
  gid?: number;
}

/** A built layer: the blob bytes, their descriptor and the DiffID. */
export interface Layer {
  /** The blob bytes (gzip-compressed tar, or the plain tar). */
  bytes: Uint8Array;
  /** Descriptor of {@link bytes}. */
  descriptor: Descriptor;
  /** Digest of the uncompressed tar. */
  diffId: string;
}

/** Options of {@link buildLayer}. */
export interface BuildLayerOptions {
  /** Compression of the blob. @default "gzip" */
  compression?: "gzip" | "none";
  /**
   * Media type of the descriptor.
   * @default `application/vnd.oci.image.layer.v1.tar+gzip` (or `…v1.tar` without compression)
   */
  mediaType?: string;
}

/** gzip header: OS byte set to 255 ("unknown"), as Go's compress/gzip writes it. */
const GZIP_OS_UNKNOWN = 0xff;

/**
 * Builds a layer from entries, in the given order, with the deterministic
 * metadata described in the module summary.
 *
 * @param entries layer entries; paths must be unique, relative and free of `..`
 * @param options compression and media type
 * @returns the layer bytes, descriptor and DiffID
 * @throws {UsageError} an entry is malformed (bad or duplicate path, missing
 *   link target, content on a non-file, bad mode or ids)
 *
 * @example Build a gzip layer
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildLayer } from "./layer_builder.ts";
 * const a = await buildLayer([{ path: "etc/", type: "dir" }, { path: "etc/hi", type: "file", content: "hi\n" }]);
 * const b = await buildLayer([{ path: "etc/", type: "dir" }, { path: "etc/hi", type: "file", content: "hi\n" }]);
 * assert.equal(a.descriptor.digest, b.descriptor.digest);
 * assert.equal(a.descriptor.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
 * ```
 */
export async function buildLayer(
  entries: LayerEntry[],
  options: BuildLayerOptions = {},
): Promise<Layer> {
  const compression = options.compression ?? "gzip";
  if (compression !== "gzip" && compression !== "none") {
    throw new UsageError(
      `Cannot build layer: unknown compression "${String(compression)}" (use "gzip" or "none")`,
    );
  }
  const prepared = _prepareEntries(entries);
  const tar = await _pack(prepared);
  const diffId = await digestOf(tar);
  const bytes = compression === "gzip" ? _gzip(tar) : tar;
  const mediaType = options.mediaType ??
    (compression === "gzip" ? MediaType.OCI_LAYER_GZIP : MediaType.OCI_LAYER);
  return {
    bytes,
    descriptor: { mediaType, digest: await digestOf(bytes), size: bytes.byteLength },
    diffId,
  };
}

interface _PreparedEntry {
  header: TarHeader;
  body: Uint8Array | undefined;
}

function _prepareEntries(entries: LayerEntry[]): _PreparedEntry[] {
  if (!Array.isArray(entries)) {
    throw new UsageError("Cannot build layer: entries must be an array of layer entries");
  }
  const seen = new Set<string>();
  return entries.map((entry) => {
    const name = _entryName(entry);
    const key = name.replace(/\/$/, "");
    if (seen.has(key)) {
      throw new UsageError(
        `Cannot build layer entry "${entry.path}": the path appears twice (layers must not hold duplicate paths)`,
      );
    }
    seen.add(key);
    return _prepareEntry(entry, name);
  });
}

function _entryName(entry: LayerEntry): string {
  const path = entry?.path;
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw new UsageError(
      `Cannot build layer entry "${String(path)}": the path must be a non-empty string`,
    );
  }
  if (path.startsWith("/")) {
    throw new UsageError(`Cannot build layer entry "${path}": use a relative path`);
  }
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  const parts = trimmed.split("/");
  for (const part of parts) {
    if (part === "" || part === "." || part === "..") {
      throw new UsageError(
        `Cannot build layer entry "${path}": empty, "." and ".." path components are not allowed`,
      );
    }
  }
  if (parts[parts.length - 1] === ".wh.") {
    throw new UsageError(
      `Cannot build layer entry "${path}": a whiteout needs a name after ".wh."`,
    );
  }
  if (entry.type === "dir") return `${trimmed}/`;
  if (path.endsWith("/")) {
    throw new UsageError(
      `Cannot build layer entry "${path}": only directories may end with "/"`,
    );
  }
  return trimmed;
}

function _prepareEntry(entry: LayerEntry, name: string): _PreparedEntry {
  const { path, type } = entry;
  const uid = _id(entry.uid, path, "uid");
  const gid = _id(entry.gid, path, "gid");
  const base = { name, mtime: LAYER_MTIME, uid, gid, uname: "", gname: "" };
  if (type !== "file" && entry.content !== undefined) {
    throw new UsageError(`Cannot build layer entry "${path}": only files have content`);
  }
  if ((type === "file" || type === "dir") && entry.linkname !== undefined) {
    throw new UsageError(`Cannot build layer entry "${path}": only links have a link target`);
  }
  switch (type) {
    case "file": {
      const body = typeof entry.content === "string"
        ? new TextEncoder().encode(entry.content)
        : (entry.content ?? new Uint8Array(0));
      if (!(body instanceof Uint8Array)) {
        throw new UsageError(
          `Cannot build layer entry "${path}": content must be a string or Uint8Array`,
        );
      }
      return {
        header: {
          ...base,
          type: "file",
          size: body.byteLength,
          mode: _mode(entry.mode, 0o644, path),
        },
        body,
      };
    }
    case "dir":
      return {
        header: { ...base, type: "directory", size: 0, mode: _mode(entry.mode, 0o755, path) },
        body: undefined,
      };
    case "symlink":
    case "hardlink": {
      const linkname = entry.linkname;
      if (typeof linkname !== "string" || linkname === "" || linkname.includes("\0")) {
        throw new UsageError(`Cannot build layer entry "${path}": a ${type} needs a linkname`);
      }
      if (type === "hardlink" && (linkname.startsWith("/") || linkname.split("/").includes(".."))) {
        throw new UsageError(
          `Cannot build layer entry "${path}": a hardlink target must be a path inside the layer`,
        );
      }
      return {
        header: {
          ...base,
          type: type === "symlink" ? "symlink" : "link",
          size: 0,
          linkname,
          mode: _mode(entry.mode, type === "symlink" ? 0o777 : 0o644, path),
        },
        body: undefined,
      };
    }
    default:
      throw new UsageError(
        `Cannot build layer entry "${path}": unknown type "${
          String(type)
        }" (use file, dir, symlink or hardlink)`,
      );
  }
}

function _mode(mode: number | undefined, fallback: number, path: string): number {
  if (mode === undefined) return fallback;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new UsageError(
      `Cannot build layer entry "${path}": mode must be an integer from 0 to 0o7777`,
    );
  }
  return mode;
}

function _id(id: number | undefined, path: string, what: string): number {
  if (id === undefined) return 0;
  // 0o7777777 is the largest value a ustar header field holds without pax records.
  if (!Number.isInteger(id) || id < 0 || id > 0o7777777) {
    throw new UsageError(
      `Cannot build layer entry "${path}": ${what} must be an integer from 0 to 2097151`,
    );
  }
  return id;
}

async function _pack(entries: _PreparedEntry[]): Promise<Uint8Array> {
  const { readable, controller } = createTarPacker();
  const collected = new Response(readable).bytes();
  try {
    for (const { header, body } of entries) {
      const sink = controller.add(header);
      const writer = sink.getWriter();
      if (body !== undefined && body.byteLength > 0) await writer.write(body);
      await writer.close();
    }
    controller.finalize();
  } catch (err) {
    controller.error(err);
    await collected.catch(() => undefined);
    throw err;
  }
  return await collected;
}

function _gzip(tar: Uint8Array): Uint8Array {
  const gz = gzipSync(tar, { level: zlibConstants.Z_DEFAULT_COMPRESSION });
  const out = new Uint8Array(gz); // a copy: Buffer results may share a pooled ArrayBuffer
  // Normalise the header: no name/comment flags are set by zlib, mtime is 0;
  // pin mtime and the OS byte so the bytes do not depend on the build of zlib.
  out.fill(0, 4, 8);
  out[9] = GZIP_OS_UNKNOWN;
  return out;
}

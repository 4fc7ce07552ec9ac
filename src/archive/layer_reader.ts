/**
 * Walks the entries of a layer (a tar, optionally gzip or zstd) as a stream,
 * with modern-tar in strict mode. Entry names are normalised and checked:
 * absolute names and `..` components are refused.
 *
 * @module
 */
import { createTarDecoder, type TarHeader } from "modern-tar";
import { OciError } from "../errors.ts";
import { ArchiveError } from "./archive_error.ts";
import { type Compression, openDecompressed } from "./compression.ts";

/** Kind of a layer entry. */
export type LayerEntryType = "file" | "dir" | "symlink" | "hardlink" | "other";

/** What a layer entry says about itself (no body). */
export interface LayerEntryInfo {
  /** Normalised path: relative, no `./` prefix, no trailing `/`, no `..`. */
  path: string;
  /** The name as stored in the archive (`./etc/`), when read from one. */
  name?: string | undefined;
  /** The tar type flag as a byte (`"0"` = 48 for a file, `"5"` = 53 for a directory), when read from one. */
  typeflag?: number | undefined;
  /** Entry kind. */
  type: LayerEntryType;
  /** Body size in bytes (0 for non-files). */
  size: number;
  /** Permission bits. */
  mode: number;
  /** Owner uid. */
  uid: number;
  /** Owner gid. */
  gid: number;
  /** Modification time, when set. */
  mtime: Date | undefined;
  /** Symlink target as written; for hardlinks the normalised target path. */
  linkname: string;
  /** Position of the entry in the layer (0-based, counting every entry). */
  ordinal: number;
}

/** A layer entry with its body. */
export interface LayerEntry extends LayerEntryInfo {
  /**
   * The body (empty for non-files). Consume or cancel it before reading the
   * next entry; an untouched body is cancelled when the walk moves on.
   */
  body: ReadableStream<Uint8Array>;
}

/** Options of {@link walkLayer}. */
export interface WalkLayerOptions {
  /** Names the layer in error messages. @default "layer" */
  subject?: string | undefined;
  /** Told the detected compression before the first entry. */
  onCompression?: ((compression: Compression) => void) | undefined;
  /** Also yield the root entry (`./`, path `""`). @default false */
  includeRoot?: boolean | undefined;
}

/**
 * Normalises a path inside an archive: strips `./` and trailing `/`, and
 * refuses absolute paths and `..` components.
 *
 * @param name the name as stored
 * @param subject names the archive in error messages
 * @returns the normalised relative path (`""` for the root itself)
 * @throws {ArchiveError} for an absolute name or a `..` component
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeEntryPath } from "./layer_reader.ts";
 * assert.equal(normalizeEntryPath("./etc/"), "etc");
 * ```
 */
export function normalizeEntryPath(name: string, subject = "archive"): string {
  if (name.startsWith("/") || name.includes("\0")) {
    throw new ArchiveError(
      name,
      `Cannot read ${subject}: entry "${name}" is an absolute path (refused for safety)`,
    );
  }
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      throw new ArchiveError(
        name,
        `Cannot read ${subject}: entry "${name}" has a ".." component (refused for safety)`,
      );
    }
    parts.push(part);
  }
  return parts.join("/");
}

const TYPEFLAGS: Record<string, string> = {
  file: "0",
  link: "1",
  symlink: "2",
  "character-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
};

function _type(h: TarHeader): LayerEntryType {
  switch (h.type ?? "file") {
    case "file":
      return "file";
    case "directory":
      return "dir";
    case "symlink":
      return "symlink";
    case "link":
      return "hardlink";
    default:
      return "other";
  }
}

/** An entry body whose errors (a body cut short) are ArchiveErrors. */
function _typedBody(body: ReadableStream<Uint8Array>, subject: string): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await reader.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      } catch (err) {
        controller.error(_wrap(err, subject));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function _wrap(err: unknown, subject: string): unknown {
  if (err instanceof OciError) return err;
  return new ArchiveError(
    subject,
    `Cannot read ${subject}: ${
      (err as Error)?.message ?? String(err)
    } (the tar is truncated or corrupt)`,
    { cause: err },
  );
}

/**
 * Walks a layer's entries. The compression is detected from the magic
 * bytes. The whole input is read to its end (so a verifying source stream
 * reports a digest mismatch) unless the caller stops early.
 *
 * @param body the layer bytes (consumed, or cancelled when the walk stops early)
 * @param options subject for messages, compression callback
 * @returns the entries in archive order (the root entry `./` only with `includeRoot`)
 * @throws {ArchiveError} for an unsafe name, a truncated or corrupt tar or compression
 * @throws {DigestMismatchError} when the source stream fails its verification
 *
 * @example List a layer
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildLayer } from "../sample/layer_builder.ts";
 * import { walkLayer } from "./layer_reader.ts";
 * const layer = await buildLayer([{ path: "a.txt", type: "file", content: "a" }]);
 * const paths: string[] = [];
 * for await (const e of walkLayer(ReadableStream.from([layer.bytes]))) paths.push(e.path);
 * assert.deepEqual(paths, ["a.txt"]);
 * ```
 */
export async function* walkLayer(
  body: ReadableStream<Uint8Array>,
  options: WalkLayerOptions = {},
): AsyncGenerator<LayerEntry, void, undefined> {
  const subject = options.subject ?? "layer";
  const opened = await openDecompressed(body, subject);
  options.onCompression?.(opened.compression);
  const decoder = createTarDecoder({ strict: true });
  const piped = opened.body.pipeTo(decoder.writable).then(() => undefined, (err) => err ?? "");
  const reader = decoder.readable.getReader();
  let finished = false;
  let ordinal = 0;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<{ header: TarHeader; body: ReadableStream<Uint8Array> }>;
      try {
        r = await reader.read();
      } catch (err) {
        const source = await piped;
        throw _wrap(source instanceof OciError ? source : err, subject);
      }
      if (r.done) break;
      const { header, body: rawBody } = r.value;
      const index = ordinal++;
      let path: string;
      let linkname = header.linkname ?? "";
      const type = _type(header);
      try {
        path = normalizeEntryPath(header.name, subject);
        if (type === "hardlink") linkname = normalizeEntryPath(linkname, subject);
      } catch (err) {
        await rawBody.cancel(err).catch(() => {});
        throw err;
      }
      if (path === "" && options.includeRoot !== true) {
        await rawBody.cancel().catch(() => {});
        continue;
      }
      const entryBody = _typedBody(rawBody, subject);
      const entry: LayerEntry = {
        path,
        name: header.name,
        typeflag: (TYPEFLAGS[header.type ?? "file"] ?? "\0").charCodeAt(0),
        type,
        size: type === "file" ? header.size : 0,
        mode: header.mode ?? (type === "dir" ? 0o755 : 0o644),
        uid: header.uid ?? 0,
        gid: header.gid ?? 0,
        mtime: header.mtime,
        linkname,
        ordinal: index,
        body: entryBody,
      };
      yield entry;
      if (!entryBody.locked) await entryBody.cancel().catch(() => {});
    }
    const err = await piped;
    if (err !== undefined) throw _wrap(err, subject);
    finished = true;
  } finally {
    if (!finished) {
      await reader.cancel().catch(() => {});
      await piped;
    }
    reader.releaseLock();
  }
}

/**
 * Deterministic tar+gzip of a directory (for `artifact put -f DIR`) and its
 * safe extraction (for `artifact get -o`), through an injected file-system
 * seam. Private to the artifact operations.
 *
 * @module
 */
import { createTarDecoder, createTarPacker } from "modern-tar";
import { ManifestInvalidError } from "../errors.ts";

/** One entry of a directory walk (paths relative, `/`-separated). */
export interface _DirEntry {
  /** Relative path inside the directory. */
  path: string;
  /** Entry kind; other kinds are left out by the walker. */
  type: "file" | "dir" | "symlink";
  /** Size of a file in bytes. */
  size: number;
  /** Permission bits (only the executable bit is kept). */
  mode: number;
  /** Target of a symlink. */
  linkname?: string | undefined;
}

/** What packing reads from the file system. */
export interface _DirSource {
  /** Lists every entry under the directory, recursively (any order). */
  walk(): Promise<_DirEntry[]>;
  /** Opens a file for reading. */
  open(path: string): Promise<ReadableStream<Uint8Array>>;
}

/** What extraction writes to the file system (paths relative to the output). */
export interface _DirSink {
  /** Creates a directory (and its parents). */
  mkdir(path: string): Promise<void>;
  /** Writes a file from a stream (consumes it). */
  writeFile(path: string, body: ReadableStream<Uint8Array>): Promise<void>;
}

const EPOCH = new Date(0);

/**
 * Packs a directory as a gzip-compressed tar stream: entries sorted by path,
 * mtime 0, uid/gid 0, no user names, modes 0755/0644.
 *
 * @param source the directory seam
 * @returns the tar+gzip bytes, streamed
 */
export async function _packDirectory(source: _DirSource): Promise<ReadableStream<Uint8Array>> {
  const entries = (await source.walk()).slice().sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0
  );
  const { readable, controller } = createTarPacker();
  const fill = async () => {
    try {
      for (const e of entries) {
        const base = { mtime: EPOCH, uid: 0, gid: 0, uname: "", gname: "" };
        if (e.type === "dir") {
          const w = controller.add({
            ...base,
            name: `${e.path}/`,
            type: "directory",
            size: 0,
            mode: 0o755,
          })
            .getWriter();
          await w.close();
        } else if (e.type === "symlink") {
          const w = controller.add({
            ...base,
            name: e.path,
            type: "symlink",
            size: 0,
            mode: 0o777,
            linkname: e.linkname ?? "",
          }).getWriter();
          await w.close();
        } else {
          const sink = controller.add({
            ...base,
            name: e.path,
            type: "file",
            size: e.size,
            mode: (e.mode & 0o111) !== 0 ? 0o755 : 0o644,
          });
          const body = await source.open(e.path);
          await body.pipeTo(sink);
        }
      }
      controller.finalize();
    } catch (err) {
      controller.error(err);
    }
  };
  fill();
  return readable.pipeThrough(
    new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
  );
}

/**
 * Checks a relative path from an artifact (a title or a tar entry): no
 * absolute path, no `..`, no backslash or NUL.
 *
 * @param path the path
 * @param what names the content in the error
 * @returns the path without a trailing `/`
 * @throws {ManifestInvalidError} when the path would leave the output directory
 */
export function _safeRelative(path: string, what: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const parts = trimmed.split("/");
  if (
    trimmed === "" || path.startsWith("/") || path.includes("\\") || path.includes("\0") ||
    /^[A-Za-z]:/.test(path) || parts.some((p) => p === ".." || p === "")
  ) {
    throw new ManifestInvalidError(
      `Cannot write ${what} "${path}": the path leaves the output directory (refused)`,
    );
  }
  return parts.filter((p) => p !== ".").join("/");
}

/**
 * Extracts a tar+gzip stream into a sink: directories and regular files
 * only, every path checked before it is written.
 *
 * @param body the tar+gzip bytes (consumed)
 * @param sink where to write
 * @param prefix path inside the sink to extract under
 * @returns nothing
 * @throws {ManifestInvalidError} for an entry path leaving the output directory
 */
export async function _extractTarGz(
  body: ReadableStream<Uint8Array>,
  sink: _DirSink,
  prefix: string,
): Promise<void> {
  const decoder = createTarDecoder({ strict: true });
  const entries = body
    .pipeThrough(new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>)
    .pipeThrough(decoder);
  await sink.mkdir(prefix);
  for await (const entry of entries) {
    const name = entry.header.name;
    if (entry.header.type === "directory") {
      await entry.body.cancel();
      await sink.mkdir(`${prefix}/${_safeRelative(name, "archive entry")}`);
    } else if (entry.header.type === "file") {
      let rel: string;
      try {
        rel = _safeRelative(name, "archive entry");
      } catch (err) {
        await entry.body.cancel();
        throw err;
      }
      const at = rel.lastIndexOf("/");
      if (at > 0) await sink.mkdir(`${prefix}/${rel.slice(0, at)}`);
      await sink.writeFile(`${prefix}/${rel}`, entry.body);
    } else {
      await entry.body.cancel();
    }
  }
}

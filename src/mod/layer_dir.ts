/**
 * A directory as a layer tar for `--layer-add dir=PATH`, through a
 * file-system seam: entries in path order, permission bits and
 * modification times (whole seconds) kept, owners 0 without names.
 *
 * @module
 */
import { createTarPacker } from "modern-tar";

/** One entry of a directory (path relative, `/`-separated). */
export interface LayerDirEntry {
  /** Path inside the directory. */
  path: string;
  /** Kind; others are left out by the walker. */
  type: "file" | "dir" | "symlink";
  /** Size of a file. */
  size: number;
  /** Permission bits. */
  mode: number;
  /** Modification time, when known. */
  mtime?: Date | undefined;
  /** Target of a symlink. */
  linkname?: string | undefined;
}

/** What packing reads from the file system. */
export interface LayerDirSource {
  /** Every entry under the directory, recursively, in any order. */
  walk(): Promise<LayerDirEntry[]>;
  /** Opens a file (path relative to the directory). */
  open(path: string): Promise<ReadableStream<Uint8Array>>;
}

/**
 * Packs a directory as a plain tar stream.
 *
 * @param source the directory seam
 * @returns the tar bytes, streamed (errors from the seam error the stream)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packLayerDirectory } from "./layer_dir.ts";
 * const tar = await packLayerDirectory({
 *   walk: () => Promise.resolve([{ path: "a", type: "file", size: 1, mode: 0o600 }]),
 *   open: () => Promise.resolve(ReadableStream.from([new Uint8Array([65])])),
 * });
 * assert.equal((await new Response(tar).arrayBuffer()).byteLength, 2048);
 * ```
 */
export async function packLayerDirectory(
  source: LayerDirSource,
): Promise<ReadableStream<Uint8Array>> {
  const entries = (await source.walk()).toSorted((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0
  );
  const { readable, controller } = createTarPacker();
  (async () => {
    try {
      for (const e of entries) {
        const secs = Math.floor((e.mtime?.getTime() ?? 0) / 1000);
        const header = {
          name: e.type === "dir" ? `${e.path}/` : e.path,
          size: e.type === "file" ? e.size : 0,
          mode: e.mode & 0o7777,
          mtime: new Date(secs * 1000),
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
          type: e.type === "dir" ? "directory" as const : e.type,
          ...(e.type === "symlink" ? { linkname: e.linkname ?? "" } : {}),
        };
        const sink = controller.add(header);
        if (e.type === "file" && e.size > 0) await (await source.open(e.path)).pipeTo(sink);
        else await sink.close();
      }
      controller.finalize();
    } catch (err) {
      controller.error(err);
    }
  })();
  return readable;
}

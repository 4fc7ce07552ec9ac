/**
 * Flattening of layers into one file tree (metadata only): layers applied
 * base first, whiteouts (`.wh.x`) and opaque whiteouts (`.wh..wh..opq`)
 * hiding content of lower layers, directories merged, anything else
 * replaced. Paths that would pass through a symlink or a file are refused.
 *
 * @module
 */
import { ArchiveError } from "./archive_error.ts";
import type { LayerEntryInfo } from "./layer_reader.ts";

/** Prefix of whiteout names. */
export const WHITEOUT_PREFIX = ".wh.";
/** Name of the opaque whiteout marker. */
export const OPAQUE_WHITEOUT = ".wh..wh..opq";

/** An entry of the flattened tree: the entry info plus the layer it came from. */
export interface FlatEntry extends LayerEntryInfo {
  /** Index of the layer (0 = base) that provides the entry. */
  layer: number;
}

function _dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

function _basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Builds a flattened tree from layer entries given base layer first.
 *
 * @example Whiteouts hide lower files
 * ```ts
 * import assert from "node:assert/strict";
 * import { Flattener } from "./flatten.ts";
 * const e = (path: string, type: "file" | "dir" = "file") =>
 *   ({ path, type, size: 0, mode: 0o644, uid: 0, gid: 0, mtime: undefined, linkname: "", ordinal: 0 });
 * const f = new Flattener();
 * f.beginLayer(0);
 * f.add(e("etc", "dir"));
 * f.add(e("etc/a"));
 * f.beginLayer(1);
 * f.add(e("etc/.wh.a"));
 * assert.deepEqual(f.entries().map((x) => x.path), ["etc"]);
 * ```
 */
export class Flattener {
  #tree = new Map<string, FlatEntry>();
  #layer = -1;
  #subject: string;

  /**
   * Creates an empty file tree; call `beginLayer` before adding entries.
   *
   * @param subject names the image in error messages
   */
  constructor(subject = "image") {
    this.#subject = subject;
  }

  /**
   * Starts the next layer.
   * @param layer its index (0 = base), increasing
   * @returns nothing
   */
  beginLayer(layer: number): void {
    this.#layer = layer;
  }

  /**
   * Applies one entry of the current layer.
   * @param info the entry (normalised path)
   * @returns nothing
   * @throws {ArchiveError} for a bare `.wh.`, or a path through a symlink or a file
   */
  add(info: LayerEntryInfo): void {
    const base = _basename(info.path);
    const dir = _dirname(info.path);
    if (base === OPAQUE_WHITEOUT) {
      this.#removeChildren(dir, true);
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const name = base.slice(WHITEOUT_PREFIX.length);
      if (name === "") {
        throw new ArchiveError(
          info.path,
          `Cannot apply ${this.#subject}: whiteout "${info.path}" names no file`,
        );
      }
      const target = dir === "" ? name : `${dir}/${name}`;
      const existing = this.#tree.get(target);
      if (existing !== undefined && existing.layer < this.#layer) this.#tree.delete(target);
      this.#removeChildren(target, true);
      return;
    }
    this.#checkParents(info.path);
    const existing = this.#tree.get(info.path);
    if (existing !== undefined && existing.type === "dir" && info.type !== "dir") {
      this.#removeChildren(info.path, false);
    }
    const { ...plain } = info as LayerEntryInfo & { body?: unknown };
    delete plain.body;
    this.#tree.set(info.path, { ...plain, layer: this.#layer });
  }

  /**
   * The flattened tree, sorted by path (parents before children).
   * @returns the entries
   */
  entries(): FlatEntry[] {
    return [...this.#tree.values()].sort((
      a,
      b,
    ) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Looks a path up in the tree.
   * @param path normalised path
   * @returns its entry, if present
   */
  get(path: string): FlatEntry | undefined {
    return this.#tree.get(path);
  }

  #checkParents(path: string): void {
    let at = path.indexOf("/");
    while (at >= 0) {
      const parent = path.slice(0, at);
      const p = this.#tree.get(parent);
      if (p !== undefined && p.type !== "dir") {
        throw new ArchiveError(
          path,
          `Cannot apply ${this.#subject}: entry "${path}" goes through ${
            p.type === "symlink" ? "the symlink" : "the non-directory"
          } "${parent}" (refused for safety)`,
        );
      }
      at = path.indexOf("/", at + 1);
    }
  }

  #removeChildren(dir: string, lowerOnly: boolean): void {
    const prefix = dir === "" ? "" : `${dir}/`;
    for (const [path, e] of this.#tree) {
      if (!path.startsWith(prefix) || path === dir) continue;
      if (lowerOnly && e.layer >= this.#layer) continue;
      this.#tree.delete(path);
    }
  }
}

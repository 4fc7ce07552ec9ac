/**
 * Writes a file tree into a directory safely: every path is relative and
 * free of `..`, no parent component may be a symlink (checked with `lstat`,
 * so a symlink is never followed), hard links point inside the root, and
 * existing non-directories are unlinked before they are replaced. All I/O
 * goes through an {@link ExtractFs} seam.
 *
 * @module
 */
import { ArchiveError } from "./archive_error.ts";
import type { ExtractFs } from "./extract_fs.ts";
import { normalizeEntryPath } from "./layer_reader.ts";

/** Permission bits kept when extracting (setuid, setgid and sticky are dropped). */
const MODE_MASK = 0o777;

/**
 * Writes entries under a root directory, never following symlinks. Create
 * directories and files first, then links; call {@link finish} last to
 * apply directory modes.
 *
 * @example Write a file and a symlink
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoExtractFs } from "./extract_fs.ts";
 * import { SafeExtractor } from "./safe_extract.ts";
 * const root = await Deno.makeTempDir();
 * const x = new SafeExtractor(denoExtractFs, root);
 * await x.writeFile("etc/hi", ReadableStream.from([new TextEncoder().encode("hi")]), 0o644);
 * await x.symlink("etc/link", "hi");
 * await x.finish();
 * assert.equal(await Deno.readTextFile(`${root}/etc/link`), "hi");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class SafeExtractor {
  #fs: ExtractFs;
  #root: string;
  #dirs = new Set<string>();
  #dirModes = new Map<string, number>();

  /**
   * Creates an extractor that writes only below `root`.
   *
   * @param fs the file-system seam
   * @param root existing directory to write into (a trailing `/` is dropped)
   */
  constructor(fs: ExtractFs, root: string) {
    this.#fs = fs;
    this.#root = root.length > 1 && root.endsWith("/") ? root.slice(0, -1) : root;
  }

  /**
   * Creates a directory (and missing parents); its mode is applied by {@link finish}.
   * @param path relative path
   * @param mode permission bits
   * @returns nothing
   * @throws {ArchiveError} for an unsafe path or a non-directory in the way of a parent
   */
  async mkdir(path: string, mode: number): Promise<void> {
    const rel = this.#check(path);
    await this.#ensureDir(rel);
    this.#dirModes.set(rel, mode & MODE_MASK);
  }

  /**
   * Writes a regular file, replacing whatever non-directory is at the path.
   * @param path relative path
   * @param body bytes (consumed or cancelled)
   * @param mode permission bits
   * @returns nothing
   * @throws {ArchiveError} for an unsafe path or a directory in the way
   */
  async writeFile(path: string, body: ReadableStream<Uint8Array>, mode: number): Promise<void> {
    let full: string;
    try {
      const rel = this.#check(path);
      full = await this.#prepare(rel);
    } catch (err) {
      await body.cancel(err).catch(() => {});
      throw err;
    }
    await this.#fs.writeFile(full, body, mode & MODE_MASK);
  }

  /**
   * Creates a symlink (its target is stored as given and never followed here).
   * @param path relative path of the link
   * @param target the link target
   * @returns nothing
   * @throws {ArchiveError} for an unsafe path
   */
  async symlink(path: string, target: string): Promise<void> {
    const full = await this.#prepare(this.#check(path));
    await this.#fs.symlink(target, full);
  }

  /**
   * Creates a hard link to a regular file already written under the root.
   * @param path relative path of the new name
   * @param target relative path of the existing file
   * @returns nothing
   * @throws {ArchiveError} for unsafe paths, or a target that is not a regular file
   */
  async hardlink(path: string, target: string): Promise<void> {
    const rel = this.#check(path);
    const relTarget = this.#check(target);
    await this.#checkParents(relTarget);
    const info = await this.#fs.lstat(this.#full(relTarget));
    if (info === undefined || !info.isFile) {
      throw new ArchiveError(
        path,
        `Cannot extract "${path}": its hard link target "${target}" is not a regular file in the tree`,
      );
    }
    const full = await this.#prepare(rel);
    await this.#fs.link(this.#full(relTarget), full);
  }

  /**
   * Applies the modes of the directories created, deepest first.
   * @returns nothing
   */
  async finish(): Promise<void> {
    const dirs = [...this.#dirModes].sort((a, b) => b[0].length - a[0].length);
    for (const [rel, mode] of dirs) await this.#fs.chmod(this.#full(rel), mode);
  }

  #check(path: string): string {
    const rel = normalizeEntryPath(path, "tree");
    if (rel === "") {
      throw new ArchiveError(path, `Cannot extract "${path}": it names the root directory`);
    }
    return rel;
  }

  #full(rel: string): string {
    return `${this.#root}/${rel}`;
  }

  /** Makes sure the parents exist as real directories and clears the path itself. */
  async #prepare(rel: string): Promise<string> {
    const slash = rel.lastIndexOf("/");
    if (slash >= 0) await this.#ensureDir(rel.slice(0, slash));
    const full = this.#full(rel);
    const info = await this.#fs.lstat(full);
    if (info !== undefined) {
      if (info.isDirectory) {
        throw new ArchiveError(rel, `Cannot extract "${rel}": a directory is in the way`);
      }
      await this.#fs.remove(full);
    }
    return full;
  }

  async #checkParents(rel: string): Promise<void> {
    const slash = rel.lastIndexOf("/");
    if (slash >= 0) await this.#ensureDir(rel.slice(0, slash), false);
  }

  async #ensureDir(rel: string, create = true): Promise<void> {
    if (this.#dirs.has(rel)) return;
    const parts = rel.split("/");
    let current = "";
    for (const part of parts) {
      current = current === "" ? part : `${current}/${part}`;
      if (this.#dirs.has(current)) continue;
      const full = this.#full(current);
      const info = await this.#fs.lstat(full);
      if (info === undefined) {
        if (!create) {
          throw new ArchiveError(rel, `Cannot extract into "${rel}": "${current}" does not exist`);
        }
        await this.#fs.mkdir(full, 0o755);
      } else if (info.isSymlink) {
        throw new ArchiveError(
          rel,
          `Cannot extract into "${rel}": "${current}" is a symlink (never followed, refused for safety)`,
        );
      } else if (!info.isDirectory) {
        throw new ArchiveError(
          rel,
          `Cannot extract into "${rel}": "${current}" is not a directory`,
        );
      }
      this.#dirs.add(current);
    }
  }
}

/**
 * Stages an image archive (an OCI layout tar, or a `docker save` tar,
 * optionally gzip or zstd compressed) into a directory: regular files are
 * written under their (checked) names, `blobs/<alg>/<hex>` files are
 * verified against their names while written, links are recorded (never
 * created) and resolved inside the archive on lookup.
 *
 * @module
 */
import { ArchiveError } from "../../archive/archive_error.ts";
import { normalizeEntryPath, walkLayer } from "../../archive/layer_reader.ts";
import { isDigest } from "../../types/digest.ts";
import { VerifyStream } from "../../verify_stream.ts";
import type { FileSystem } from "../ocidir/file_system.ts";

const BLOB_PATH = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/;
/** Links followed at most this many times. */
const MAX_LINKS = 40;

/** What {@link stageArchive} wrote. */
export interface StagedArchive {
  /** The directory written into. */
  dir: string;
  /** Regular files written (normalised paths). */
  files: Set<string>;
  /** Symlinks and hard links: path to normalised target path. */
  links: Map<string, string>;
}

/** Options of {@link stageArchive}. */
export interface StageOptions {
  /** Names the archive in error messages. @default "archive" */
  subject?: string | undefined;
  /** Only keep `oci-layout`, `index.json` and `blobs/…` files. @default false */
  layoutOnly?: boolean | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

function _resolve(from: string, target: string, hard: boolean): string {
  const base = hard || target.startsWith("/") ? [] : from.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (base.length === 0) return "\0";
      base.pop();
    } else base.push(part);
  }
  return base.join("/");
}

/**
 * Writes the files of an archive into `dir` (which must exist).
 *
 * @param fs the file-system seam
 * @param body the archive bytes (consumed)
 * @param dir existing directory to stage into
 * @param options subject, layout-only filter, cancellation
 * @returns what was staged
 * @throws {ArchiveError} for absolute or `..` names, a corrupt or truncated archive
 * @throws {DigestMismatchError} when a `blobs/` file does not hash to its name
 */
export async function stageArchive(
  fs: FileSystem,
  body: ReadableStream<Uint8Array>,
  dir: string,
  options: StageOptions = {},
): Promise<StagedArchive> {
  const subject = options.subject ?? "archive";
  const staged: StagedArchive = { dir, files: new Set(), links: new Map() };
  const made = new Set<string>();
  for await (const e of walkLayer(body, { subject })) {
    if (options.signal?.aborted) {
      throw new ArchiveError(subject, `Cannot read ${subject}: the operation was cancelled`);
    }
    if (e.type === "symlink" || e.type === "hardlink") {
      const target = _resolve(e.path, e.linkname, e.type === "hardlink");
      if (target === "\0") {
        throw new ArchiveError(
          e.path,
          `Cannot read ${subject}: link "${e.path}" points outside the archive (refused for safety)`,
        );
      }
      staged.links.set(e.path, target);
      continue;
    }
    if (e.type !== "file") continue;
    const blob = BLOB_PATH.exec(e.path);
    const keep = blob !== null || e.path === "oci-layout" || e.path === "index.json";
    if (options.layoutOnly === true && !keep) continue;
    const slash = e.path.lastIndexOf("/");
    const parent = slash < 0 ? dir : `${dir}/${e.path.slice(0, slash)}`;
    if (!made.has(parent)) {
      await fs.mkdir(parent).catch((err) => _clash(err, e.path, subject));
      made.add(parent);
    }
    let stream = e.body;
    if (blob !== null) {
      const digest = `${blob[1]}:${blob[2]}`;
      if (!isDigest(digest)) {
        throw new ArchiveError(
          e.path,
          `Cannot read ${subject}: "${e.path}" is not a valid blob name`,
        );
      }
      stream = stream.pipeThrough(
        new VerifyStream({ digest, size: e.size, subject: `blob "${digest}" in ${subject}` }),
      );
    }
    const tmp = await fs.writeTemp(parent, stream, { signal: options.signal, prefix: ".stage." });
    await fs.rename(tmp, `${dir}/${e.path}`).catch(async (err) => {
      await fs.remove(tmp).catch(() => {});
      _clash(err, e.path, subject);
    });
    staged.files.add(e.path);
  }
  return staged;
}

/** A file entry where a directory is needed, or the reverse: a corrupt archive. */
function _clash(err: unknown, path: string, subject: string): never {
  throw new ArchiveError(
    path,
    `Cannot read ${subject}: "${path}" is both a file and a directory in it (a corrupt archive)`,
    { cause: err },
  );
}

/**
 * Resolves a path of a staged archive through its recorded links.
 *
 * @param staged the staged archive
 * @param path path inside the archive
 * @returns the path of the regular file it names
 * @throws {ArchiveError} when it names no regular file, or links loop
 */
export function resolveStaged(staged: StagedArchive, path: string): string {
  let p = normalizeEntryPath(path, "archive");
  for (let i = 0; i <= MAX_LINKS; i++) {
    if (staged.files.has(p)) return p;
    const next = staged.links.get(p);
    if (next === undefined) break;
    p = next;
  }
  throw new ArchiveError(path, `Cannot read "${path}" from the archive: no such file`);
}

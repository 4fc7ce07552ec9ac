/**
 * The state an `ocidir` transport keeps across calls, and the steps its
 * operations share: layouts made ready for writing, blob files remembered as
 * checked, index.json updates under the lock with their garbage-collection
 * candidates, temp files committed into `blobs/`.
 *
 * @module
 */
import { InvalidReferenceError, NotFoundError, SizeMismatchError } from "../../errors.ts";
import { parseDigest } from "../../types/digest.ts";
import { type Manifest, MANIFEST_READ_LIMIT, parseManifest } from "../../types/manifest.ts";
import type { Ref } from "../../types/ref.ts";
import type { VerifiedFiles } from "./verified_files.ts";
import { readCapped } from "./_read_capped.ts";
import { type FileInfo, type FileSystem } from "./file_system.ts";
import { collectGarbage, type GcCandidates, recordCandidates, type WalkRoot } from "./gc.ts";
import {
  blobPath,
  findTag,
  type IndexEntry,
  type LayoutIndex,
  openLayoutForWrite,
  readLayout,
  writeIndex,
} from "./layout.ts";
import { withLayoutLock } from "./lock.ts";
import { IndexCache } from "./_index_cache.ts";
import { collectWhenFree, GC_LOCK_FILE, type GcLease, holdGcLease } from "./gc_lock.ts";
import { writeTempBytes } from "./temp_bytes.ts";

/**
 * The printed name of an `ocidir` reference, for messages.
 *
 * @param ref the reference
 * @returns `ocidir://path[:tag][@digest]`
 * @throws never
 */
export function layoutName(ref: Ref): string {
  const tag = ref.tag !== "" ? `:${ref.tag}` : "";
  const digest = ref.digest !== "" ? `@${ref.digest}` : "";
  return `ocidir://${ref.path}${tag}${digest}`;
}

/**
 * The layout directory of an `ocidir` reference, without a trailing slash.
 *
 * @param ref the reference
 * @returns the directory
 * @throws {InvalidReferenceError} when the reference has no path
 */
export function layoutDir(ref: Ref): string {
  if (ref.path === "") {
    throw new InvalidReferenceError(layoutName(ref), "an ocidir reference needs a directory path");
  }
  return ref.path.length > 1 && ref.path.endsWith("/") ? ref.path.slice(0, -1) : ref.path;
}

/**
 * Rethrows anything but a {@link NotFoundError}.
 *
 * @param err the error
 * @returns nothing
 * @throws err unless it is a NotFoundError
 */
export function ignoreNotFound(err: unknown): void {
  if (!(err instanceof NotFoundError)) throw err;
}

/** What one `ocidir` transport keeps across calls. */
export class LayoutStore {
  /** The file system. */
  readonly fs: FileSystem;
  /** Files known to match their digest, when the owner keeps that memory. */
  readonly verified: VerifiedFiles | undefined;
  #candidates = new Map<string, GcCandidates>();
  /** Parsed index.json files, for a long-running reader (with {@link verified}). */
  #indexes: IndexCache | undefined;
  /** Layouts made ready for writing, shared by concurrent first writes. */
  #created = new Map<string, Promise<void>>();
  /** Per layout being made ready: whether its directory did not exist before. */
  #fresh = new Map<string, Promise<boolean>>();
  /** Garbage-collection leases held, per layout, until {@link collect}. */
  #leases = new Map<string, Promise<GcLease | undefined>>();
  #useLeases: boolean;
  #collects: boolean;
  /** Blob files found in layouts without a lock file, checked again once leased. */
  #found = new Map<string, Set<string>>();
  /** Layouts where such a blob was gone by then: every later write fails. */
  #lost = new Map<string, Error>();

  /**
   * Creates the store.
   * @param fs the file system
   * @param verified the memory of checked files, if kept
   * @param useLeases hold each touched layout's garbage-collection lease until {@link collect}
   * @param collects record what deletions and overwrites leave unreferenced, for {@link collect}
   */
  constructor(
    fs: FileSystem,
    verified: VerifiedFiles | undefined,
    useLeases = true,
    collects = true,
  ) {
    this.fs = fs;
    this.verified = verified;
    this.#indexes = verified === undefined ? undefined : new IndexCache();
    this.#useLeases = useLeases;
    this.#collects = collects;
  }

  /** Whether found and written files are held by garbage-collection leases (see {@link hold}). */
  get leases(): boolean {
    return this.#useLeases;
  }

  /**
   * Holds the layout's garbage-collection lease (shared) until
   * {@link collect}, so no collection removes a blob this transport found
   * or wrote before its manifest is written; the lock file is made if
   * missing (a write path). A layout whose lock file cannot be made
   * (read-only) is not leased. Blobs {@link holdFound} found before the
   * lease are looked at again once it is held.
   * @param dir an existing layout directory
   * @returns when held
   * @throws {NotFoundError} when a blob found before the lease was removed meanwhile
   */
  async hold(dir: string): Promise<void> {
    if (!this.#useLeases) return;
    let lease = this.#leases.get(dir);
    if (lease === undefined) {
      lease = holdGcLease(this.fs, dir).catch(() => undefined);
      this.#leases.set(dir, lease);
    }
    if ((await lease) !== undefined) await this.#checkFound(dir);
    const lost = this.#lost.get(dir);
    if (lost !== undefined) throw lost;
  }

  /**
   * The lease for a blob a lookup found: taken when the layout has its lock
   * file (nothing is written). In a layout no ocictl has written, the read
   * writes nothing either; the blob is remembered instead, and the first
   * write to the layout ({@link hold}) fails if a collection in another
   * process removed it meanwhile, so no manifest is written that needs it.
   * @param dir an existing layout directory
   * @param path the blob file found
   * @returns when held or remembered
   */
  async holdFound(dir: string, path: string): Promise<void> {
    if (!this.#useLeases) return;
    if (this.#leases.has(dir) || (await this.fs.stat(`${dir}/${GC_LOCK_FILE}`)) !== undefined) {
      await this.hold(dir);
      return;
    }
    let found = this.#found.get(dir);
    if (found === undefined) {
      found = new Set();
      this.#found.set(dir, found);
    }
    found.add(path);
  }

  async #checkFound(dir: string): Promise<void> {
    const found = this.#found.get(dir);
    if (found === undefined) return;
    this.#found.delete(dir);
    for (const path of found) {
      if ((await this.fs.stat(path))?.isFile === true) continue;
      this.#lost.set(
        dir,
        new NotFoundError(
          `Cannot write to OCI layout "${dir}": blob "${path}" was found and then removed by a garbage collection in another process; run the command again`,
        ),
      );
      return;
    }
  }

  /**
   * Runs garbage collection on every layout changed through this store:
   * blobs that its own deletions and overwrites left unreferenced are
   * removed. The store forgets what it recorded. Where another transport of
   * this process still holds a lease on the layout, the collection runs
   * when that lease ends instead (see `collectWhenFree`).
   * @returns nothing
   */
  async collect(): Promise<void> {
    const pending = [...this.#candidates];
    const leases = [...this.#leases.values()];
    this.#candidates.clear();
    this.#created.clear();
    this.#leases.clear();
    this.#found.clear();
    this.#lost.clear();
    for (const lease of leases) await (await lease)?.release();
    for (const [dir, candidates] of pending) {
      if (candidates.size === 0) continue;
      await collectWhenFree(this.fs, dir, () =>
        withLayoutLock(this.fs, dir, async () => {
          const index = await readLayout(this.fs, dir);
          await collectGarbage(this.fs, dir, index, candidates);
        }));
    }
  }

  /**
   * Records the blobs reachable from removed index entries as candidates
   * for {@link collect} (nothing when this store does not collect).
   * @param dir layout directory
   * @param roots the removed entries
   * @param keep a digest not to record (one still in use)
   * @returns nothing
   */
  async record(dir: string, roots: readonly WalkRoot[], keep?: string): Promise<void> {
    if (!this.#collects || roots.length === 0) return;
    const candidates = this.candidatesOf(dir);
    await recordCandidates(this.fs, dir, roots, candidates);
    if (keep !== undefined) candidates.delete(keep);
  }

  /**
   * The garbage-collection candidates recorded for a layout.
   * @param dir layout directory
   * @returns the candidates (created empty)
   */
  candidatesOf(dir: string): GcCandidates {
    let c = this.#candidates.get(dir);
    if (c === undefined) {
      c = new Map();
      this.#candidates.set(dir, c);
    }
    return c;
  }

  /**
   * Reads a layout's index.json for a read (see `readLayout`); a store kept
   * by a long-running reader reuses the parsed file while it is unchanged.
   * Never use it to change the index (read it under the lock instead).
   * @param dir layout directory
   * @returns the index (do not change it)
   */
  readIndex(dir: string): Promise<LayoutIndex> {
    return this.#indexes?.read(this.fs, dir) ?? readLayout(this.fs, dir);
  }

  /**
   * The index.json entry of the reference's tag (`latest` when none).
   * @param ref the reference
   * @param dir its layout directory
   * @returns the entry
   * @throws {NotFoundError} when the tag does not exist
   */
  async tagEntry(ref: Ref, dir: string): Promise<IndexEntry> {
    const index = await this.readIndex(dir);
    const tag = ref.tag !== "" ? ref.tag : "latest";
    const entry = findTag(index, tag);
    if (entry === undefined) {
      throw new NotFoundError(`Cannot find tag "${tag}" in "${layoutName(ref)}"`);
    }
    return entry;
  }

  /**
   * Reads a manifest of the layout, or nothing when it is missing or invalid.
   * @param dir layout directory
   * @param entry its index entry (digest, media type)
   * @returns the manifest, or undefined
   */
  async tryRead(dir: string, entry: IndexEntry): Promise<Manifest | undefined> {
    try {
      const raw = await readCapped(
        this.fs,
        blobPath(dir, entry.digest),
        MANIFEST_READ_LIMIT,
        "manifest",
      );
      const m = await parseManifest(raw, { mediaType: entry.mediaType, digest: entry.digest });
      return m.digest === entry.digest ? m : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Renames a written temp file into place once its length is `size`, and
   * remembers it as checked; on any failure the temp file is removed.
   */
  async commitTemp(tmp: string, target: string, size: number, subject: string): Promise<void> {
    try {
      const info = await this.fs.stat(tmp);
      const written = info?.size ?? -1;
      if (written !== size) throw new SizeMismatchError(subject, size, written);
      await this.fs.rename(tmp, target);
      await this.remember(target, info);
    } catch (err) {
      await this.fs.remove(tmp).catch(() => {});
      throw err;
    }
  }

  /**
   * Records a blob file just renamed into place from checked bytes (see
   * `verified`), provided it is still that file: same inode and size as the
   * temp file before the rename. Best effort: a failed `stat` only means the
   * file is hashed on its first read, never that the write failed.
   */
  async remember(path: string, written: FileInfo | undefined): Promise<void> {
    if (this.verified === undefined || written?.ino === undefined) return;
    const info = await this.fs.stat(path).catch(() => undefined);
    if (info?.ino === written.ino && info.size === written.size) this.verified.add(path, info);
  }

  /**
   * Makes a layout ready for writing once (a failure is tried again next time).
   * @param dir layout directory
   * @returns when ready
   */
  ensureLayout(dir: string): Promise<void> {
    let ready = this.#created.get(dir);
    if (ready === undefined) {
      let fresh: (isNew: boolean) => void = () => {};
      this.#fresh.set(dir, new Promise<boolean>((resolve) => (fresh = resolve)));
      ready = (async () => {
        fresh(await this.fs.stat(dir).then((info) => info === undefined, () => false));
        await this.fs.mkdir(dir);
        await withLayoutLock(this.fs, dir, () => openLayoutForWrite(this.fs, dir));
        await this.hold(dir);
      })();
      this.#created.set(dir, ready);
      // A failure is not remembered: the next write tries again.
      ready.catch(() => {
        if (this.#created.get(dir) === ready) this.#created.delete(dir);
      });
    }
    return ready;
  }

  /**
   * Makes `blobs/<alg>` ready for a blob's temp file: at once in a directory
   * that did not exist before this store began to make it a layout (its
   * `oci-layout` and `index.json` are written meanwhile, so a download need
   * not wait for their flushes), else once the layout is ready. Either way,
   * wait for {@link LayoutStore.ensureLayout} before renaming into place.
   * @param dir layout directory
   * @param blobsDir its `blobs/<alg>` directory
   * @returns when temp files may be written there
   * @throws what making the layout ready throws (an existing directory)
   */
  async blobTempDir(dir: string, blobsDir: string): Promise<void> {
    const ready = this.ensureLayout(dir);
    if (!(await this.#fresh.get(dir))) await ready;
    await this.fs.mkdir(blobsDir);
  }

  /**
   * Writes bytes held in memory (a manifest) into `blobs/`.
   * @param dir layout directory
   * @param digest their digest
   * @param bytes the bytes
   * @param signal cancellation
   * @returns when written
   */
  async writeBlob(
    dir: string,
    digest: string,
    bytes: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const d = parseDigest(digest);
    const blobsDir = `${dir}/blobs/${d.algorithm}`;
    await this.fs.mkdir(blobsDir);
    const tmp = await writeTempBytes(this.fs, blobsDir, bytes, { signal, prefix: "blob." });
    await this.fs.rename(tmp, blobPath(dir, digest));
  }

  /** Read-modify-write of index.json under the lock, recording GC candidates. */
  async update(
    dir: string,
    fn: (index: LayoutIndex) => Promise<{ index: LayoutIndex; removed: IndexEntry[] }>,
  ): Promise<void> {
    await this.hold(dir);
    await withLayoutLock(this.fs, dir, async () => {
      const index = await openLayoutForWrite(this.fs, dir);
      const change = await fn(index);
      const kept = new Set(change.index.manifests.map((e) => e.digest));
      const roots = change.removed.filter((e) => !kept.has(e.digest));
      await this.record(dir, roots);
      await writeIndex(this.fs, dir, change.index);
    });
  }
}

/**
 * The `ocidir` transport: reads and writes OCI image layout 1.0 directories
 * (`ocidir://path:tag`), with cross-process locking of `index.json`,
 * referrers through the fallback tag plus a scan, and garbage collection of
 * what this transport made unreferenced.
 *
 * @module
 */
import {
  DigestMismatchError,
  InvalidReferenceError,
  LayoutError,
  NotFoundError,
  SizeMismatchError,
} from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import {
  type Manifest,
  MANIFEST_READ_LIMIT,
  manifestDescriptor,
  parseManifest,
  subjectOf,
} from "../../types/manifest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { loadHasher } from "../../types/digest.ts";
import { filterReferrers } from "../../types/referrer.ts";
import type {
  BlobGetOptions,
  BlobReader,
  CallOptions,
  HeadOptions,
  ManifestPutOptions,
  PrepareRawOptions,
  RawBlob,
  RawBlobSource,
  RawBlobTarget,
  RawGetOptions,
  RawPutOptions,
  ReferrerListOptions,
  TagListOptions,
  Transport,
} from "../transport.ts";
import { checkManifestPut, checkSignal, tagPage } from "../transport_checks.ts";
import type { VerifiedFiles } from "./verified_files.ts";
import { readCapped } from "./_read_capped.ts";
import { denoFileSystem, type FileSystem } from "./file_system.ts";
import type { FileInfo } from "./file_system_types.ts";
import {
  blobPath,
  type IndexEntry,
  listTags,
  readLayout,
  removeDigest,
  removeTag,
  setEntry,
  writeIndex,
} from "./layout.ts";
import { withLayoutLock } from "./lock.ts";
// Blob reads and writes and the referrers fallback tag load on first use (start-up).
import type { BlobOpenOptions } from "./_blob_reads.ts";
import type { BlobAdoptOptions, OciDirBlobPutOptions } from "./_blob_writes.ts";
import { ignoreNotFound, layoutDir, layoutName, LayoutStore } from "./_layout_store.ts";

export type { BlobAdoptOptions, OciDirBlobPutOptions } from "./_blob_writes.ts";
export type { BlobOpenOptions } from "./_blob_reads.ts";

/** Options of {@link OciDirTransport}. */
export interface OciDirTransportOptions {
  /** File system to use. @default denoFileSystem */
  fs?: FileSystem | undefined;
  /**
   * Remember blob files once their bytes are checked (written verified, or
   * read through), and serve them from {@link OciDirTransport.blobOpen}
   * without hashing while their identity is unchanged: for long-running
   * readers such as `ocictl serve`. @default undefined (hash every read)
   */
  verified?: VerifiedFiles | undefined;
  /**
   * Hold each touched layout's garbage-collection lease from the first
   * write or found blob until {@link OciDirTransport.close}, so a collection
   * in another process waits (see `gc_lock.ts`). Off for long-running
   * servers, which never close. @default true
   */
  gcLeases?: boolean | undefined;
  /**
   * Record what deletions and overwrites leave unreferenced and remove it
   * on {@link OciDirTransport.close}. Off for long-running servers, which
   * never close (the record would grow with every overwrite) and collect
   * with `serve gc` instead. @default true
   */
  collect?: boolean | undefined;
}

function _entryDescriptor(entry: IndexEntry, mediaType: string): Descriptor {
  const d: Descriptor = { mediaType, digest: entry.digest, size: entry.size };
  if (typeof entry.artifactType === "string") d.artifactType = entry.artifactType;
  return d;
}

/**
 * A {@link Transport} over OCI layout directories. One instance serves every
 * `ocidir` reference; the layout directory is `ref.path`. Call
 * {@link OciDirTransport.close} when done so unreferenced blobs are removed.
 *
 * @example Push and read back a manifest
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { OciDirTransport } from "./ocidir_transport.ts";
 * const path = await Deno.makeTempDir();
 * const t = new OciDirTransport();
 * const ref = { scheme: "ocidir" as const, registry: "", repository: "", path, tag: "v1", digest: "" };
 * const raw = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.index.v1+json",
 *   manifests: [],
 * }));
 * await t.manifestPut(ref, raw);
 * equal((await t.tagList(ref))[0], "v1");
 * await t.close();
 * await Deno.remove(path, { recursive: true });
 * ```
 */
export class OciDirTransport implements Transport, RawBlobSource, RawBlobTarget {
  /** Always `ocidir`. */
  readonly scheme = "ocidir";
  #store: LayoutStore;

  /**
   * Creates a transport serving every `ocidir` reference.
   * @param options file system to use
   */
  constructor(options: OciDirTransportOptions = {}) {
    this.#store = new LayoutStore(
      options.fs ?? denoFileSystem,
      options.verified,
      options.gcLeases !== false,
      options.collect !== false,
    );
  }

  /**
   * Resolves a manifest to its descriptor (from `index.json` when it has the
   * media type, otherwise by reading the manifest). A manifest found is kept
   * from garbage collection as {@link blobHead} keeps a blob.
   * @param ref `ocidir` reference with a tag or digest (no tag means `latest`)
   * @param options `forWrite` (a copy skipping it), abort signal
   * @returns the descriptor
   * @throws {NotFoundError} when the layout, tag or manifest does not exist
   * @throws {LayoutError} when the directory is not a valid layout
   */
  async manifestHead(ref: Ref, options: HeadOptions = {}): Promise<Descriptor> {
    checkSignal(options.signal, `resolve "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    let entry: IndexEntry | undefined;
    if (ref.digest === "") {
      entry = await this.#store.tagEntry(ref, dir);
    } else if (await this.#store.fs.stat(dir) !== undefined) {
      const index = await this.#store.readIndex(dir);
      entry = index.manifests.find((e) => e.digest === ref.digest);
    }
    if (entry?.mediaType === undefined) {
      return manifestDescriptor(await this.manifestGet(ref, options));
    }
    let path: string | undefined;
    try {
      path = blobPath(dir, entry.digest);
    } catch {
      // an invalid digest in index.json: described as it is, nothing to keep
    }
    const found = path === undefined ? undefined : await this.#store.fs.stat(path);
    if (path !== undefined && found?.isFile === true) {
      if ((await this.#keep(dir, path, options, found)) === undefined) {
        throw new NotFoundError(
          `Cannot find manifest "${layoutName(ref)}": no blob ${entry.digest}`,
        );
      }
    }
    return _entryDescriptor(entry, entry.mediaType);
  }

  /**
   * Keeps a file found in a layout from garbage collection until
   * {@link close} (see `LayoutStore.hold` and `LayoutStore.holdFound`), then
   * looks again: a collection may have removed it just before. Without
   * leases (a server) nothing is kept, and the first look (`found`) stands.
   * @returns the file as it is now, or undefined when it is gone
   */
  async #keep(
    dir: string,
    path: string,
    options: HeadOptions,
    found?: FileInfo,
  ): Promise<FileInfo | undefined> {
    if (!this.#store.leases && found !== undefined) return found;
    if (options.forWrite === true) await this.#store.hold(dir);
    else await this.#store.holdFound(dir, path);
    const now = await this.#store.fs.stat(path);
    return now?.isFile === true ? now : undefined;
  }

  /**
   * Reads a manifest, verified against its digest and size, capped at 8 MiB.
   * A manifest found is kept from garbage collection as {@link blobHead}
   * keeps a blob.
   * @param ref `ocidir` reference with a tag or digest (no tag means `latest`)
   * @param options `forWrite`, abort signal
   * @returns the manifest with its exact bytes
   * @throws {NotFoundError} when the layout, tag or manifest does not exist
   * @throws {SizeLimitError} when it is over 8 MiB
   * @throws {DigestMismatchError} when the stored bytes do not match
   * @throws {LayoutError} when the directory is not a valid layout
   */
  async manifestGet(ref: Ref, options: HeadOptions = {}): Promise<Manifest> {
    checkSignal(options.signal, `read "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    let entry: IndexEntry | undefined;
    let digest = ref.digest;
    if (digest === "") {
      entry = await this.#store.tagEntry(ref, dir);
      digest = entry.digest;
    } else {
      const index = await this.#store.readIndex(dir);
      entry = index.manifests.find((e) => e.digest === digest);
    }
    let path: string;
    try {
      path = blobPath(dir, digest);
    } catch (err) {
      if (ref.digest !== "") throw err;
      throw new LayoutError(
        `${dir}/index.json`,
        `Cannot read "${layoutName(ref)}": index.json has an invalid digest "${digest}"`,
        { cause: err },
      );
    }
    let raw: Uint8Array;
    try {
      raw = await readCapped(
        this.#store.fs,
        path,
        MANIFEST_READ_LIMIT,
        `manifest "${layoutName(ref)}"`,
      );
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`Cannot find manifest "${layoutName(ref)}": no blob ${digest}`, {
          cause: err,
        });
      }
      throw err;
    }
    const m = await parseManifest(raw, { mediaType: entry?.mediaType, digest });
    if (m.digest !== digest) {
      throw new DigestMismatchError(`manifest "${layoutName(ref)}"`, digest, m.digest);
    }
    if (entry !== undefined && entry.size !== m.size) {
      throw new SizeMismatchError(`manifest "${layoutName(ref)}"`, entry.size, m.size);
    }
    if ((await this.#keep(dir, path, options)) === undefined) {
      throw new NotFoundError(`Cannot find manifest "${layoutName(ref)}": no blob ${digest}`);
    }
    return m;
  }

  /**
   * Stores a manifest blob and, unless it is a child, its `index.json` entry
   * (tagged, or untagged when the reference only has a digest). A manifest
   * with a `subject` is added to the subject's referrers fallback-tag index.
   * @param ref `ocidir` reference (no tag and no digest means `latest`)
   * @param raw exact manifest bytes (at most 4 MiB)
   * @param options media type, child flag, abort signal
   * @returns the manifest's descriptor
   * @throws {SizeLimitError} when it is over 4 MiB
   * @throws {ManifestInvalidError} when it is not a valid manifest
   * @throws {DigestMismatchError} when the reference's digest does not match the bytes
   * @throws {LayoutError} when the directory holds something other than a layout
   */
  async manifestPut(
    ref: Ref,
    raw: Uint8Array,
    options: ManifestPutOptions = {},
  ): Promise<Descriptor> {
    checkSignal(options.signal, `push "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    const m = await checkManifestPut(
      raw,
      { mediaType: options.mediaType, digest: ref.digest },
      `manifest "${layoutName(ref)}"`,
    );
    await this.#store.ensureLayout(dir);
    await this.#store.writeBlob(dir, m.digest, raw, options.signal);
    const desc = manifestDescriptor(m);
    if (options.child === true) return desc;
    const tag = ref.tag !== "" ? ref.tag : ref.digest !== "" ? "" : "latest";
    await this.#store.update(dir, async (index) => {
      const change = setEntry(index, tag, desc);
      const removed = change.removed.filter((e) => e.digest !== desc.digest);
      const subject = subjectOf(m);
      if (subject === undefined) return { index: change.index, removed };
      const { addReferrer } = await import("./_layout_referrers.ts");
      const fallback = await addReferrer(this.#store, dir, change.index, subject.digest, m);
      return { index: fallback.index, removed: [...removed, ...fallback.removed] };
    });
    return desc;
  }

  /**
   * Deletes a manifest: its `index.json` entries and its blob. What it
   * referenced is collected on {@link close} when nothing else uses it.
   * @param ref `ocidir` reference with a digest
   * @param options abort signal
   * @returns nothing
   * @throws {InvalidReferenceError} when the reference has no digest
   * @throws {NotFoundError} when neither an entry nor the blob exists
   */
  async manifestDelete(ref: Ref, options: CallOptions = {}): Promise<void> {
    checkSignal(options.signal, `delete "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    if (ref.digest === "") {
      throw new InvalidReferenceError(
        layoutName(ref),
        "deleting a manifest needs a digest; resolve the tag first or delete the tag",
      );
    }
    const path = blobPath(dir, ref.digest);
    await readLayout(this.#store.fs, dir);
    await this.#store.hold(dir);
    await withLayoutLock(this.#store.fs, dir, async () => {
      const index = await readLayout(this.#store.fs, dir);
      const change = removeDigest(index, ref.digest);
      const exists = (await this.#store.fs.stat(path)) !== undefined;
      if (change.removed.length === 0 && !exists) {
        throw new NotFoundError(`Cannot find manifest "${layoutName(ref)}" to delete`);
      }
      let next = change.index;
      const roots: IndexEntry[] = [{ digest: ref.digest, size: 0 }];
      const m = exists
        ? await this.#store.tryRead(dir, { digest: ref.digest, size: 0 })
        : undefined;
      const subject = m === undefined ? undefined : subjectOf(m);
      if (subject !== undefined) {
        const { removeReferrer } = await import("./_layout_referrers.ts");
        const fallback = await removeReferrer(this.#store, dir, next, subject.digest, ref.digest);
        next = fallback.index;
        roots.push(...fallback.removed);
      }
      await this.#store.record(dir, roots, ref.digest);
      if (next !== index) await writeIndex(this.#store.fs, dir, next);
      if (exists) await this.#store.fs.remove(path).catch(ignoreNotFound);
    });
  }

  /**
   * Describes a blob from its file (not read). A blob found is kept from
   * garbage collection until {@link close}: with `forWrite`, or when the
   * layout has its lock file, by a lease; otherwise it is checked again
   * when this transport first writes to the layout.
   * @param ref `ocidir` reference (the layout)
   * @param digest blob digest
   * @param options `forWrite` (a copy skipping it), abort signal
   * @returns its descriptor (media type `application/octet-stream`)
   * @throws {NotFoundError} when the blob does not exist
   * @throws {InvalidDigestError} when the digest is malformed
   */
  async blobHead(ref: Ref, digest: string, options: HeadOptions = {}): Promise<Descriptor> {
    checkSignal(options.signal, `resolve blob "${digest}"`);
    const dir = layoutDir(ref);
    const path = blobPath(dir, digest);
    let info = await this.#store.fs.stat(path);
    if (info?.isFile === true) {
      // Found: kept so no collection removes it before the manifest that
      // uses it is written, then looked at again (one may just have).
      info = await this.#keep(dir, path, options, info);
    }
    if (info === undefined || !info.isFile) {
      throw new NotFoundError(`Cannot find blob "${digest}" in "${layoutName(ref)}"`);
    }
    return { mediaType: MediaType.OCTET_STREAM, digest, size: info.size };
  }

  /**
   * Opens a blob as a stream verified against its digest and size.
   * @param ref `ocidir` reference (the layout)
   * @param digest blob digest
   * @param options expected size, abort signal
   * @returns descriptor and body (consume or cancel it)
   * @throws {NotFoundError} when the blob does not exist
   */
  async blobGet(ref: Ref, digest: string, options: BlobGetOptions = {}): Promise<BlobReader> {
    const descriptor = await this.blobHead(ref, digest, options);
    const { body } = await this.blobOpen(ref, digest, {
      size: options.size ?? descriptor.size,
      signal: options.signal,
    });
    return { descriptor, body };
  }

  /**
   * {@link blobGet} for servers: with the expected size already known (from
   * {@link blobHead}) the file is not looked up twice, and a callback hears
   * of a stream that fails (a corrupt or unreadable blob file). A body that
   * must be verified reads `pieceSize` pieces (256 KiB by default) and holds
   * back the last one until the whole file is verified.
   * @param ref `ocidir` reference (the layout)
   * @param digest blob digest
   * @param options expected size (the file's size when absent), range, piece size, abort signal, error callback
   * @returns descriptor and body (consume or cancel it); `ranged` when only the range is read, `offThread` when the worker hashes it
   * @throws {NotFoundError} when the blob does not exist
   * @throws {InvalidDigestError} when the digest is malformed
   */
  async blobOpen(
    ref: Ref,
    digest: string,
    options: BlobOpenOptions = {},
  ): Promise<BlobReader & { ranged?: boolean; offThread?: boolean }> {
    const head = () => this.blobHead(ref, digest, options);
    return await (await import("./_blob_reads.ts")).openLayoutBlob(
      this.#store,
      ref,
      digest,
      options,
      head,
    );
  }

  /**
   * Stores a blob from a temp file whose bytes the caller has already hashed
   * and checked against `digest` while writing them (an upload session):
   * the file is flushed to disk and renamed into `blobs/<alg>/`, so it is
   * written once. The temp file must be on the layout's file system; when
   * the rename fails it is copied instead, verified again. The temp file is
   * gone afterwards either way. An existing blob is kept.
   * @param ref `ocidir` reference (the layout; created when missing)
   * @param tmpPath the verified temp file
   * @param options its digest and size, abort signal
   * @returns the stored blob's descriptor
   * @throws {InvalidDigestError} when the digest is malformed
   * @throws {SizeMismatchError} when the file's size differs from `size`
   * @throws {DigestMismatchError} when a copy finds other bytes
   */
  async blobAdopt(
    ref: Ref,
    tmpPath: string,
    options: BlobAdoptOptions,
  ): Promise<Descriptor> {
    return await (await import("./_blob_writes.ts")).adoptBlob(this.#store, ref, tmpPath, options);
  }

  /**
   * Stores a blob: written to a temp file in `blobs/<alg>/` while hashed,
   * flushed, then renamed. On a mismatch or a stream error nothing is stored.
   * A body marked `verified` (with `digest` and `size`) is not hashed again.
   * @param ref `ocidir` reference (the layout; created when missing)
   * @param body the bytes
   * @param options expected digest and size, `verified`, abort signal
   * @returns the stored blob's descriptor
   * @throws {DigestMismatchError} when the bytes do not match the expected digest
   * @throws {SizeMismatchError} when the length differs from the expected size
   * @throws {InvalidDigestError} when the expected digest is malformed
   */
  async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options: OciDirBlobPutOptions = {},
  ): Promise<Descriptor> {
    return await (await import("./_blob_writes.ts")).putBlob(this.#store, ref, body, options);
  }

  /**
   * Opens a blob as a raw file stream for copy's fast path: Deno's own file
   * stream, unchecked (only its size is compared); the target checks the
   * bytes (a layout hashes what it writes, a registry checks `?digest=`),
   * so the file is read once.
   * @param ref `ocidir` reference (the layout)
   * @param digest blob digest
   * @param options expected size, abort signal
   * @returns the raw blob (consume or cancel its body)
   * @throws {NotFoundError} when the blob does not exist
   * @throws {SizeMismatchError} when the file has another size
   */
  async blobGetRaw(
    ref: Ref,
    digest: string,
    options: RawGetOptions,
  ): Promise<RawBlob> {
    checkSignal(options.signal, `read blob "${digest}"`);
    const path = blobPath(layoutDir(ref), digest);
    const subject = `blob "${digest}" in "${layoutName(ref)}"`;
    const info = await this.#store.fs.stat(path);
    if (info === undefined || !info.isFile) {
      throw new NotFoundError(`Cannot find blob "${digest}" in "${layoutName(ref)}"`);
    }
    if (info.size !== options.size) throw new SizeMismatchError(subject, options.size, info.size);
    return { digest, size: options.size, body: await this.#store.fs.open(path) };
  }

  /**
   * Tells whether raw puts are possible (always, for a layout).
   * @param _ref `ocidir` reference
   * @returns true
   */
  canPutRaw(_ref: Ref): boolean {
    return true;
  }

  /** A raw blob's byte source is read, hashed and written piece by piece on this thread. */
  readonly takesByteSources: boolean = true;

  /**
   * Gets ready for raw blobs read from byte sources: loads the hasher they
   * are checked with (`node:crypto`: 15–25 ms on this thread, spent while
   * the source's manifest is on its way). Nothing is started otherwise:
   * when the source cannot tell yet (not loaded), a wrong guess would cost
   * the main thread 15–25 ms for nothing, and the first blob starts what it
   * needs (the hashing worker for a stream: measured no slower than
   * starting it ahead).
   * @param _ref `ocidir` reference (any layout)
   * @param options whether the blobs come with byte sources
   * @returns the release (call it once)
   */
  prepareRawPuts(_ref: Ref, options: PrepareRawOptions = {}): () => void {
    if (options.byteSources === true) loadHasher().catch(() => {}); // met again by the first put
    return () => {};
  }

  /**
   * Stores a raw blob: piped into a temp file in `blobs/<alg>/` as it comes,
   * hashed from that file as it grows, flushed, its length checked, then
   * renamed into place. Nothing is stored when the bytes do not match.
   * @param ref `ocidir` reference (the layout; created when missing)
   * @param pending the raw blob, or its opening
   * @param options abort signal
   * @returns the stored blob's descriptor
   * @throws {DigestMismatchError} when the bytes do not match the digest
   * @throws {SizeMismatchError} when the length differs from the size
   */
  async blobPutRaw(
    ref: Ref,
    pending: RawBlob | Promise<RawBlob>,
    options: RawPutOptions = {},
  ): Promise<Descriptor> {
    return await (await import("./_blob_writes.ts")).putRawBlob(this.#store, ref, pending, options);
  }

  /**
   * Deletes a blob file.
   * @param ref `ocidir` reference (the layout)
   * @param digest blob digest
   * @param options abort signal
   * @returns nothing
   * @throws {NotFoundError} when the blob does not exist
   */
  async blobDelete(ref: Ref, digest: string, options: CallOptions = {}): Promise<void> {
    checkSignal(options.signal, `delete blob "${digest}"`);
    const path = blobPath(layoutDir(ref), digest);
    this.#store.verified?.delete(path);
    await this.#store.fs.remove(path);
  }

  /**
   * Lists the layout's tags, sorted.
   * @param ref `ocidir` reference (the layout)
   * @param options `limit`, `last`, abort signal
   * @returns tags
   * @throws {NotFoundError} when the directory does not exist
   * @throws {LayoutError} when it is not a valid layout
   */
  async tagList(ref: Ref, options: TagListOptions = {}): Promise<string[]> {
    checkSignal(options.signal, `list tags of "${layoutName(ref)}"`);
    const index = await this.#store.readIndex(layoutDir(ref));
    return tagPage(listTags(index), options);
  }

  /**
   * Removes a tag's `index.json` entry; the manifest stays readable by digest
   * until {@link close} collects it when nothing else references it.
   * @param ref `ocidir` reference with a tag
   * @param options abort signal
   * @returns nothing
   * @throws {NotFoundError} when the tag does not exist
   */
  async tagDelete(ref: Ref, options: CallOptions = {}): Promise<void> {
    checkSignal(options.signal, `delete tag "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    const tag = ref.tag !== "" ? ref.tag : "latest";
    await readLayout(this.#store.fs, dir);
    await this.#store.update(dir, (index) => {
      const change = removeTag(index, tag);
      if (change.removed.length === 0) {
        throw new NotFoundError(`Cannot find tag "${tag}" in "${layoutName(ref)}" to delete`);
      }
      return Promise.resolve(change);
    });
  }

  /**
   * Lists the manifests whose `subject` is the reference's manifest: the
   * fallback-tag index plus a scan of the `index.json` entries.
   * @param ref `ocidir` reference with a digest or tag (the subject)
   * @param options artifact type filter, abort signal
   * @returns referrer descriptors, deduplicated
   * @throws {NotFoundError} when the layout (or the subject's tag) does not exist
   */
  async referrerList(ref: Ref, options: ReferrerListOptions = {}): Promise<Descriptor[]> {
    checkSignal(options.signal, `list referrers of "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    const subject = ref.digest !== "" ? ref.digest : (await this.manifestHead(ref, options)).digest;
    const { findReferrers } = await import("./_layout_referrers.ts");
    const found = await findReferrers(this.#store, dir, subject);
    return filterReferrers(found, { artifactType: options.artifactType });
  }

  /**
   * Runs garbage collection on every layout this transport changed: blobs
   * that its own deletions and overwrites left unreferenced are removed.
   * @returns nothing
   */
  async close(): Promise<void> {
    await this.#store.collect();
  }
}

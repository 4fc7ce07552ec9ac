/**
 * The `ocidir` transport: reads and writes OCI image layout 1.0 directories
 * (`ocidir://path:tag`), with cross-process locking of `index.json`,
 * referrers through the fallback tag plus a scan, and garbage collection of
 * what this transport made unreferenced.
 *
 * @module
 */
import {
  AbortedError,
  DigestMismatchError,
  InvalidReferenceError,
  LayoutError,
  ManifestInvalidError,
  NotFoundError,
  SizeMismatchError,
} from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { type DigestAlgorithm, parseDigest } from "../../types/digest.ts";
import {
  type IndexJson,
  isIndex,
  type Manifest,
  MANIFEST_READ_LIMIT,
  manifestDescriptor,
  parseManifest,
  subjectOf,
} from "../../types/manifest.ts";
import { isManifestMediaType, MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { filterReferrers, referrersFallbackTag } from "../../types/referrer.ts";
import { VerifyStream } from "../../verify_stream.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  RawBlob,
  RawBlobSource,
  RawBlobTarget,
  RawPutOptions,
  ReferrerListOptions,
  TagListOptions,
  Transport,
} from "../transport.ts";
import { checkManifestPut, checkSignal, referrerDescriptor, tagPage } from "../transport_checks.ts";
import { checkFile } from "./file_check.ts";
import type { VerifiedFiles } from "./verified_files.ts";
import { readCapped } from "./_read_capped.ts";
import { denoFileSystem, type FileInfo, type FileSystem } from "./file_system.ts";
import { collectGarbage, type GcCandidates, recordCandidates } from "./gc.ts";
import {
  blobPath,
  findTag,
  type IndexEntry,
  type LayoutIndex,
  listTags,
  openLayoutForWrite,
  readLayout,
  removeDigest,
  removeTag,
  setEntry,
  writeIndex,
} from "./layout.ts";
import { withLayoutLock } from "./lock.ts";
import { openVerifiedFile } from "./verified_file_stream.ts";

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
}

/**
 * While a raw blob is written, its file is flushed to disk every 16 MiB
 * (measured: the final flush of 4×64 MiB fell from ~190 ms to a few ms, and
 * the whole write got faster).
 */
const RAW_SYNC_EVERY = 16 * 1024 * 1024;

/** Options of {@link OciDirTransport.blobOpen}. */
export interface BlobOpenOptions extends BlobGetOptions {
  /**
   * Only these bytes are wanted (inclusive ends). A file still the one that
   * was checked is read from `start` to `end` only, and the reader's
   * `ranged` says so; otherwise the whole verified body comes back.
   */
  range?: { start: number; end: number } | undefined;
  /** Called once when the body fails (corrupt or unreadable file), not on cancel. */
  onError?: ((err: Error) => void) | undefined;
}

/** Options of {@link OciDirTransport.blobPut}. */
export interface OciDirBlobPutOptions extends BlobPutOptions {
  /**
   * The body verifies itself against `digest` and `size` (it errors instead
   * of ending cleanly on a mismatch, like a transport's blob body): with
   * both given, it is written without hashing it again; only its length is
   * checked, and it is stored only when it ended cleanly.
   */
  verified?: boolean | undefined;
}

/** Options of {@link OciDirTransport.blobAdopt}. */
export interface BlobAdoptOptions extends CallOptions {
  /** Digest the caller verified the temp file's bytes against. */
  digest: string;
  /** Size of the temp file. */
  size: number;
}

function _name(ref: Ref): string {
  const tag = ref.tag !== "" ? `:${ref.tag}` : "";
  const digest = ref.digest !== "" ? `@${ref.digest}` : "";
  return `ocidir://${ref.path}${tag}${digest}`;
}

function _dir(ref: Ref): string {
  if (ref.path === "") {
    throw new InvalidReferenceError(_name(ref), "an ocidir reference needs a directory path");
  }
  return ref.path.length > 1 && ref.path.endsWith("/") ? ref.path.slice(0, -1) : ref.path;
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
  #fs: FileSystem;
  /** Files known to match their digest (see {@link OciDirTransportOptions.verified}). */
  #verified: VerifiedFiles | undefined;
  #candidates = new Map<string, GcCandidates>();
  /** Layouts made ready for writing, shared by concurrent first writes. */
  #created = new Map<string, Promise<void>>();

  /**
   * Creates a transport serving every `ocidir` reference.
   * @param options file system to use
   */
  constructor(options: OciDirTransportOptions = {}) {
    this.#fs = options.fs ?? denoFileSystem;
    this.#verified = options.verified;
  }

  /**
   * Resolves a manifest to its descriptor (from `index.json` when it has the
   * media type, otherwise by reading the manifest).
   * @param ref `ocidir` reference with a tag or digest (no tag means `latest`)
   * @param options abort signal
   * @returns the descriptor
   * @throws {NotFoundError} when the layout, tag or manifest does not exist
   * @throws {LayoutError} when the directory is not a valid layout
   */
  async manifestHead(ref: Ref, options: CallOptions = {}): Promise<Descriptor> {
    checkSignal(options.signal, `resolve "${_name(ref)}"`);
    const dir = _dir(ref);
    if (ref.digest === "") {
      const entry = await this.#tagEntry(ref, dir);
      if (entry.mediaType !== undefined) return _entryDescriptor(entry, entry.mediaType);
    } else if (await this.#fs.stat(dir) !== undefined) {
      const index = await readLayout(this.#fs, dir);
      const entry = index.manifests.find((e) => e.digest === ref.digest);
      if (entry?.mediaType !== undefined) return _entryDescriptor(entry, entry.mediaType);
    }
    return manifestDescriptor(await this.manifestGet(ref, options));
  }

  /**
   * Reads a manifest, verified against its digest and size, capped at 8 MiB.
   * @param ref `ocidir` reference with a tag or digest (no tag means `latest`)
   * @param options abort signal
   * @returns the manifest with its exact bytes
   * @throws {NotFoundError} when the layout, tag or manifest does not exist
   * @throws {SizeLimitError} when it is over 8 MiB
   * @throws {DigestMismatchError} when the stored bytes do not match
   * @throws {LayoutError} when the directory is not a valid layout
   */
  async manifestGet(ref: Ref, options: CallOptions = {}): Promise<Manifest> {
    checkSignal(options.signal, `read "${_name(ref)}"`);
    const dir = _dir(ref);
    let entry: IndexEntry | undefined;
    let digest = ref.digest;
    if (digest === "") {
      entry = await this.#tagEntry(ref, dir);
      digest = entry.digest;
    } else {
      const index = await readLayout(this.#fs, dir);
      entry = index.manifests.find((e) => e.digest === digest);
    }
    let path: string;
    try {
      path = blobPath(dir, digest);
    } catch (err) {
      if (ref.digest !== "") throw err;
      throw new LayoutError(
        `${dir}/index.json`,
        `Cannot read "${_name(ref)}": index.json has an invalid digest "${digest}"`,
        { cause: err },
      );
    }
    let raw: Uint8Array;
    try {
      raw = await readCapped(this.#fs, path, MANIFEST_READ_LIMIT, `manifest "${_name(ref)}"`);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`Cannot find manifest "${_name(ref)}": no blob ${digest}`, {
          cause: err,
        });
      }
      throw err;
    }
    const m = parseManifest(raw, { mediaType: entry?.mediaType, digest });
    if (m.digest !== digest) {
      throw new DigestMismatchError(`manifest "${_name(ref)}"`, digest, m.digest);
    }
    if (entry !== undefined && entry.size !== m.size) {
      throw new SizeMismatchError(`manifest "${_name(ref)}"`, entry.size, m.size);
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
    checkSignal(options.signal, `push "${_name(ref)}"`);
    const dir = _dir(ref);
    const m = checkManifestPut(
      raw,
      { mediaType: options.mediaType, digest: ref.digest },
      `manifest "${_name(ref)}"`,
    );
    await this.#ensureLayout(dir);
    await this.#writeBlob(dir, m.digest, raw, options.signal);
    const desc = manifestDescriptor(m);
    if (options.child === true) return desc;
    const tag = ref.tag !== "" ? ref.tag : ref.digest !== "" ? "" : "latest";
    await this.#update(dir, async (index) => {
      const change = setEntry(index, tag, desc);
      const removed = change.removed.filter((e) => e.digest !== desc.digest);
      const subject = subjectOf(m);
      if (subject === undefined) return { index: change.index, removed };
      const fallback = await this.#addReferrer(dir, change.index, subject.digest, m);
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
    checkSignal(options.signal, `delete "${_name(ref)}"`);
    const dir = _dir(ref);
    if (ref.digest === "") {
      throw new InvalidReferenceError(
        _name(ref),
        "deleting a manifest needs a digest; resolve the tag first or delete the tag",
      );
    }
    const path = blobPath(dir, ref.digest);
    await readLayout(this.#fs, dir);
    await withLayoutLock(this.#fs, dir, async () => {
      const index = await readLayout(this.#fs, dir);
      const change = removeDigest(index, ref.digest);
      const exists = (await this.#fs.stat(path)) !== undefined;
      if (change.removed.length === 0 && !exists) {
        throw new NotFoundError(`Cannot find manifest "${_name(ref)}" to delete`);
      }
      let next = change.index;
      const roots: IndexEntry[] = [{ digest: ref.digest, size: 0 }];
      const m = exists ? await this.#tryRead(dir, { digest: ref.digest, size: 0 }) : undefined;
      const subject = m === undefined ? undefined : subjectOf(m);
      if (subject !== undefined) {
        const fallback = await this.#removeReferrer(dir, next, subject.digest, ref.digest);
        next = fallback.index;
        roots.push(...fallback.removed);
      }
      const candidates = this.#candidatesOf(dir);
      await recordCandidates(this.#fs, dir, roots, candidates);
      candidates.delete(ref.digest);
      if (next !== index) await writeIndex(this.#fs, dir, next);
      if (exists) await this.#fs.remove(path).catch(_ignoreNotFound);
    });
  }

  /**
   * Describes a blob from its file (not read).
   * @param ref `ocidir` reference (the layout)
   * @param digest blob digest
   * @param options abort signal
   * @returns its descriptor (media type `application/octet-stream`)
   * @throws {NotFoundError} when the blob does not exist
   * @throws {InvalidDigestError} when the digest is malformed
   */
  async blobHead(ref: Ref, digest: string, options: CallOptions = {}): Promise<Descriptor> {
    checkSignal(options.signal, `resolve blob "${digest}"`);
    const info = await this.#fs.stat(blobPath(_dir(ref), digest));
    if (info === undefined || !info.isFile) {
      throw new NotFoundError(`Cannot find blob "${digest}" in "${_name(ref)}"`);
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
   * of a stream that fails (a corrupt or unreadable blob file). The body
   * reads 256 KiB pieces and holds back the last one until the whole file is
   * verified.
   * @param ref `ocidir` reference (the layout)
   * @param digest blob digest
   * @param options expected size (the file's size when absent), abort signal, error callback
   * @returns descriptor and body (consume or cancel it)
   * @throws {NotFoundError} when the blob does not exist
   * @throws {InvalidDigestError} when the digest is malformed
   */
  async blobOpen(
    ref: Ref,
    digest: string,
    options: BlobOpenOptions = {},
  ): Promise<BlobReader & { ranged?: boolean }> {
    checkSignal(options.signal, `read blob "${digest}"`);
    const path = blobPath(_dir(ref), digest);
    const notFound = (err: unknown): never => {
      if (!(err instanceof NotFoundError)) throw err;
      throw new NotFoundError(`Cannot find blob "${digest}" in "${_name(ref)}"`, { cause: err });
    };
    // With a memory of checked files, a file still the one that was checked
    // is served as Deno's own file stream, without hashing. What it is comes
    // from the open handle, so a file renamed over the path meanwhile is not
    // mistaken for the checked one.
    const opened = this.#verified && this.#fs.openFile
      ? await this.#fs.openFile(path).catch(notFound)
      : undefined;
    const info = opened?.info;
    if (opened && !opened.info.isFile) {
      opened.close();
      notFound(new NotFoundError(`Cannot open "${path}": not a file`));
    }
    const descriptor = options.size === undefined
      ? (info?.isFile
        ? { mediaType: MediaType.OCTET_STREAM, digest, size: info.size }
        : await this.blobHead(ref, digest, options))
      : { mediaType: MediaType.OCTET_STREAM, digest, size: options.size };
    if (opened && info?.size === descriptor.size && this.#verified?.has(path, opened.info)) {
      const r = options.range;
      if (r !== undefined) return { descriptor, body: opened.slice(r.start, r.end), ranged: true };
      return { descriptor, body: opened.stream() };
    }
    let body: ReadableStream<Uint8Array>;
    try {
      body = await openVerifiedFile(this.#fs, path, {
        digest,
        size: descriptor.size,
        subject: `blob "${digest}" in "${_name(ref)}"`,
        reader: opened?.reader(),
        onError: (err) => {
          this.#verified?.delete(path);
          options.onError?.(err);
        },
        onVerified: info === undefined ? undefined : () => this.#verified?.add(path, info),
      });
    } catch (err) {
      notFound(err);
      throw err;
    }
    return { descriptor, body };
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
    const desc = { mediaType: MediaType.OCTET_STREAM, digest: options.digest, size: options.size };
    try {
      checkSignal(options.signal, `push blob to "${_name(ref)}"`);
      const dir = _dir(ref);
      const target = blobPath(dir, options.digest);
      const info = await this.#fs.stat(tmpPath);
      if (info === undefined || !info.isFile) {
        throw new NotFoundError(`Cannot store blob "${options.digest}": "${tmpPath}" is gone`);
      }
      if (info.size !== options.size) {
        throw new SizeMismatchError(`blob for "${_name(ref)}"`, options.size, info.size);
      }
      await this.#ensureLayout(dir);
      const existing = await this.#fs.stat(target);
      if (existing?.isFile === true && existing.size === options.size) return desc;
      await this.#fs.mkdir(`${dir}/blobs/${parseDigest(options.digest).algorithm}`);
      const file = await this.#fs.openAppend(tmpPath);
      try {
        await file.sync();
      } finally {
        file.close();
      }
      try {
        await this.#fs.rename(tmpPath, target);
        await this.#remember(target, info);
      } catch {
        // Another file system (EXDEV): copy, verifying again.
        const body = await openVerifiedFile(this.#fs, tmpPath, options);
        return await this.blobPut(ref, body, options);
      }
      return desc;
    } finally {
      await this.#fs.remove(tmpPath).catch(() => {});
    }
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
    let dir: string;
    let algorithm: DigestAlgorithm;
    try {
      checkSignal(options.signal, `push blob to "${_name(ref)}"`);
      dir = _dir(ref);
      algorithm = options.digest !== undefined ? parseDigest(options.digest).algorithm : "sha256";
      await this.#ensureLayout(dir);
    } catch (err) {
      await body.cancel(err).catch(() => {});
      throw err;
    }
    const blobsDir = `${dir}/blobs/${algorithm}`;
    await this.#fs.mkdir(blobsDir);
    const subject = `blob for "${_name(ref)}"`;
    const { digest: want, size } = options;
    if (options.verified === true && want !== undefined && size !== undefined) {
      const expected = { digest: want, size, signal: options.signal };
      return await this.#putVerified(dir, blobsDir, body, subject, expected);
    }
    const verify = new VerifyStream({
      algorithm,
      digest: options.digest,
      size: options.size,
      subject,
    });
    const tmp = await this.#fs.writeTemp(blobsDir, body.pipeThrough(verify), {
      signal: options.signal,
      prefix: "blob.",
    });
    const digest = verify.digest;
    if (digest === undefined) {
      await this.#fs.remove(tmp).catch(() => {});
      throw new AbortedError(`Cannot push blob to "${_name(ref)}": the stream did not finish`);
    }
    const target = blobPath(dir, digest);
    const written = this.#verified ? await this.#fs.stat(tmp) : undefined;
    await this.#fs.rename(tmp, target);
    await this.#remember(target, written);
    return { mediaType: MediaType.OCTET_STREAM, digest, size: verify.count };
  }

  /**
   * Stores a self-verifying body: written as is (the temp file is removed
   * when it errors), then its length is checked before the rename.
   */
  async #putVerified(
    dir: string,
    blobsDir: string,
    body: ReadableStream<Uint8Array>,
    subject: string,
    options: CallOptions & { digest: string; size: number },
  ): Promise<Descriptor> {
    const { digest, size } = options;
    let target: string;
    try {
      target = blobPath(dir, digest);
    } catch (err) {
      await body.cancel(err).catch(() => {});
      throw err;
    }
    const tmp = await this.#fs.writeTemp(blobsDir, body, {
      signal: options.signal,
      prefix: "blob.",
    });
    await this.#commitTemp(tmp, target, size, subject);
    return { mediaType: MediaType.OCTET_STREAM, digest, size };
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
    options: CallOptions & { size: number },
  ): Promise<RawBlob> {
    checkSignal(options.signal, `read blob "${digest}"`);
    const path = blobPath(_dir(ref), digest);
    const subject = `blob "${digest}" in "${_name(ref)}"`;
    const info = await this.#fs.stat(path);
    if (info === undefined || !info.isFile) {
      throw new NotFoundError(`Cannot find blob "${digest}" in "${_name(ref)}"`);
    }
    if (info.size !== options.size) throw new SizeMismatchError(subject, options.size, info.size);
    return { digest, size: options.size, body: await this.#fs.open(path) };
  }

  /**
   * Tells whether raw puts are possible (always, for a layout).
   * @param _ref `ocidir` reference
   * @returns true
   */
  canPutRaw(_ref: Ref): boolean {
    return true;
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
    const blob = await pending;
    let target: string;
    let blobsDir: string;
    try {
      checkSignal(options.signal, `push blob to "${_name(ref)}"`);
      const dir = _dir(ref);
      target = blobPath(dir, blob.digest);
      await this.#ensureLayout(dir);
      blobsDir = `${dir}/blobs/${parseDigest(blob.digest).algorithm}`;
      await this.#fs.mkdir(blobsDir);
    } catch (err) {
      await blob.body.cancel(err).catch(() => {});
      throw err;
    }
    const subject = `blob for "${_name(ref)}"`;
    // The bytes are hashed from the file as it grows, so the check ends
    // with the write; a failed check stops the write.
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    let created: (path: string) => void = () => {};
    const tmpPath = new Promise<string>((resolve) => (created = resolve));
    const writing = this.#fs.writeTemp(blobsDir, blob.body, {
      signal,
      prefix: "blob.",
      direct: true,
      onCreated: created,
    });
    // The temp file's path as soon as it exists; from the write itself when a
    // file system does not announce it; none when the write failed first.
    const path = Promise.race([tmpPath, writing.then((p) => p, () => undefined)]);
    const checking = path.then((path) =>
      path === undefined ? undefined : checkFile(this.#fs, path, {
        digest: blob.digest,
        size: blob.size,
        subject,
        signal: options.signal,
        writing,
        syncEvery: RAW_SYNC_EVERY,
        onBytes: options.onProgress,
      })
    );
    let checkError: { err: unknown } | undefined;
    checking.catch((err) => {
      checkError = { err };
      stop.abort();
    });
    let tmp: string;
    try {
      tmp = await writing;
    } catch (err) {
      await checking.catch(() => {});
      throw checkError?.err ?? err;
    }
    try {
      await checking;
    } catch (err) {
      await this.#fs.remove(tmp).catch(() => {});
      throw err;
    }
    await this.#commitTemp(tmp, target, blob.size, subject);
    return { mediaType: MediaType.OCTET_STREAM, digest: blob.digest, size: blob.size };
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
    const path = blobPath(_dir(ref), digest);
    this.#verified?.delete(path);
    await this.#fs.remove(path);
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
    checkSignal(options.signal, `list tags of "${_name(ref)}"`);
    const index = await readLayout(this.#fs, _dir(ref));
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
    checkSignal(options.signal, `delete tag "${_name(ref)}"`);
    const dir = _dir(ref);
    const tag = ref.tag !== "" ? ref.tag : "latest";
    await readLayout(this.#fs, dir);
    await this.#update(dir, (index) => {
      const change = removeTag(index, tag);
      if (change.removed.length === 0) {
        throw new NotFoundError(`Cannot find tag "${tag}" in "${_name(ref)}" to delete`);
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
    checkSignal(options.signal, `list referrers of "${_name(ref)}"`);
    const dir = _dir(ref);
    const subject = ref.digest !== "" ? ref.digest : (await this.manifestHead(ref, options)).digest;
    const index = await readLayout(this.#fs, dir);
    const fallbackTag = referrersFallbackTag(subject);
    const found = new Map<string, Descriptor>();
    const fallback = index.manifests.find((e) =>
      e.annotations?.["org.opencontainers.image.ref.name"] === fallbackTag
    );
    if (fallback !== undefined && fallback.digest !== subject) {
      const m = await this.#tryRead(dir, fallback);
      if (m !== undefined && isIndex(m)) {
        for (const d of m.json.manifests) if (!found.has(d.digest)) found.set(d.digest, d);
      }
    }
    for (const entry of index.manifests) {
      if (entry === fallback || found.has(entry.digest)) continue;
      if (entry.mediaType !== undefined && !isManifestMediaType(entry.mediaType)) continue;
      const m = await this.#tryRead(dir, entry);
      if (m === undefined || subjectOf(m)?.digest !== subject) continue;
      found.set(m.digest, referrerDescriptor(m));
    }
    return filterReferrers([...found.values()], { artifactType: options.artifactType });
  }

  /**
   * Runs garbage collection on every layout this transport changed: blobs
   * that its own deletions and overwrites left unreferenced are removed.
   * @returns nothing
   */
  async close(): Promise<void> {
    const pending = [...this.#candidates];
    this.#candidates.clear();
    this.#created.clear();
    for (const [dir, candidates] of pending) {
      if (candidates.size === 0) continue;
      await withLayoutLock(this.#fs, dir, async () => {
        const index = await readLayout(this.#fs, dir);
        await collectGarbage(this.#fs, dir, index, candidates);
      });
    }
  }

  #candidatesOf(dir: string): GcCandidates {
    let c = this.#candidates.get(dir);
    if (c === undefined) {
      c = new Map();
      this.#candidates.set(dir, c);
    }
    return c;
  }

  async #tagEntry(ref: Ref, dir: string): Promise<IndexEntry> {
    const index = await readLayout(this.#fs, dir);
    const tag = ref.tag !== "" ? ref.tag : "latest";
    const entry = findTag(index, tag);
    if (entry === undefined) {
      throw new NotFoundError(`Cannot find tag "${tag}" in "${_name(ref)}"`);
    }
    return entry;
  }

  async #tryRead(dir: string, entry: IndexEntry): Promise<Manifest | undefined> {
    try {
      const raw = await readCapped(
        this.#fs,
        blobPath(dir, entry.digest),
        MANIFEST_READ_LIMIT,
        "manifest",
      );
      const m = parseManifest(raw, { mediaType: entry.mediaType, digest: entry.digest });
      return m.digest === entry.digest ? m : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Renames a written temp file into place once its length is `size`, and
   * remembers it as checked; on any failure the temp file is removed.
   */
  async #commitTemp(tmp: string, target: string, size: number, subject: string): Promise<void> {
    try {
      const info = await this.#fs.stat(tmp);
      const written = info?.size ?? -1;
      if (written !== size) throw new SizeMismatchError(subject, size, written);
      await this.#fs.rename(tmp, target);
      await this.#remember(target, info);
    } catch (err) {
      await this.#fs.remove(tmp).catch(() => {});
      throw err;
    }
  }

  /**
   * Records a blob file just renamed into place from checked bytes (see
   * `verified`), provided it is still that file: same inode and size as the
   * temp file before the rename. Best effort: a failed `stat` only means the
   * file is hashed on its first read, never that the write failed.
   */
  async #remember(path: string, written: FileInfo | undefined): Promise<void> {
    if (this.#verified === undefined || written?.ino === undefined) return;
    const info = await this.#fs.stat(path).catch(() => undefined);
    if (info?.ino === written.ino && info.size === written.size) this.#verified.add(path, info);
  }

  #ensureLayout(dir: string): Promise<void> {
    let ready = this.#created.get(dir);
    if (ready === undefined) {
      ready = (async () => {
        await this.#fs.mkdir(dir);
        await withLayoutLock(this.#fs, dir, () => openLayoutForWrite(this.#fs, dir));
      })();
      this.#created.set(dir, ready);
      // A failure is not remembered: the next write tries again.
      ready.catch(() => {
        if (this.#created.get(dir) === ready) this.#created.delete(dir);
      });
    }
    return ready;
  }

  async #writeBlob(
    dir: string,
    digest: string,
    bytes: Uint8Array,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const d = parseDigest(digest);
    const blobsDir = `${dir}/blobs/${d.algorithm}`;
    await this.#fs.mkdir(blobsDir);
    const tmp = await this.#fs.writeTemp(blobsDir, ReadableStream.from([bytes]), {
      signal,
      prefix: "blob.",
    });
    await this.#fs.rename(tmp, blobPath(dir, digest));
  }

  /** Read-modify-write of index.json under the lock, recording GC candidates. */
  async #update(
    dir: string,
    fn: (index: LayoutIndex) => Promise<{ index: LayoutIndex; removed: IndexEntry[] }>,
  ): Promise<void> {
    await withLayoutLock(this.#fs, dir, async () => {
      const index = await openLayoutForWrite(this.#fs, dir);
      const change = await fn(index);
      const kept = new Set(change.index.manifests.map((e) => e.digest));
      const roots = change.removed.filter((e) => !kept.has(e.digest));
      if (roots.length > 0) {
        await recordCandidates(this.#fs, dir, roots, this.#candidatesOf(dir));
      }
      await writeIndex(this.#fs, dir, change.index);
    });
  }

  /** Removes a referrer from the subject's fallback-tag index (under the lock). */
  async #removeReferrer(
    dir: string,
    index: LayoutIndex,
    subject: string,
    referrer: string,
  ): Promise<{ index: LayoutIndex; removed: IndexEntry[] }> {
    const tag = referrersFallbackTag(subject);
    const entry = index.manifests.find((e) =>
      e.annotations?.["org.opencontainers.image.ref.name"] === tag
    );
    const current = entry === undefined ? undefined : await this.#tryRead(dir, entry);
    if (current === undefined || !isIndex(current)) return { index, removed: [] };
    const manifests = current.json.manifests.filter((d) => d.digest !== referrer);
    if (manifests.length === current.json.manifests.length) return { index, removed: [] };
    if (manifests.length === 0) return removeTag(index, tag);
    const raw = new TextEncoder().encode(JSON.stringify({ ...current.json, manifests }));
    const m = parseManifest(raw, { mediaType: MediaType.OCI_INDEX });
    await this.#writeBlob(dir, m.digest, raw, undefined);
    return setEntry(index, tag, manifestDescriptor(m));
  }

  /** Adds a referrer to the subject's fallback-tag index (under the lock). */
  async #addReferrer(
    dir: string,
    index: LayoutIndex,
    subject: string,
    referrer: Manifest,
  ): Promise<{ index: LayoutIndex; removed: IndexEntry[] }> {
    const tag = referrersFallbackTag(subject);
    const entry = index.manifests.find((e) =>
      e.annotations?.["org.opencontainers.image.ref.name"] === tag
    );
    let base: IndexJson = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [] };
    if (entry !== undefined) {
      const current = await this.#tryRead(dir, entry);
      if (current !== undefined) {
        if (!isIndex(current) || current.mediaType !== MediaType.OCI_INDEX) {
          throw new ManifestInvalidError(
            `Cannot update referrers of "${subject}" in "${dir}": tag "${tag}" is not an OCI index; delete it and push again`,
          );
        }
        base = current.json;
      }
    }
    if (base.manifests.some((d) => d.digest === referrer.digest)) return { index, removed: [] };
    const json: IndexJson = {
      ...base,
      manifests: [...base.manifests, referrerDescriptor(referrer)],
    };
    const raw = new TextEncoder().encode(JSON.stringify(json));
    const m = parseManifest(raw, { mediaType: MediaType.OCI_INDEX });
    await this.#writeBlob(dir, m.digest, raw, undefined);
    return setEntry(index, tag, manifestDescriptor(m));
  }
}

function _ignoreNotFound(err: unknown): void {
  if (!(err instanceof NotFoundError)) throw err;
}

/**
 * Blob writes of the `ocidir` transport: a stream hashed while written, a
 * self-verifying stream, a temp file adopted after an upload, and a raw blob
 * hashed from its file as it grows. Nothing is committed into `blobs/`
 * unless its bytes match.
 *
 * @module
 */
import {
  AbortedError,
  DigestMismatchError,
  NotFoundError,
  SizeMismatchError,
} from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { type DigestAlgorithm, hasherFor, parseDigest } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import type { BlobPutOptions, CallOptions, RawBlob, RawPutOptions } from "../transport.ts";
import { type ByteSource, cancelRawBlob } from "../byte_source.ts";
import type { FileWriter } from "./file_system_types.ts";
import { checkSignal } from "../transport_checks.ts";
import { checkFile } from "./file_check.ts";
import { blobPath } from "./layout.ts";
import { openVerifiedFile } from "./verified_file_stream.ts";
import { layoutDir, layoutName, LayoutStore } from "./_layout_store.ts";

/**
 * While a raw blob is written, its file is flushed to disk every 16 MiB
 * (measured: the final flush of 4×64 MiB fell from ~190 ms to a few ms, and
 * the whole write got faster).
 */
const RAW_SYNC_EVERY = 16 * 1024 * 1024;

/** Options of {@link putBlob} (`OciDirTransport.blobPut`). */
export interface OciDirBlobPutOptions extends BlobPutOptions {
  /**
   * The body verifies itself against `digest` and `size` (it errors instead
   * of ending cleanly on a mismatch, like a transport's blob body): with
   * both given, it is written without hashing it again; only its length is
   * checked, and it is stored only when it ended cleanly.
   */
  verified?: boolean | undefined;
}

/** Options of {@link adoptBlob} (`OciDirTransport.blobAdopt`). */
export interface BlobAdoptOptions extends CallOptions {
  /** Digest the caller verified the temp file's bytes against. */
  digest: string;
  /** Size of the temp file. */
  size: number;
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
export async function putBlob(
  store: LayoutStore,
  ref: Ref,
  body: ReadableStream<Uint8Array>,
  options: OciDirBlobPutOptions = {},
): Promise<Descriptor> {
  let dir: string;
  let algorithm: DigestAlgorithm;
  try {
    checkSignal(options.signal, `push blob to "${layoutName(ref)}"`);
    dir = layoutDir(ref);
    algorithm = options.digest !== undefined ? parseDigest(options.digest).algorithm : "sha256";
    await store.ensureLayout(dir);
  } catch (err) {
    await body.cancel(err).catch(() => {});
    throw err;
  }
  const blobsDir = `${dir}/blobs/${algorithm}`;
  await store.fs.mkdir(blobsDir);
  const subject = `blob for "${layoutName(ref)}"`;
  const { digest: want, size } = options;
  if (options.verified === true && want !== undefined && size !== undefined) {
    const expected = { digest: want, size, signal: options.signal };
    return await _putVerified(store, dir, blobsDir, body, subject, expected);
  }
  // Loaded here: its class extends TransformStream, which loads Deno's web
  // streams, and a pull into a layout (raw blobs only) never needs them.
  const { VerifyStream } = await import("../../verify_stream.ts");
  const verify = new VerifyStream({
    algorithm,
    digest: options.digest,
    size: options.size,
    subject,
  });
  const tmp = await store.fs.writeTemp(blobsDir, body.pipeThrough(verify), {
    signal: options.signal,
    prefix: "blob.",
  });
  const digest = verify.digest;
  if (digest === undefined) {
    await store.fs.remove(tmp).catch(() => {});
    throw new AbortedError(`Cannot push blob to "${layoutName(ref)}": the stream did not finish`);
  }
  const target = blobPath(dir, digest);
  const written = store.verified ? await store.fs.stat(tmp) : undefined;
  await store.fs.rename(tmp, target);
  await store.remember(target, written);
  return { mediaType: MediaType.OCTET_STREAM, digest, size: verify.count };
}

/**
 * Stores a self-verifying body: written as is (the temp file is removed
 * when it errors), then its length is checked before the rename.
 */
async function _putVerified(
  store: LayoutStore,
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
  const tmp = await store.fs.writeTemp(blobsDir, body, {
    signal: options.signal,
    prefix: "blob.",
  });
  await store.commitTemp(tmp, target, size, subject);
  return { mediaType: MediaType.OCTET_STREAM, digest, size };
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
export async function adoptBlob(
  store: LayoutStore,
  ref: Ref,
  tmpPath: string,
  options: BlobAdoptOptions,
): Promise<Descriptor> {
  const desc = { mediaType: MediaType.OCTET_STREAM, digest: options.digest, size: options.size };
  try {
    checkSignal(options.signal, `push blob to "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    const target = blobPath(dir, options.digest);
    const info = await store.fs.stat(tmpPath);
    if (info === undefined || !info.isFile) {
      throw new NotFoundError(`Cannot store blob "${options.digest}": "${tmpPath}" is gone`);
    }
    if (info.size !== options.size) {
      throw new SizeMismatchError(`blob for "${layoutName(ref)}"`, options.size, info.size);
    }
    await store.ensureLayout(dir);
    const existing = await store.fs.stat(target);
    if (existing?.isFile === true && existing.size === options.size) return desc;
    await store.fs.mkdir(`${dir}/blobs/${parseDigest(options.digest).algorithm}`);
    const file = await store.fs.openAppend(tmpPath);
    try {
      await file.sync();
    } finally {
      file.close();
    }
    try {
      await store.fs.rename(tmpPath, target);
      await store.remember(target, info);
    } catch {
      // Another file system (EXDEV): copy, verifying again.
      const body = await openVerifiedFile(store.fs, tmpPath, options);
      return await putBlob(store, ref, body, options);
    }
    return desc;
  } finally {
    await store.fs.remove(tmpPath).catch(() => {});
  }
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
export async function putRawBlob(
  store: LayoutStore,
  ref: Ref,
  pending: RawBlob | Promise<RawBlob>,
  options: RawPutOptions = {},
): Promise<Descriptor> {
  const blob = await pending;
  let target: string;
  let blobsDir: string;
  let layoutReady: Promise<void>;
  try {
    checkSignal(options.signal, `push blob to "${layoutName(ref)}"`);
    const dir = layoutDir(ref);
    target = blobPath(dir, blob.digest);
    blobsDir = `${dir}/blobs/${parseDigest(blob.digest).algorithm}`;
    layoutReady = store.ensureLayout(dir);
    layoutReady.catch(() => {}); // awaited before the rename
    // A new layout's own files are written while the blob downloads.
    await store.blobTempDir(dir, blobsDir);
  } catch (err) {
    await cancelRawBlob(blob, err);
    throw err;
  }
  const subject = `blob for "${layoutName(ref)}"`;
  if (blob.source !== undefined) {
    return await _putFromSource(store, blob, blob.source, {
      target,
      blobsDir,
      layoutReady,
      subject,
    }, options);
  }
  // The bytes are hashed from the file as it grows, so the check ends
  // with the write; a failed check, or a layout that cannot be made, stops
  // the write.
  const stop = new AbortController();
  layoutReady.catch(() => stop.abort());
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let created: (path: string) => void = () => {};
  const tmpPath = new Promise<string>((resolve) => (created = resolve));
  const writing = store.fs.writeTemp(blobsDir, blob.body, {
    signal,
    prefix: "blob.",
    direct: true,
    onCreated: created,
  });
  // The temp file's path as soon as it exists; from the write itself when a
  // file system does not announce it; none when the write failed first.
  const path = Promise.race([tmpPath, writing.then((p) => p, () => undefined)]);
  const checking = path.then((path) =>
    path === undefined ? undefined : checkFile(store.fs, path, {
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
    await blob.body.cancel(err).catch(() => {}); // a write that failed before reading it
    await checking.catch(() => {});
    // A layout that could not be made stopped the write: its error is the cause.
    const layoutFailure = await layoutReady.then(() => undefined, (e: unknown) => ({ e }));
    throw layoutFailure?.e ?? checkError?.err ?? err;
  }
  try {
    await checking;
    await layoutReady;
  } catch (err) {
    await store.fs.remove(tmp).catch(() => {});
    throw err;
  }
  await store.commitTemp(tmp, target, blob.size, subject);
  return { mediaType: MediaType.OCTET_STREAM, digest: blob.digest, size: blob.size };
}

/** Bytes read from a byte source at once. */
const _SOURCE_PIECE = 1024 * 1024;

/** Where {@link _putFromSource} writes, as {@link putRawBlob} worked it out. */
interface _RawPlace {
  target: string;
  blobsDir: string;
  layoutReady: Promise<void>;
  subject: string;
}

/**
 * Stores a raw blob read from a byte source: each piece is hashed (Web
 * Crypto for a small blob, `node:crypto` otherwise: {@link hasherFor}) and
 * appended to a temp file on this thread (measured for a 4×64 MiB pull from
 * loopback: faster and less CPU than piping a web stream into the file and
 * hashing it again on a worker, and no worker to start). Every
 * {@link RAW_SYNC_EVERY} bytes the file is flushed through a second handle
 * while the reads go on (awaiting the flush stalled them; leaving it all to
 * the end cost ~90 ms over 4×64 MiB, the background flush ~20), then once
 * more at the end; it is renamed into place once its length and digest
 * check out.
 */
async function _putFromSource(
  store: LayoutStore,
  blob: RawBlob,
  source: ByteSource,
  place: _RawPlace,
  options: RawPutOptions,
): Promise<Descriptor> {
  const { subject } = place;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  place.layoutReady.catch(onAbort);
  // an abort also ends a read that waits on the network
  stop.signal.addEventListener("abort", () => void source.cancel(stop.signal.reason), {
    once: true,
  });
  let file: FileWriter | undefined;
  let flusher: FileWriter | undefined;
  let flushing: Promise<void> | undefined;
  let flushError: { err: unknown } | undefined;
  try {
    const hasher = await hasherFor(parseDigest(blob.digest).algorithm, blob.size);
    file = await store.fs.createTemp(place.blobsDir, { prefix: "blob." });
    if (blob.size > RAW_SYNC_EVERY) flusher = await store.fs.openAppend(file.path);
    const buf = new Uint8Array(Math.min(_SOURCE_PIECE, Math.max(blob.size, 1)));
    let count = 0;
    let flushedAt = 0;
    for (;;) {
      _checkStopped(stop.signal, options.signal, subject);
      const n = await source.read(buf);
      if (n === null) break;
      count += n;
      if (count > blob.size) throw new SizeMismatchError(subject, blob.size, count);
      const piece = buf.subarray(0, n);
      hasher.update(piece);
      await file.write(piece);
      options.onProgress?.(count);
      if (flusher !== undefined && flushing === undefined && count - flushedAt >= RAW_SYNC_EVERY) {
        // flushed through a second handle, so reads and writes go on meanwhile
        flushedAt = count;
        flushing = flusher.sync().then(
          () => void (flushing = undefined),
          (err) => void (flushError = { err }, flushing = undefined),
        );
      }
      if (flushError !== undefined) throw flushError.err;
    }
    _checkStopped(stop.signal, options.signal, subject);
    if (count !== blob.size) throw new SizeMismatchError(subject, blob.size, count);
    const got = await hasher.digest();
    if (got !== blob.digest) throw new DigestMismatchError(subject, blob.digest, got);
    await flushing;
    if (flushError !== undefined) throw flushError.err;
    await file.sync();
    await place.layoutReady;
  } catch (err) {
    await source.cancel(err);
    await flushing;
    _close(flusher);
    if (file !== undefined) {
      _close(file);
      await store.fs.remove(file.path).catch(() => {});
    }
    // A layout that could not be made stopped the copy: its error is the cause.
    const layoutFailure = await place.layoutReady.then(() => undefined, (e: unknown) => ({ e }));
    if (layoutFailure === undefined) checkSignal(options.signal, `write ${subject}`);
    throw layoutFailure?.e ?? err;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  _close(flusher);
  _close(file);
  await store.commitTemp(file.path, place.target, blob.size, subject);
  return { mediaType: MediaType.OCTET_STREAM, digest: blob.digest, size: blob.size };
}

/** Closes a file that may already be closed. */
function _close(file: FileWriter | undefined): void {
  try {
    file?.close();
  } catch {
    // already closed
  }
}

function _checkStopped(stop: AbortSignal, caller: AbortSignal | undefined, subject: string): void {
  if (caller?.aborted) checkSignal(caller, `write ${subject}`);
  if (stop.aborted) throw new AbortedError(`Cannot write ${subject}: the layout could not be made`);
}

/**
 * Verified reads of layout blobs for {@link file://./ocidir_transport.ts}:
 * a file still the one that was checked is served as is (optionally a
 * range), anything else through a stream verified against its digest and
 * size.
 *
 * @module
 */
import { NotFoundError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import type { BlobGetOptions, BlobReader } from "../transport.ts";
import { checkSignal } from "../transport_checks.ts";
import { blobPath } from "./layout.ts";
import { layoutDir, layoutName, type LayoutStore } from "./_layout_store.ts";
import { parseDigest } from "../../types/digest.ts";
import type { FileReader } from "./file_system_types.ts";
import { openVerifiedFile, sharedVerifiedStream } from "./verified_file_stream.ts";

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
  /**
   * Bytes read and hashed at once when the file must be verified, also for
   * a reader that brings no buffer (a server sending the body).
   * @default the verified stream's own sizes (256 KiB, 64 KiB for such a reader)
   */
  pieceSize?: number | undefined;
  /**
   * Hash a file that must be verified on the file system's other thread
   * (`FileSystem.hashPieces`), in `pieceSize` pieces, when it has one: a
   * server's own thread then only reads and sends. @default false
   */
  hashOffThread?: boolean | undefined;
}

/**
 * Opens a layout blob for reading (see `OciDirTransport.blobOpen`).
 *
 * @param store the layout store (file system, memory of checked files)
 * @param ref `ocidir` reference (the layout)
 * @param digest blob digest
 * @param options expected size, range, abort signal, error callback
 * @param head looks the blob up when its size is not known
 * @returns descriptor and body (consume or cancel it)
 * @throws {NotFoundError} when the blob does not exist
 * @throws {InvalidDigestError} when the digest is malformed
 */
export async function openLayoutBlob(
  store: LayoutStore,
  ref: Ref,
  digest: string,
  options: BlobOpenOptions,
  head: () => Promise<Descriptor>,
): Promise<BlobReader & { ranged?: boolean; offThread?: boolean }> {
  checkSignal(options.signal, `read blob "${digest}"`);
  const path = blobPath(layoutDir(ref), digest);
  const notFound = (err: unknown): never => {
    if (!(err instanceof NotFoundError)) throw err;
    throw new NotFoundError(`Cannot find blob "${digest}" in "${layoutName(ref)}"`, {
      cause: err,
    });
  };
  // With a memory of checked files, a file still the one that was checked
  // is served as Deno's own file stream, without hashing. What it is comes
  // from the open handle, so a file renamed over the path meanwhile is not
  // mistaken for the checked one.
  const opened = store.verified && store.fs.openFile
    ? await store.fs.openFile(path).catch(notFound)
    : undefined;
  const info = opened?.info;
  if (opened && !opened.info.isFile) {
    opened.close();
    notFound(new NotFoundError(`Cannot open "${path}": not a file`));
  }
  const descriptor = options.size === undefined
    ? (info?.isFile ? { mediaType: MediaType.OCTET_STREAM, digest, size: info.size } : await head())
    : { mediaType: MediaType.OCTET_STREAM, digest, size: options.size };
  if (opened && info?.size === descriptor.size && store.verified?.has(path, opened.info)) {
    const r = options.range;
    if (r !== undefined) return { descriptor, body: opened.slice(r.start, r.end), ranged: true };
    return { descriptor, body: opened.stream() };
  }
  const subject = `blob "${digest}" in "${layoutName(ref)}"`;
  const onError = (err: Error) => {
    store.verified?.delete(path);
    options.onError?.(err);
  };
  const onVerified = info === undefined ? undefined : () => store.verified?.add(path, info);
  const hasher = options.hashOffThread === true && options.pieceSize !== undefined
    ? await store.fs.hashPieces?.(parseDigest(digest).algorithm)
    : undefined;
  if (hasher !== undefined && options.pieceSize !== undefined) {
    let file: FileReader;
    try {
      file = opened?.reader() ?? await store.fs.openReader(path);
    } catch (err) {
      hasher.stop();
      return notFound(err);
    }
    const body = sharedVerifiedStream(file, hasher, {
      digest,
      size: descriptor.size,
      subject,
      pieceSize: options.pieceSize,
      onError,
      onVerified,
    });
    return { descriptor, body, offThread: true };
  }
  let body: ReadableStream<Uint8Array>;
  try {
    body = await openVerifiedFile(store.fs, path, {
      digest,
      size: descriptor.size,
      subject,
      reader: opened?.reader(),
      chunkSize: options.pieceSize,
      autoChunkSize: options.pieceSize,
      onError,
      onVerified,
    });
  } catch (err) {
    notFound(err);
    throw err;
  }
  return { descriptor, body };
}

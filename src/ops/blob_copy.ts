/**
 * Copying one blob between two transports: skipped when the target has it
 * (or both sides are the same repository), mounted when both sides are
 * repositories of the same registry, else streamed source → target through
 * `blobPut` with the expected digest and size, never held whole.
 *
 * @module
 */
import {
  type BlobReader,
  isRawBlobSource,
  isRawBlobTarget,
  type RawBlob,
  type Transport,
} from "../transport/transport.ts";
import { AbortedError, NotFoundError } from "../errors.ts";
import { commonName, equalRegistry, equalRepository, type Ref } from "../types/ref.ts";
import type { CopyEvent, CopyHooks, CopySource, CopyTarget } from "./copy_endpoint.ts";
import { wrapCopyError } from "./copy_error.ts";
import { cancelRawBlob, countedSource, rawBlobFromSource } from "../transport/byte_source.ts";

/** Options of {@link copyBlob}. */
export interface CopyBlobOptions extends CopyHooks {
  /** Expected size, when known from a descriptor. */
  size?: number | undefined;
  /** Media type, for progress events. */
  mediaType?: string | undefined;
  /** Cancels the copy. */
  signal?: AbortSignal | undefined;
  /**
   * Smallest blob moved raw (see {@link RAW_COPY_MIN_BYTES}); `Infinity`
   * turns the raw path off. @default RAW_COPY_MIN_BYTES
   */
  rawMinBytes?: number | undefined;
}

/**
 * Smallest blob copied raw (1 MiB): when both transports can (a layout
 * file, a registry body), the bytes go from source to target without
 * passing through JavaScript, and the target checks them before it commits
 * (see `RawBlobTarget`). Progress then comes from the target when it can
 * tell (a layout), else once per blob. Smaller blobs take the streamed
 * path, which checks them on the way, unless the source offers byte sources
 * and the target takes them (a registry into a layout): then every blob
 * goes raw.
 */
export const RAW_COPY_MIN_BYTES = 1024 * 1024;

/** What {@link copyBlob} did. */
export interface CopyBlobResult {
  /** The blob's digest. */
  digest: string;
  /** `copied` (bytes streamed), `exists`, `mounted` or `same-repository`. */
  action: "copied" | "exists" | "mounted" | "same-repository";
  /** Bytes streamed (0 unless copied). */
  bytes: number;
}

/** The registry transport's extra `blobPut` options (a structural type, no import). */
interface _MountOptions {
  mountFrom?: string | undefined;
  verified?: boolean | undefined;
  skipHead?: boolean | undefined;
}

/**
 * Copies one blob.
 *
 * @param src source repository (tag and digest ignored)
 * @param dst target repository (tag and digest ignored)
 * @param digest the blob's digest
 * @param options expected size, progress hooks, cancellation
 * @returns what was done
 * @throws {CopyError} with `side` naming the failing end (code of the cause, e.g. `NOT_FOUND`)
 * @throws {AbortedError} when cancelled
 *
 * @example Copy a blob between two repositories of a memory transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { copyBlob } from "./blob_copy.ts";
 * const t = new MemoryTransport();
 * const a = parseRef("example.com/a"), b = parseRef("example.com/b");
 * const d = await t.blobPut(a, ReadableStream.from([new TextEncoder().encode("hi")]));
 * const r = await copyBlob({ transport: t, ref: a }, { transport: t, ref: b }, d.digest);
 * assert.equal(r.action, "copied");
 * assert.equal((await t.blobHead(b, d.digest)).size, 2);
 * ```
 */
export async function copyBlob(
  src: CopySource,
  dst: CopyTarget,
  digest: string,
  options: CopyBlobOptions = {},
): Promise<CopyBlobResult> {
  const { signal } = options;
  const event: CopyEvent = {
    kind: "blob",
    digest,
    size: options.size ?? -1,
    mediaType: options.mediaType,
  };
  if (src.transport === dst.transport && equalRepository(src.ref, dst.ref)) {
    options.onSkip?.(event, "same-repository");
    return { digest, action: "same-repository", bytes: 0 };
  }
  if (await _exists(dst.transport, dst.ref, digest, signal)) {
    options.onSkip?.(event, "exists");
    return { digest, action: "exists", bytes: 0 };
  }
  const mount = _mountSource(src, dst);
  options.onStart?.(event);
  if (mount === undefined && await _copyRaw(src, dst, event, options)) {
    options.onDone?.(event);
    return { digest, action: "copied", bytes: options.size ?? 0 };
  }
  const state: _SourceState = { opened: false, error: undefined, bytes: 0 };
  const onBytes = (n: number) => options.onProgress?.(event, n);
  // Without a mount the target always reads the body: open the source now
  // (a byte stream is then passed on as one). A mount may need no source.
  const body = mount !== undefined
    ? _lazyBody(src, digest, state, onBytes, options)
    : await _openedBody(src, digest, state, onBytes, options);
  // The source body is verified by its transport (the Transport contract),
  // and the target was just found to lack the blob.
  const putOptions: Parameters<Transport["blobPut"]>[2] & _MountOptions = {
    digest,
    size: options.size,
    signal,
    verified: true,
    skipHead: true,
  };
  if (mount !== undefined) putOptions.mountFrom = mount;
  try {
    await dst.transport.blobPut(dst.ref, body, putOptions);
  } catch (err) {
    // A target that failed before reading must not leave the source open
    // (a stream it still holds is locked, and this is a no-op).
    await body.cancel(err).catch(() => {});
    if (state.error !== undefined) {
      throw wrapCopyError(state.error, "get blob", "source", `${_name(src.ref)}@${digest}`);
    }
    throw wrapCopyError(err, "put blob", "destination", `${_name(dst.ref)}@${digest}`);
  }
  if (!state.opened) {
    const reason = mount !== undefined ? "mounted" : "exists";
    options.onSkip?.(event, reason);
    return { digest, action: reason, bytes: 0 };
  }
  options.onDone?.(event);
  return { digest, action: "copied", bytes: state.bytes };
}

/**
 * Copy's fast path: the source's raw stream straight into the target, which
 * checks it before it commits. Any failure other than a cancel leaves the
 * blob to the streamed path (which resumes broken downloads, checks bytes
 * on the way and names the failing side precisely).
 *
 * @returns true when the blob was copied
 * @throws {AbortedError} when cancelled
 */
async function _copyRaw(
  src: CopySource,
  dst: CopyTarget,
  event: CopyEvent,
  options: CopyBlobOptions,
): Promise<boolean> {
  const digest = event.digest;
  const size = options.size;
  const s = src.transport;
  const t = dst.transport;
  if (!isRawBlobSource(s) || !isRawBlobTarget(t)) return false;
  // Read through a byte source, a small blob is checked as cheaply as on the
  // streamed path, without loading Deno's fetch and stream modules.
  const direct = t.takesByteSources === true && s.offersByteSources?.(src.ref) === true;
  const minBytes = options.rawMinBytes ?? (direct ? 0 : RAW_COPY_MIN_BYTES);
  if (
    size === undefined || size < minBytes || s.canGetRaw?.(src.ref) === false ||
    !t.canPutRaw(dst.ref)
  ) {
    return false;
  }
  const { signal } = options;
  const progress = options.onProgress;
  // The target may start its upload while the source opens the blob.
  const opened: Promise<RawBlob> = s.blobGetRaw(src.ref, digest, {
    size,
    signal,
    byteSource: direct,
  });
  // With a progress hook, bytes are also counted as the target reads them,
  // for a target that cannot tell its own progress (a registry); the larger
  // count is told, so it only grows.
  let best = 0;
  const tell = (n: number): void => {
    if (n <= best) return;
    best = n;
    progress?.(event, n);
  };
  const raw = progress === undefined
    ? opened
    : opened.then((r) =>
      r.source !== undefined
        ? rawBlobFromSource(r.digest, r.size, countedSource(r.source, tell))
        : { ...r, body: r.body.pipeThrough(_counter(tell)) }
    );
  raw.catch(() => {}); // a failure is handled below, whenever the target looks at it
  try {
    await t.blobPutRaw(dst.ref, raw, { signal, onProgress: progress && tell });
    tell(size);
    return true;
  } catch (err) {
    await raw.then((r) => cancelRawBlob(r, err)).catch(() => {});
    if (err instanceof AbortedError) throw err;
    if (signal?.aborted) {
      throw new AbortedError(`Cannot copy blob "${digest}": the copy was cancelled`, {
        cause: err,
      });
    }
    options.onFallback?.(event, err);
    return false;
  }
}

/**
 * Tells whether a blob exists in the target (HEAD).
 *
 * @param t target transport
 * @param ref target repository
 * @param digest blob digest
 * @param signal cancellation
 * @returns true when it exists
 * @throws {CopyError} when the HEAD fails for another reason than "not found"
 */
async function _exists(
  t: Transport,
  ref: Ref,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    // found: the manifest about to be written references it (a layout keeps it until close)
    await t.blobHead(ref, digest, { signal, forWrite: true });
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw wrapCopyError(err, "head blob", "destination", `${_name(ref)}@${digest}`);
  }
}

/** Repository to mount from: both sides registry repositories of one registry. */
function _mountSource(src: CopySource, dst: CopyTarget): string | undefined {
  if (src.ref.scheme !== "reg" || dst.transport.scheme !== "reg") return undefined;
  if (!equalRegistry(src.ref, dst.ref) || equalRepository(src.ref, dst.ref)) return undefined;
  return src.ref.repository;
}

interface _SourceState {
  opened: boolean;
  error: unknown;
  bytes: number;
}

/** A pass-through stream telling the running byte count. */
function _counter(tell: (bytes: number) => void): TransformStream<Uint8Array, Uint8Array> {
  let bytes = 0;
  return new TransformStream({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      tell(bytes);
      controller.enqueue(chunk);
    },
  });
}

/** Chunk size handed to a reader of a copied blob that brings no buffer. */
const PIECE_BYTES = 64 * 1024;

/**
 * A stream that opens the source blob only when first read (so a mount by
 * the target costs no source request), counting bytes.
 */
function _lazyBody(
  src: CopySource,
  digest: string,
  state: _SourceState,
  progress: (done: number) => void,
  options: CopyBlobOptions,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (reader === undefined) {
          state.opened = true;
          reader = (await _open(src, digest, options)).getReader();
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        state.bytes += value.byteLength;
        progress(state.bytes);
        controller.enqueue(value);
      } catch (err) {
        state.error = err;
        controller.error(err);
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

/**
 * Opens the source blob now and passes it on, counting bytes. A byte-stream
 * source stays a byte stream: a target reading with its own buffer (BYOB)
 * has the source read straight into it, so no chunk is allocated on the way.
 *
 * @throws {CopyError} when the source cannot be opened (side `source`)
 */
async function _openedBody(
  src: CopySource,
  digest: string,
  state: _SourceState,
  progress: (done: number) => void,
  options: CopyBlobOptions,
): Promise<ReadableStream<Uint8Array>> {
  const body = await _open(src, digest, options);
  const counted = (n: number): void => {
    state.opened = true;
    state.bytes += n;
    progress(state.bytes);
  };
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    const reader = body.getReader(); // not a byte stream: pass its chunks on
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            state.opened = true;
            controller.close();
            return;
          }
          counted(value.byteLength);
          controller.enqueue(value);
        } catch (err) {
          state.error = err;
          controller.error(err);
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 });
  }
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: PIECE_BYTES,
    async pull(controller: ReadableByteStreamController) {
      try {
        const request = controller.byobRequest;
        const view = request?.view;
        if (!request || !view) throw new TypeError("byte stream pulled without a buffer");
        // The read takes the buffer over and hands it back filled.
        const r = await byob.read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
        if (r.done) {
          state.opened = true;
          controller.close();
          if (r.value !== undefined) request.respondWithNewView(r.value);
          return;
        }
        counted(r.value.byteLength);
        request.respondWithNewView(r.value);
      } catch (err) {
        state.error = err;
        controller.error(err);
      }
    },
    async cancel(reason: unknown) {
      await byob.cancel(reason).catch(() => {});
    },
  });
}

/** Opens the source blob's verified body. */
async function _open(
  src: CopySource,
  digest: string,
  options: CopyBlobOptions,
): Promise<ReadableStream<Uint8Array>> {
  try {
    const blob: BlobReader = await src.transport.blobGet(src.ref, digest, {
      size: options.size,
      signal: options.signal,
    });
    return blob.body;
  } catch (err) {
    throw wrapCopyError(err, "get blob", "source", `${_name(src.ref)}@${digest}`);
  }
}

function _name(ref: Ref): string {
  return commonName({ ...ref, tag: "", digest: "" });
}

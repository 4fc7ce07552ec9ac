/**
 * Byte sources: bytes read straight into the caller's buffer, with no web
 * stream between (a registry answer read off its connection). Copy's fast
 * path moves big blobs through them: a web stream costs a fresh array and a
 * few promises per piece, and loading Deno's stream and fetch modules costs
 * the main thread 10–20 ms before the first byte.
 *
 * @module
 */
import type { RawBlob } from "./transport.ts";

/** Bytes read into a buffer the caller owns. */
export interface ByteSource {
  /**
   * Reads the next bytes into `p` (at least one, unless at the end).
   * @param p where to put them
   * @returns how many were put, or null at the end
   * @throws what the source met (a connection that closed too soon)
   */
  read(p: Uint8Array): Promise<number | null>;
  /**
   * Stops reading and lets the source go; later reads answer null.
   * @param reason why
   * @returns when released; never rejects
   */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * A raw blob read through a byte source. Its `body` stream is built from
 * the source only if someone asks for it; read from one or the other.
 *
 * @param digest the blob's digest
 * @param size the blob's size
 * @param source its bytes
 * @returns the raw blob
 *
 * @example A stream is built only when asked for
 * ```ts
 * import assert from "node:assert/strict";
 * import { rawBlobFromSource } from "./byte_source.ts";
 * let sent = false;
 * const blob = rawBlobFromSource("sha256:00", 1, {
 *   read: (p) => {
 *     if (sent) return Promise.resolve(null);
 *     sent = true;
 *     p[0] = 7;
 *     return Promise.resolve(1);
 *   },
 *   cancel: () => Promise.resolve(),
 * });
 * assert.deepEqual(await new Response(blob.body).bytes(), new Uint8Array([7]));
 * ```
 */
export function rawBlobFromSource(digest: string, size: number, source: ByteSource): RawBlob {
  let body: ReadableStream<Uint8Array> | undefined;
  return {
    digest,
    size,
    source,
    get body(): ReadableStream<Uint8Array> {
      return body ??= byteSourceStream(source);
    },
  };
}

/** Largest piece a stream built by {@link byteSourceStream} reads at once. */
const _STREAM_PIECE = 256 * 1024;

/**
 * A web stream of a byte source's bytes (for consumers that take streams).
 *
 * @param source the bytes
 * @returns the stream; cancelling it cancels the source
 */
export function byteSourceStream(source: ByteSource): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(_STREAM_PIECE);
      const n = await source.read(buf);
      if (n === null) controller.close();
      else controller.enqueue(buf.subarray(0, n));
    },
    cancel: (reason) => source.cancel(reason),
  }, { highWaterMark: 0 });
}

/**
 * A byte source that reports the running count of bytes read.
 *
 * @param source the bytes
 * @param onCount hears the total after each read
 * @returns the counting source
 */
export function countedSource(source: ByteSource, onCount: (total: number) => void): ByteSource {
  let total = 0;
  return {
    async read(p) {
      const n = await source.read(p);
      if (n !== null) onCount(total += n);
      return n;
    },
    cancel: (reason) => source.cancel(reason),
  };
}

/**
 * Cancels a raw blob's bytes through its source when it has one (building
 * no stream), else through its body.
 *
 * @param blob the raw blob
 * @param reason why
 * @returns when cancelled; never rejects
 */
export async function cancelRawBlob(blob: RawBlob, reason?: unknown): Promise<void> {
  if (blob.source !== undefined) return await blob.source.cancel(reason);
  await blob.body.cancel(reason).catch(() => {});
}

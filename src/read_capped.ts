/**
 * Reads a whole byte stream into memory under a size cap (manifests, configs,
 * JSON bodies from files, stdin and the network). The one bounded reader of
 * the project.
 *
 * @module
 */
import { SizeLimitError } from "./errors.ts";
import { concatBytes } from "./bytes.ts";
import { MANIFEST_READ_LIMIT } from "./types/manifest.ts";
import type { Ref } from "./types/ref.ts";

/**
 * Reads a stream to the end, failing as soon as it passes `limit` bytes. The
 * stream is consumed or cancelled.
 *
 * @param body the bytes
 * @param limit the cap in bytes
 * @param subject names the content in the error, e.g. `manifest from stdin`
 * @returns the bytes
 * @throws {SizeLimitError} when the stream is longer than `limit`
 *
 * @example Under the cap
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCapped } from "./read_capped.ts";
 * const bytes = await readCapped(ReadableStream.from([new Uint8Array([1, 2])]), 2, "test");
 * assert.equal(bytes.byteLength, 2);
 * ```
 */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  subject: string,
): Promise<Uint8Array> {
  const { bytes, over } = await _read(body, limit, true);
  if (over) throw new SizeLimitError(subject, limit);
  return bytes;
}

/**
 * Reads at most `limit` bytes of a stream and cancels the rest (for error
 * bodies, where a truncated text is good enough).
 *
 * @param body the bytes
 * @param limit most bytes kept
 * @returns the first `limit` bytes or fewer
 * @throws whatever the stream errors with
 */
export async function readUpTo(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array> {
  return (await _read(body, limit, false)).bytes;
}

async function _read(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  strict: boolean,
): Promise<{ bytes: Uint8Array; over: boolean }> {
  if (!body) return { bytes: new Uint8Array(), over: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - total;
      if (value.byteLength > room || (!strict && value.byteLength === room)) {
        chunks.push(value.subarray(0, room));
        total += room;
        await reader.cancel().catch(() => {});
        if (strict) return { bytes: new Uint8Array(), over: true };
        break;
      }
      chunks.push(value);
      total += value.byteLength;
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  return { bytes: concatBytes(chunks, total), over: false };
}

/** What {@link readBlobCapped} needs from a transport or client. */
export interface CappedBlobSource {
  /** Opens a verified blob stream. */
  blobGet(
    ref: Ref,
    digest: string,
    options?: { size?: number | undefined; signal?: AbortSignal | undefined },
  ): Promise<{ body: ReadableStream<Uint8Array> }>;
}

/**
 * Reads a small blob (an image config, a JSON document) whole, verified by
 * the transport and capped like a manifest read (8 MiB).
 *
 * @param source a transport or client
 * @param ref the repository
 * @param options digest, size when known, abort signal, cap
 * @returns the bytes
 * @throws {SizeLimitError} when the blob is over the cap
 * @throws {NotFoundError} when it does not exist
 */
export async function readBlobCapped(
  source: CappedBlobSource,
  ref: Ref,
  options: {
    digest: string;
    size?: number | undefined;
    signal?: AbortSignal | undefined;
    limit?: number;
  },
): Promise<Uint8Array> {
  const r = await source.blobGet(ref, options.digest, {
    size: options.size,
    signal: options.signal,
  });
  return await readCapped(
    r.body,
    options.limit ?? MANIFEST_READ_LIMIT,
    `config "${options.digest}"`,
  );
}

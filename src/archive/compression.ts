/**
 * Compression of layer and archive streams: detection by magic bytes, gzip
 * (node:zlib, multi-member) and zstd (node:zlib both ways; reading goes frame
 * by frame through {@link ZstdFrameSplitter}, since the native decoder stops
 * after one frame). Every decoder errors on truncated input.
 *
 * @module
 */
import { createGunzip, createGzip, createZstdCompress, createZstdDecompress } from "node:zlib";
import { ArchiveError } from "./archive_error.ts";
import { ZstdFrameSplitter } from "./zstd_frames.ts";

/** A compression ocictl reads and writes. */
export type Compression = "gzip" | "zstd" | "none";

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * Detects the compression of data from its first bytes.
 *
 * @param head the first bytes (4 are enough)
 * @returns `gzip`, `zstd`, or `none` for anything else
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectCompression } from "./compression.ts";
 * assert.equal(detectCompression(new Uint8Array([0x1f, 0x8b, 8, 0])), "gzip");
 * assert.equal(detectCompression(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd])), "zstd");
 * assert.equal(detectCompression(new TextEncoder().encode("abc")), "none");
 * ```
 */
export function detectCompression(head: Uint8Array): Compression {
  if (GZIP_MAGIC.every((b, i) => head[i] === b)) return "gzip";
  if (ZSTD_MAGIC.every((b, i) => head[i] === b)) return "zstd";
  return "none";
}

/** Minimal shape of a node:zlib stream used here. */
interface _NodeZ {
  on(event: "data", fn: (chunk: Uint8Array) => void): unknown;
  on(event: "error", fn: (err: Error) => void): unknown;
  once(event: "end", fn: () => void): unknown;
  write(chunk: Uint8Array, cb: (err?: Error | null) => void): boolean;
  end(): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(): unknown;
}

/**
 * Compressed input is fed in pieces of at most this size, and the decoders
 * (and the zstd encoder) hand out chunks of this size. Every write through a
 * node:zlib stream leaves some garbage on the heap whatever its size; on a
 * 1 GiB layer, 64 KiB instead of node's 16 KiB took the heap's peak during
 * `image mod --layer-time` from about 30 to 15 MiB.
 */
const _PIECE = 64 * 1024;
/** Output one piece may make before the next piece is halved (data that expands a lot). */
const _BURST = 1024 * 1024;

/**
 * A node zlib stream as a web transform pair with backpressure both ways:
 * the zlib stream is paused while the output queue is full, and input waits
 * for `drain`, so memory stays bounded even for data that expands a
 * thousandfold (a gzip of zeros).
 */
function _fromNode(
  z: _NodeZ,
  subject: string,
  action: "compress" | "decompress",
): TransformStream<Uint8Array, Uint8Array> {
  // Decompression feeds small pieces, smaller still while each one expands to
  // more than a burst (a gzip of zeros grows a thousandfold).
  let piece = action === "decompress" ? _PIECE : Infinity;
  let produced = 0;
  let failure: unknown;
  const wrap = (err: unknown): ArchiveError =>
    err instanceof ArchiveError ? err : new ArchiveError(
      subject,
      `Cannot ${action} ${subject}: ${
        (err as Error)?.message ?? String(err)
      } (the data is truncated or corrupt)`,
      { cause: err },
    );
  let fail: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {});
  z.on("error", (err) => {
    failure ??= wrap(err);
    fail(failure);
  });
  let out: ReadableStreamDefaultController<Uint8Array> | undefined;
  const room: (() => void)[] = [];
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      out = controller;
      z.on("data", (chunk) => {
        if (failure !== undefined) return;
        produced += chunk.byteLength;
        // no copy: zlib hands out each region of its output buffer once
        // (it allocates a new buffer when one is full), as in Node
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) z.pause();
      });
      z.once("end", () => {
        if (failure === undefined) controller.close();
      });
      failed.catch((err) => controller.error(err));
    },
    pull() {
      z.resume();
      for (const wake of room.splice(0)) wake();
    },
    cancel() {
      z.destroy();
    },
  }, { highWaterMark: 4 });
  // Each piece waits for its write callback and for room in the output
  // queue: memory stays bounded even where the runtime's zlib does not hold
  // back its callbacks, and the end always comes after every write (zlib then
  // finishes with an empty chunk, so the bytes never depend on timing).
  const writeOne = async (piece: Uint8Array) => {
    await Promise.race([
      failed,
      new Promise<void>((resolve, reject) =>
        z.write(piece, (err) => err ? reject(failure ?? wrap(err)) : resolve())
      ),
    ]);
    while ((out?.desiredSize ?? 1) <= 0 && failure === undefined) {
      await Promise.race([failed, new Promise<void>((resolve) => room.push(resolve))]);
    }
  };
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (failure !== undefined) throw failure;
      for (let at = 0; at < chunk.byteLength;) {
        const n = Math.min(piece, chunk.byteLength - at);
        produced = 0;
        await writeOne(chunk.subarray(at, at + n));
        at += n;
        if (piece !== Infinity) {
          if (produced > _BURST) piece = Math.max(256, piece >> 1);
          else if (produced < _BURST / 4) piece = Math.min(_PIECE, piece * 2);
        }
      }
    },
    async close() {
      if (failure !== undefined) throw failure;
      const ended = new Promise<void>((resolve) => z.once("end", resolve));
      z.end();
      await Promise.race([ended, failed]);
    },
    abort(reason) {
      failure ??= reason;
      try {
        out?.error(reason);
      } catch {
        // already closed or errored
      }
      z.destroy();
    },
  });
  return { readable, writable };
}

/**
 * A {@link _NodeZ} that decodes a stream of zstd frames with a fresh native
 * decoder per frame (the native decoder alone stops after the first frame and
 * takes a truncated frame silently). {@link ZstdFrameSplitter} finds the frame
 * boundaries and refuses a stream that ends inside a frame; frames run one
 * after the other, so their output keeps its order.
 */
class _ZstdFrames implements _NodeZ {
  readonly #split: ZstdFrameSplitter;
  readonly #onData: ((chunk: Uint8Array) => void)[] = [];
  readonly #onError: ((err: Error) => void)[] = [];
  readonly #onEnd: (() => void)[] = [];
  /** The decoder of the frame being read. */
  #z: _NodeZ | undefined;
  #paused = false;
  #failed = false;

  constructor(subject: string) {
    this.#split = new ZstdFrameSplitter(subject);
  }

  on(event: "data" | "error", fn: ((chunk: Uint8Array) => void) | ((err: Error) => void)): this {
    if (event === "data") this.#onData.push(fn as (chunk: Uint8Array) => void);
    else this.#onError.push(fn as (err: Error) => void);
    return this;
  }

  once(_event: "end", fn: () => void): this {
    this.#onEnd.push(fn);
    return this;
  }

  write(chunk: Uint8Array, cb: (err?: Error | null) => void): boolean {
    this.#feed(chunk).then(() => cb(), (err) => cb(this.#error(err)));
    return true;
  }

  end(): this {
    try {
      this.#split.finish();
    } catch (err) {
      this.#error(err);
      return this;
    }
    for (const fn of this.#onEnd.splice(0)) fn();
    return this;
  }

  pause(): this {
    this.#paused = true;
    this.#z?.pause();
    return this;
  }

  resume(): this {
    this.#paused = false;
    this.#z?.resume();
    return this;
  }

  destroy(): this {
    this.#failed = true;
    this.#z?.destroy();
    return this;
  }

  #open(): _NodeZ {
    const z = createZstdDecompress({ chunkSize: _PIECE }) as unknown as _NodeZ;
    z.on("data", (chunk) => {
      for (const fn of this.#onData) fn(chunk);
    });
    z.on("error", (err) => this.#error(err));
    if (this.#paused) z.pause();
    return z;
  }

  async #feed(chunk: Uint8Array): Promise<void> {
    for (const seg of this.#split.push(chunk)) {
      if (this.#failed) return;
      const z = this.#z ??= this.#open();
      if (seg.bytes.byteLength > 0) {
        await new Promise<void>((resolve, reject) =>
          z.write(seg.bytes, (err) => err ? reject(err) : resolve())
        );
      }
      if (seg.frameEnd) {
        await new Promise<void>((resolve) => {
          z.once("end", resolve);
          z.end();
        });
        this.#z = undefined;
      }
    }
  }

  #error(err: unknown): Error {
    const e = err instanceof Error ? err : new Error(String(err));
    if (!this.#failed) {
      this.#failed = true;
      this.#z?.destroy();
      for (const fn of this.#onError) fn(e);
    }
    return e;
  }
}

/**
 * A stream that decompresses data of the given compression.
 *
 * @param compression the compression of the input
 * @param subject names the data in error messages (`layer "sha256:…"`)
 * @returns a transform (identity for `none`) that errors with {@link ArchiveError} on bad input
 */
export function decompressor(
  compression: Compression,
  subject = "data",
): TransformStream<Uint8Array, Uint8Array> {
  switch (compression) {
    case "gzip":
      return _fromNode(
        createGunzip({ chunkSize: _PIECE }) as unknown as _NodeZ,
        subject,
        "decompress",
      );
    case "zstd":
      return _fromNode(new _ZstdFrames(subject), subject, "decompress");
    default:
      return new TransformStream<Uint8Array, Uint8Array>();
  }
}

/**
 * A stream that compresses data (gzip level 6 by default, zstd level 3).
 *
 * @param compression the output compression (`none` is the identity)
 * @returns the transform
 */
export function compressor(compression: Compression): TransformStream<Uint8Array, Uint8Array> {
  switch (compression) {
    case "gzip":
      return _fromNode(createGzip() as unknown as _NodeZ, "data", "compress");
    case "zstd":
      return _fromNode(
        createZstdCompress({ chunkSize: _PIECE }) as unknown as _NodeZ,
        "data",
        "compress",
      );
    default:
      return new TransformStream<Uint8Array, Uint8Array>();
  }
}

/**
 * Reads the first bytes of a stream to detect its compression, and returns
 * the decompressed stream (the bytes read are not lost).
 *
 * @param body the possibly compressed bytes (consumed)
 * @param subject names the data in error messages
 * @returns the detected compression and the plain bytes
 * @throws {ArchiveError} from the returned stream, for truncated or corrupt data
 *
 * @example Plain data passes through
 * ```ts
 * import assert from "node:assert/strict";
 * import { openDecompressed } from "./compression.ts";
 * const r = await openDecompressed(ReadableStream.from([new TextEncoder().encode("hi")]));
 * assert.equal(r.compression, "none");
 * assert.equal(await new Response(r.body).text(), "hi");
 * ```
 */
export async function openDecompressed(
  body: ReadableStream<Uint8Array>,
  subject = "data",
): Promise<{ compression: Compression; body: ReadableStream<Uint8Array> }> {
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  let n = 0;
  let done = false;
  try {
    while (n < 4) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        break;
      }
      head.push(r.value);
      n += r.value.byteLength;
    }
  } catch (err) {
    reader.releaseLock();
    await body.cancel(err).catch(() => {});
    throw err;
  }
  const first = new Uint8Array(n);
  let at = 0;
  for (const c of head) {
    first.set(c, at);
    at += c.byteLength;
  }
  const compression = detectCompression(first);
  const joined = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.byteLength > 0) controller.enqueue(first);
      if (done) controller.close();
    },
    async pull(controller) {
      try {
        const r = await reader.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
    },
  });
  return { compression, body: joined.pipeThrough(decompressor(compression, subject)) };
}

/**
 * A byte source over bytes in memory, for tests of code that reads byte
 * sources (`src/transport/byte_source.ts`).
 *
 * @module
 */
import type { ByteSource } from "../src/transport/byte_source.ts";

/** A byte source that records why it was cancelled. */
export interface TestByteSource extends ByteSource {
  /** The reasons it was cancelled with, in order. */
  readonly cancelled: unknown[];
  /** How many times it was cancelled. */
  readonly cancels: number;
}

/**
 * A byte source of `bytes`, at most `piece` bytes per read.
 *
 * @param bytes what it reads out
 * @param piece most bytes a read gives
 * @returns the source
 */
export function bytesSource(bytes: Uint8Array, piece = 64 * 1024): TestByteSource {
  let at = 0;
  const cancelled: unknown[] = [];
  return {
    cancelled,
    get cancels() {
      return cancelled.length;
    },
    read(p) {
      if (at >= bytes.byteLength) return Promise.resolve(null);
      const n = Math.min(p.byteLength, piece, bytes.byteLength - at);
      p.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
    cancel(reason) {
      cancelled.push(reason);
      return Promise.resolve();
    },
  };
}

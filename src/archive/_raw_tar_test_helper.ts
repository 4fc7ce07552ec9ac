/**
 * Test-only: builds raw tars (no safety checks, unlike the sample layer
 * builder) so tests can feed hostile names and links, plus gzip and zstd
 * helpers.
 *
 * @module
 */
import { createTarPacker, type TarHeader } from "modern-tar";
import { gzipSync, zstdCompressSync } from "node:zlib";

/** One raw entry: a header (name, type, linkname) and an optional body. */
export interface _RawEntry {
  /** Entry name as stored (may be hostile). */
  name: string;
  /** Entry type. @default "file" */
  type?: TarHeader["type"];
  /** Body (files only). */
  content?: string | Uint8Array;
  /** Link target. */
  linkname?: string;
  /** Mode. */
  mode?: number;
}

/**
 * Packs raw entries into a tar.
 * @param entries the entries, in order
 * @returns the tar bytes
 */
export async function _rawTar(entries: readonly _RawEntry[]): Promise<Uint8Array> {
  const { readable, controller } = createTarPacker();
  const done = new Response(readable).bytes();
  for (const e of entries) {
    const body = typeof e.content === "string"
      ? new TextEncoder().encode(e.content)
      : (e.content ?? new Uint8Array(0));
    const w = controller.add({
      name: e.name,
      type: e.type ?? "file",
      size: (e.type ?? "file") === "file" ? body.byteLength : 0,
      mode: e.mode ?? 0o644,
      mtime: new Date(0),
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
    }).getWriter();
    if (body.byteLength > 0) await w.write(body);
    await w.close();
  }
  controller.finalize();
  return await done;
}

/**
 * gzip bytes.
 * @param bytes input
 * @returns gzip data
 */
export function _gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/**
 * zstd bytes, optionally as several frames.
 * @param bytes input
 * @param frames number of frames to split into
 * @returns zstd data
 */
export function _zstd(bytes: Uint8Array, frames = 1): Uint8Array {
  const parts: Uint8Array[] = [];
  const step = Math.ceil(bytes.byteLength / frames);
  for (let i = 0; i < frames; i++) {
    parts.push(new Uint8Array(zstdCompressSync(bytes.subarray(i * step, (i + 1) * step))));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * A stream of bytes in small chunks (to cross frame and header boundaries).
 * @param bytes input
 * @param size chunk size
 * @returns the stream
 */
export function _chunked(bytes: Uint8Array, size = 7): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.byteLength; i += size) chunks.push(bytes.slice(i, i + size));
  return ReadableStream.from(chunks);
}

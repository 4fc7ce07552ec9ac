/**
 * A blob download that resumes with `Range` when the body breaks or ends
 * short, verified against its digest and size.
 *
 * @module
 */
import { DigestMismatchError, OciError, RegistryError, SizeMismatchError } from "../../errors.ts";
import { hasherFor, parseDigest } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { BlobReader } from "../transport.ts";
import { VerifyStream } from "../../verify_stream.ts";
import type { RegistryHttp, RegistryRequest } from "./http.ts";
import type { ResolvedHost } from "./host_config.ts";
import { contentLength } from "./_body.ts";

/** Most resumes of one blob body. */
export const MAX_RESUMES = 5;

/** What {@link openBlob} needs. */
export interface OpenBlobOptions {
  /** HTTP core. */
  http: RegistryHttp;
  /** Host. */
  host: ResolvedHost;
  /** The GET request of the blob (headers are added). */
  request: RegistryRequest;
  /** Expected digest. */
  digest: string;
  /** Expected size, when known. */
  size?: number | undefined;
}

/**
 * Opens a blob as a verified, resuming stream.
 *
 * @param o request, digest, expected size
 * @returns the blob reader
 * @throws {NotFoundError} when the blob does not exist
 * @throws {SizeMismatchError} when the registry announces another size
 */
export async function openBlob(o: OpenBlobOptions): Promise<BlobReader> {
  const subject = `blob "${o.digest}"`;
  // The hasher loads while the first request is out (node:crypto, unless the
  // blob is small enough for Web Crypto).
  const algorithm = parseDigest(o.digest).algorithm;
  const hasherReady = hasherFor(algorithm, o.size);
  const get = (range?: string) => {
    const headers: Record<string, string> = { ...o.request.headers, "Accept-Encoding": "identity" };
    if (range) headers.Range = range;
    return o.http.request(o.host, { ...o.request, headers });
  };
  const first = await get();
  // A registry or CDN that compresses anyway (P27): fetch decodes the body,
  // so its Content-Length is not the blob's size and ranges would not line
  // up; the decoded bytes are counted and verified instead, without resumes.
  const ce = first.headers.get("content-encoding")?.trim().toLowerCase() ?? "";
  const encoded = ce !== "" && ce !== "identity";
  const cl = encoded ? undefined : contentLength(first);
  const header = first.headers.get("docker-content-digest");
  let early: Error | undefined;
  if (header && header.split(":")[0] === algorithm && header !== o.digest) {
    early = new DigestMismatchError(subject, o.digest, header);
  } else if (o.size !== undefined && cl !== undefined && cl !== o.size) {
    early = new SizeMismatchError(subject, o.size, cl);
  }
  if (early) {
    // The stream errors instead of ending: nothing unverified is ever read.
    await first.body?.cancel();
    const failure = early;
    return {
      descriptor: { mediaType: MediaType.OCTET_STREAM, digest: o.digest, size: o.size ?? cl ?? -1 },
      body: new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.error(failure);
        },
      }),
    };
  }
  const expected = o.size ?? cl;
  /** Bytes the wire body should carry (unknown when encoded). */
  const wire = encoded ? undefined : expected;
  let reader = _open(first.body);
  let offset = 0;
  let resumes = 0;
  const resume = async (cause: unknown): Promise<void> => {
    if (resumes >= MAX_RESUMES || wire === undefined) {
      if (cause instanceof _ShortBody) throw new SizeMismatchError(subject, cause.expected, offset);
      throw new RegistryError(
        `Cannot get blob "${o.digest}": the connection broke at byte ${offset} (${String(cause)})`,
        { status: 0, method: "GET", url: o.request.url.href },
        { cause },
      );
    }
    resumes++;
    const res = await get(`bytes=${offset}-${wire - 1}`);
    const cr = res.headers.get("content-range") ?? "";
    const m = /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(cr.trim());
    if (res.status !== 206 || !m || Number(m[1]) !== offset) {
      await res.body?.cancel();
      throw new RegistryError(
        `Cannot get blob "${o.digest}": the body broke at byte ${offset} and the registry did not resume it with a range (status ${res.status})`,
        { status: res.status, method: "GET", url: o.request.url.href },
        { cause },
      );
    }
    reader = _open(res.body);
  };
  // Unencoded bodies are hashed and counted right here (one stream, no
  // extra hop per chunk); a decoded body is verified after decoding.
  const hasher = encoded ? undefined : await hasherReady;
  /** The clean end of the body: checked before it is reported. */
  const finish = async (): Promise<void> => {
    if (hasher === undefined) return;
    if (expected !== undefined && offset !== expected) {
      throw new SizeMismatchError(subject, expected, offset);
    }
    const actual = await hasher.digest();
    if (actual !== o.digest) throw new DigestMismatchError(subject, o.digest, actual);
  };
  /**
   * The next piece of the wire body, at most `max` bytes, resuming broken
   * bodies; `undefined` at the clean end. Counted and hashed here.
   */
  const next = async (max: number): Promise<Uint8Array | undefined> => {
    for (;;) {
      if (!reader) {
        if (wire !== undefined && offset < wire) {
          await resume(new _ShortBody(wire));
          continue;
        }
        return undefined;
      }
      let piece: Uint8Array | undefined;
      try {
        piece = await _read(reader, max);
      } catch (err) {
        if (o.request.signal?.aborted) throw err;
        reader = undefined;
        await resume(err);
        continue;
      }
      if (piece === undefined) {
        if (wire !== undefined && offset < wire) {
          reader = undefined;
          await resume(new _ShortBody(wire));
          continue;
        }
        return undefined;
      }
      if (piece.byteLength === 0) continue;
      offset += piece.byteLength;
      if (hasher !== undefined) {
        if (expected !== undefined && offset > expected) {
          await reader.cancel().catch(() => {});
          throw new SizeMismatchError(subject, expected, offset);
        }
        hasher.update(piece);
      }
      return piece;
    }
  };
  // A byte stream: a reader that brings its own buffer (BYOB) has the bytes
  // copied straight into it, so a consumer that reuses one buffer makes no
  // garbage per chunk; other readers get chunks of up to 64 KiB.
  let left: Uint8Array | undefined;
  const source: ReadableStream<Uint8Array> = new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: PIECE_BYTES,
    async pull(controller: ReadableByteStreamController) {
      const request = controller.byobRequest;
      const view = request?.view;
      const into = view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : undefined;
      // A plain wire reader may hand out more than fits: the rest waits in
      // `left` (already counted and hashed). A BYOB piece always fits.
      const piece = left ?? await next(into?.byteLength ?? PIECE_BYTES);
      left = undefined;
      if (piece === undefined) {
        await finish();
        controller.close();
        request?.respond(0);
        return;
      }
      if (request && into) {
        const n = Math.min(piece.byteLength, into.byteLength);
        into.set(piece.subarray(0, n));
        if (n < piece.byteLength) left = piece.subarray(n);
        request.respond(n);
      } else controller.enqueue(piece.slice()); // enqueueing transfers: never the scratch buffer
    },
    async cancel(reason: unknown) {
      await reader?.cancel(reason).catch(() => {});
    },
  });
  const body = encoded
    ? _decode(source, ce, o).pipeThrough(
      new VerifyStream({ digest: o.digest, size: expected, subject }),
    )
    : source;
  return {
    descriptor: { mediaType: MediaType.OCTET_STREAM, digest: o.digest, size: expected ?? -1 },
    body,
  };
}

/** Largest piece read from the wire at once (and auto-allocated for plain readers). */
const PIECE_BYTES = 64 * 1024;

type _WireReader = ReadableStreamDefaultReader<Uint8Array> | _ByobReader;

/** A BYOB reader with its own reused scratch buffer. */
interface _ByobReader {
  byob: ReadableStreamBYOBReader;
  scratch: Uint8Array;
  cancel(reason?: unknown): Promise<void>;
}

/** Opens a wire body: BYOB into one reused buffer when it is a byte stream. */
function _open(body: ReadableStream<Uint8Array> | null): _WireReader | undefined {
  if (!body) return undefined;
  try {
    const byob = body.getReader({ mode: "byob" });
    return {
      byob,
      scratch: new Uint8Array(PIECE_BYTES),
      cancel: (reason?: unknown) => byob.cancel(reason),
    };
  } catch {
    return body.getReader();
  }
}

/**
 * Reads up to `max` bytes. A BYOB piece is a view of the reader's scratch
 * buffer, valid until the next read: copy or consume it before then.
 */
async function _read(r: _WireReader, max: number): Promise<Uint8Array | undefined> {
  if (!("byob" in r)) {
    const got = await r.read();
    return got.done ? undefined : got.value;
  }
  const size = Math.max(1, Math.min(max, r.scratch.byteLength));
  const view = r.scratch.subarray(0, size);
  r.scratch = new Uint8Array(0); // the read detaches it; restored below
  try {
    const got = await r.byob.read(view);
    if (got.value) r.scratch = new Uint8Array(got.value.buffer);
    return got.done ? undefined : got.value;
  } finally {
    if (r.scratch.byteLength === 0) r.scratch = new Uint8Array(PIECE_BYTES);
  }
}

/**
 * Undoes a content coding the registry applied although `identity` was
 * asked for (fetch does not decode when the request set `Accept-Encoding`).
 * Unknown codings pass through and fail verification.
 */
function _decode(
  source: ReadableStream<Uint8Array>,
  coding: string,
  o: OpenBlobOptions,
): ReadableStream<Uint8Array> {
  const format = coding === "gzip" || coding === "x-gzip"
    ? "gzip"
    : coding === "deflate"
    ? "deflate"
    : undefined;
  if (format === undefined) return source;
  const reader = source.pipeThrough(
    new DecompressionStream(format) as unknown as TransformStream<Uint8Array, Uint8Array>,
  ).getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (err) {
        if (err instanceof OciError) throw err;
        throw new RegistryError(
          `Cannot get blob "${o.digest}": the registry sent a ${coding} body that does not decode`,
          { status: 200, method: "GET", url: o.request.url.href },
          { cause: err },
        );
      }
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

class _ShortBody extends Error {
  readonly expected: number;
  constructor(expected: number) {
    super(`the body ended before ${expected} bytes`);
    this.expected = expected;
  }
}

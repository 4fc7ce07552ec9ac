/**
 * Blob upload: skip when present, cross-repository mount, single PUT for
 * small blobs, a streamed PUT (or PATCH then PUT) for large ones, and chunked
 * PATCH uploads with `Content-Range`, `OCI-Chunk-Min-Length` and 416
 * recovery. Nothing is committed unless the bytes match the digest and size.
 *
 * @module
 */
import { discardBody } from "./_body.ts";
import {
  DigestMismatchError,
  NotFoundError,
  RegistryError,
  SizeMismatchError,
} from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import type { RawBlob } from "../transport.ts";
import { type DigestAlgorithm, digestOf, loadHasher, parseDigest } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import { repoScope } from "./repo_scope.ts";
import { MAX_BLOB_CHUNK, repoUrl, type ResolvedHost } from "./host_config.ts";
import type { RegistryHttp } from "./http.ts";
import { _UploadGuard } from "./_upload_guard.ts";
import { concatBytes } from "../../bytes.ts";
import { cancelRawBlob } from "../byte_source.ts";
import type { SourceBody } from "./wire_fetch.ts";
import { isSourceBody, SourceBodyError } from "./wire_headers.ts";

/** Options of {@link uploadBlob}. */
export interface UploadBlobOptions {
  /** HTTP core. */
  http: RegistryHttp;
  /** Host. */
  host: ResolvedHost;
  /** Target repository. */
  repository: string;
  /** Names the target in errors (`localhost:5000/repo`). */
  subject: string;
  /** Expected digest. */
  digest?: string | undefined;
  /** Expected size. */
  size?: number | undefined;
  /** Repository on the same registry to mount the blob from. */
  mountFrom?: string | undefined;
  /**
   * The body already verifies itself against `digest` (a transport's
   * `blobGet` body): it is counted but not hashed again. @default false
   */
  verified?: boolean | undefined;
  /** The caller has just checked that the blob is missing: no HEAD first. @default false */
  skipHead?: boolean | undefined;
  /**
   * Largest chunk a registry's `OCI-Chunk-Min-Length` may make ocictl hold
   * in memory (regclient's blob limit). @default MAX_BLOB_CHUNK (1 GiB)
   */
  chunkLimit?: number | undefined;
  /** Cancels the upload. */
  signal?: AbortSignal | undefined;
}

/** Most 416 recoveries of one chunked upload. */
const MAX_RANGE_RECOVERIES = 3;

/**
 * Parses an upload `Range` header (`0-N`, `bytes=0-N`, olareg's `0--1`).
 *
 * @param value header value
 * @returns the number of bytes received, or undefined when it does not parse
 *
 * @example Ranges are inclusive
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUploadRange } from "./blob_upload.ts";
 * assert.equal(parseUploadRange("0-99"), 100);
 * assert.equal(parseUploadRange("bytes=0-0"), 1);
 * assert.equal(parseUploadRange("0--1"), 0);
 * ```
 */
export function parseUploadRange(value: string | null): number | undefined {
  if (value === null) return undefined;
  const m = /^(?:bytes=)?0-(-1|\d+)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) + 1;
}

/**
 * The `Content-Range` of a chunk (inclusive ends).
 *
 * @param start offset of the first byte
 * @param length chunk length (> 0)
 * @returns `start-end`
 *
 * @example The end is inclusive
 * ```ts
 * import assert from "node:assert/strict";
 * import { chunkRange } from "./blob_upload.ts";
 * assert.equal(chunkRange(0, 10), "0-9");
 * assert.equal(chunkRange(10, 1), "10-10");
 * ```
 */
export function chunkRange(start: number, length: number): string {
  return `${start}-${start + length - 1}`;
}

/**
 * Uploads a blob from a stream.
 *
 * @param body the bytes (consumed or cancelled)
 * @param o target, expected digest and size, mount source
 * @returns the blob's descriptor
 * @throws {DigestMismatchError} bytes with another digest (nothing committed)
 * @throws {SizeMismatchError} bytes with another length (nothing committed)
 * @throws {RegistryError} the registry refused the upload
 */
export async function uploadBlob(
  body: ReadableStream<Uint8Array>,
  o: UploadBlobOptions,
): Promise<Descriptor> {
  let bodyUsed = false;
  try {
    if (o.digest !== undefined) parseDigest(o.digest);
    if (o.digest !== undefined && o.skipHead !== true) {
      const existing = await _head(o);
      if (existing !== undefined && (o.size === undefined || existing === o.size)) {
        return _descriptor(o.digest, existing);
      }
    }
    const algorithm: DigestAlgorithm = o.digest ? parseDigest(o.digest).algorithm : "sha256";
    const base = repoUrl(o.host, o.repository, "blobs/uploads/");
    const req = _req(o);
    const start = new URL(base);
    const scopes: string[] = [];
    if (o.mountFrom && o.digest && o.mountFrom !== o.repository) {
      start.searchParams.set("mount", o.digest);
      start.searchParams.set("from", o.mountFrom);
      scopes.push(repoScope(o.mountFrom, false));
    }
    const post = await o.http.request(o.host, {
      ...req,
      method: "POST",
      url: start,
      scopes,
      headers: { "Content-Length": "0" },
      body: new Uint8Array(),
    });
    await discardBody(post);
    if (post.status === 201 && o.digest) {
      return _descriptor(o.digest, o.size ?? (await _head(o)) ?? -1);
    }
    let location = _location(post, start, o.subject);
    const minChunk = Number(post.headers.get("oci-chunk-min-length") ?? "0");
    const limit = Math.min(o.chunkLimit ?? MAX_BLOB_CHUNK, MAX_BLOB_CHUNK);
    // A registry may ask for larger chunks than configured, up to the limit (as regclient).
    const chunkSize = Number.isSafeInteger(minChunk) && minChunk > o.host.blobChunk
      ? Math.max(1, Math.min(minChunk, limit))
      : o.host.blobChunk;
    try {
      bodyUsed = true;
      const chunks = new _Chunks(body);
      const first = await chunks.read(chunkSize);
      if (first.done) {
        // Small blob: verified in memory, then one retriable PUT.
        const bytes = first.bytes;
        if (o.size !== undefined && bytes.byteLength !== o.size) {
          throw new SizeMismatchError(`blob for "${o.subject}"`, o.size, bytes.byteLength);
        }
        const digest = await digestOf(bytes, algorithm);
        if (o.digest !== undefined && digest !== o.digest) {
          throw new DigestMismatchError(`blob for "${o.subject}"`, o.digest, digest);
        }
        await _finish(o, location, digest, bytes, req);
        return _descriptor(digest, bytes.byteLength);
      }
      const rest = chunks.rest(first.bytes);
      if (o.host.blobMax >= 0 && (o.size === undefined || o.size > o.host.blobMax)) {
        return await _chunked(o, rest, location, chunkSize, algorithm, req);
      }
      const guard = new _UploadGuard(rest, {
        digest: o.digest,
        size: o.size,
        algorithm,
        verified: o.verified === true,
        subject: `blob for "${o.subject}"`,
      });
      const stream = guard.stream;
      try {
        if (o.digest !== undefined) {
          await _finish(o, location, o.digest, stream, req, o.size);
          return _descriptor(o.digest, guard.count);
        }
        const patchHeaders: Record<string, string> = { "Content-Type": MediaType.OCTET_STREAM };
        if (o.size !== undefined) patchHeaders["Content-Length"] = String(o.size);
        const patch = await o.http.request(o.host, {
          ...req,
          method: "PATCH",
          url: location,
          headers: patchHeaders,
          body: stream,
        });
        await discardBody(patch);
        location = _location(patch, location, o.subject);
        const digest = guard.digest ?? "";
        await _finish(o, location, digest, undefined, req);
        return _descriptor(digest, guard.count);
      } catch (err) {
        throw guard.error ?? err;
      }
    } catch (err) {
      await _cancelSession(o, location);
      throw err;
    }
  } finally {
    if (!bodyUsed) await body.cancel().catch(() => {});
  }
}

/**
 * Uploads a raw blob (copy's fast path): one POST, then one PUT whose body
 * is the raw stream, sent chunked so Deno moves it without JavaScript. The
 * registry checks `?digest=` before it commits anything (distribution-spec);
 * its `Docker-Content-Digest` answer is checked too. Given a promise, the
 * POST goes out while the blob is still being opened (one round trip less).
 *
 * @param pending the raw blob, or its opening (its body is consumed or cancelled)
 * @param o target and cancellation (`digest`, `size`, mount and HEAD options are ignored)
 * @returns the blob's descriptor
 * @throws {RegistryError} the registry refused the upload (411 when it wants a length)
 * @throws {DigestMismatchError} the registry reported another digest
 */
export async function uploadRawBlob(
  pending: RawBlob | Promise<RawBlob>,
  o: UploadBlobOptions,
): Promise<Descriptor> {
  const req = _req(o);
  const opening = Promise.resolve(pending);
  const start = new URL(repoUrl(o.host, o.repository, "blobs/uploads/"));
  const session = (async () => {
    const post = await o.http.request(o.host, {
      ...req,
      method: "POST",
      url: start,
      headers: { "Content-Length": "0" },
      body: new Uint8Array(),
    });
    await discardBody(post);
    return _location(post, start, o.subject);
  })();
  try {
    const [blob, location] = await Promise.all([opening, session]);
    parseDigest(blob.digest);
    // a byte source goes with its length; a stream, chunked
    const body = blob.source !== undefined ? { source: blob.source, length: blob.size } : blob.body;
    try {
      await _finish(o, location, blob.digest, body, req);
    } catch (err) {
      if (!(err instanceof SourceBodyError)) throw err;
      // the source failed: its own error, or the length it did not keep
      if (err.cause !== undefined) throw err.cause;
      throw new SizeMismatchError(`blob pushed to "${o.subject}"`, err.length, err.sent);
    }
    return _descriptor(blob.digest, blob.size);
  } catch (err) {
    // Whichever side is still pending is cleaned up when it settles.
    await Promise.all([
      opening.then((b) => cancelRawBlob(b, err)).catch(() => {}),
      session.then((location) => _cancelSession(o, location)).catch(() => {}),
    ]);
    throw err;
  }
}

function _req(o: UploadBlobOptions): _Req {
  return {
    action: "push blob",
    subject: o.subject,
    repository: o.repository,
    push: true,
    signal: o.signal,
  };
}

type _Req = {
  action: string;
  subject: string;
  repository: string;
  push: boolean;
  signal: AbortSignal | undefined;
};

async function _chunked(
  o: UploadBlobOptions,
  body: ReadableStream<Uint8Array>,
  location: URL,
  chunkSize: number,
  algorithm: DigestAlgorithm,
  req: _Req,
): Promise<Descriptor> {
  const hasher = (await loadHasher())(algorithm);
  const reader = new _Chunks(body);
  let offset = 0;
  let recoveries = 0;
  try {
    for (;;) {
      const chunk = await reader.read(chunkSize);
      if (chunk.bytes.byteLength > 0) {
        if (o.size !== undefined && offset + chunk.bytes.byteLength > o.size) {
          throw new SizeMismatchError(
            `blob for "${o.subject}"`,
            o.size,
            offset + chunk.bytes.byteLength,
          );
        }
        hasher.update(chunk.bytes);
        for (;;) {
          const res = await o.http.request(o.host, {
            ...req,
            method: "PATCH",
            url: location,
            headers: {
              "Content-Type": MediaType.OCTET_STREAM,
              "Content-Range": chunkRange(offset, chunk.bytes.byteLength),
            },
            body: chunk.bytes,
            expect: [416],
          });
          await discardBody(res);
          if (res.status !== 416) {
            location = _location(res, location, o.subject);
            break;
          }
          // 416: ask the registry how much it has.
          if (recoveries++ >= MAX_RANGE_RECOVERIES) {
            throw new RegistryError(
              `Cannot push blob to "${o.subject}": the registry kept refusing the chunk at ${offset}`,
              { status: 416, method: "PATCH", url: location.href },
            );
          }
          const status = await o.http.request(o.host, { ...req, method: "GET", url: location });
          await discardBody(status);
          location = _location(status, location, o.subject);
          const have = parseUploadRange(status.headers.get("range"));
          if (have === offset + chunk.bytes.byteLength) break; // it arrived after all
          if (have !== offset) {
            throw new RegistryError(
              `Cannot push blob to "${o.subject}": the registry holds ${
                have ?? "an unknown number of"
              } bytes, expected ${offset}`,
              { status: 416, method: "PATCH", url: location.href },
            );
          }
        }
        offset += chunk.bytes.byteLength;
      }
      if (chunk.done) break;
    }
  } catch (err) {
    await reader.cancel();
    throw err;
  }
  if (o.size !== undefined && offset !== o.size) {
    throw new SizeMismatchError(`blob for "${o.subject}"`, o.size, offset);
  }
  const digest = hasher.digest();
  if (o.digest !== undefined && digest !== o.digest) {
    throw new DigestMismatchError(`blob for "${o.subject}"`, o.digest, digest);
  }
  await _finish(o, location, digest, undefined, req);
  return _descriptor(digest, offset);
}

async function _finish(
  o: UploadBlobOptions,
  location: URL,
  digest: string,
  body: Uint8Array | ReadableStream<Uint8Array> | SourceBody | undefined,
  req: _Req,
  length?: number,
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  const headers: Record<string, string> = { "Content-Type": MediaType.OCTET_STREAM };
  if (body === undefined) headers["Content-Length"] = "0";
  else if (isSourceBody(body)) {
    headers["Content-Length"] = String(body.length);
  } // A stream of known length: the network seam sends it with this length
  // (deno_fetch.ts); a plain fetch drops the header and sends it chunked.
  else if (body instanceof ReadableStream && length !== undefined) {
    headers["Content-Length"] = String(length);
  }
  const res = await o.http.request(o.host, {
    ...req,
    method: "PUT",
    url,
    headers,
    body: body ?? new Uint8Array(),
  });
  await discardBody(res);
  const got = res.headers.get("docker-content-digest");
  if (got && got.split(":")[0] === digest.split(":")[0] && got !== digest) {
    throw new DigestMismatchError(`blob pushed to "${o.subject}"`, digest, got);
  }
}

async function _head(o: UploadBlobOptions): Promise<number | undefined> {
  try {
    const res = await o.http.request(o.host, {
      method: "HEAD",
      url: repoUrl(o.host, o.repository, `blobs/${o.digest}`),
      action: "check blob",
      subject: `${o.subject}@${o.digest}`,
      repository: o.repository,
      push: true,
      signal: o.signal,
    });
    await discardBody(res);
    const cl = res.headers.get("content-length");
    return cl !== null && /^\d+$/.test(cl) ? Number(cl) : undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function _cancelSession(o: UploadBlobOptions, location: URL): Promise<void> {
  try {
    const res = await o.http.request(o.host, {
      method: "DELETE",
      url: location,
      action: "cancel upload",
      subject: o.subject,
      repository: o.repository,
      push: true,
      noRetry: true,
    });
    await discardBody(res);
  } catch {
    // Cancelling is best effort; registries time out abandoned uploads.
  }
}

function _location(res: Response, base: URL, subject: string): URL {
  const loc = res.headers.get("location");
  if (!loc) {
    throw new RegistryError(
      `Cannot push blob to "${subject}": registry returned ${res.status} without a Location`,
      { status: res.status, method: "POST", url: base.href },
    );
  }
  try {
    return new URL(loc, base);
  } catch (err) {
    throw new RegistryError(
      `Cannot push blob to "${subject}": registry returned an invalid Location "${loc}"`,
      { status: res.status, method: "POST", url: base.href },
      { cause: err },
    );
  }
}

function _descriptor(digest: string, size: number): Descriptor {
  return { mediaType: MediaType.OCTET_STREAM, digest, size };
}

/** A reader that hands out bounded pieces and keeps what was over-read. */
class _Chunks {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Uint8Array | undefined;
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Reads up to `limit` bytes; `done` tells that the stream ended. */
  async read(limit: number): Promise<{ bytes: Uint8Array; done: boolean }> {
    const parts: Uint8Array[] = [];
    let n = 0;
    if (this.#pending) {
      parts.push(this.#pending);
      n = this.#pending.byteLength;
      this.#pending = undefined;
    }
    while (n < limit && !this.#done) {
      const r = await this.#reader.read();
      if (r.done) {
        this.#done = true;
        break;
      }
      parts.push(r.value);
      n += r.value.byteLength;
    }
    const all = concatBytes(parts, n);
    if (n > limit) {
      this.#pending = all.subarray(limit);
      return { bytes: all.subarray(0, limit), done: false };
    }
    return { bytes: all, done: this.#done };
  }

  /** The rest of the stream, `first` in front. */
  rest(first: Uint8Array): ReadableStream<Uint8Array> {
    const queue = [first, this.#pending].filter((b): b is Uint8Array => !!b && b.byteLength > 0);
    this.#pending = undefined;
    const reader = this.#reader;
    const ended = this.#done;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = queue.shift();
        if (next) {
          controller.enqueue(next);
          return;
        }
        if (ended) {
          controller.close();
          return;
        }
        const r = await reader.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 });
  }

  /** Cancels the source. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

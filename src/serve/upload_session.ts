/**
 * Blob upload sessions of the registry: each session keeps its bytes in
 * fsynced chunk files under `<dir>/.uploads/` (never served), hashed as they
 * arrive, bounded in count and total size, and expired after a timeout.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import type { DigestAlgorithm } from "../types/digest.ts";
import type { FileSystem } from "../transport/ocidir/file_system.ts";
import { ApiError } from "./errors_body.ts";

/** Bounds of the upload sessions. */
export interface UploadLimits {
  /** Most sessions open at once. @default 1000 */
  maxSessions: number;
  /** Most bytes held by all open sessions together. @default 64 GiB */
  maxTotalBytes: number;
  /** Largest blob one session may hold. @default 16 GiB */
  maxBlobBytes: number;
  /** Milliseconds of inactivity after which a session expires. @default 3_600_000 */
  timeoutMs: number;
}

/** Default {@link UploadLimits}. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxSessions: 1000,
  maxTotalBytes: 64 * 1024 ** 3,
  maxBlobBytes: 16 * 1024 ** 3,
  timeoutMs: 60 * 60 * 1000,
};

/** One upload session. Its methods run one at a time (the store serialises them). */
export class UploadSession {
  /** Session id (32 hex characters). */
  readonly id: string;
  /** Repository the session belongs to. */
  readonly repo: string;
  /** Algorithm hashed while receiving. */
  readonly algorithm: DigestAlgorithm;
  #chunks: string[] = [];
  #size = 0;
  #hash: Hash;
  #lastUsed: number;
  #busy = false;
  #closed = false;

  /**
   * @param id session id
   * @param repo repository name
   * @param algorithm digest algorithm to hash with
   * @param now creation time in milliseconds
   */
  constructor(id: string, repo: string, algorithm: DigestAlgorithm, now: number) {
    this.id = id;
    this.repo = repo;
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
    this.#lastUsed = now;
  }

  /** Bytes received so far. */
  get size(): number {
    return this.#size;
  }

  /** Time of the last use, in milliseconds. */
  get lastUsed(): number {
    return this.#lastUsed;
  }

  /** True while a request is writing to or finishing the session. */
  get busy(): boolean {
    return this.#busy;
  }

  /** Chunk file paths, in order. */
  get chunks(): readonly string[] {
    return this.#chunks;
  }

  /** The digest of the bytes so far, in the session's algorithm. */
  currentDigest(): string {
    return `${this.algorithm}:${this.#hash.copy().digest("hex")}`;
  }

  /** @internal marks use; returns false when the session is closed or busy. */
  _enter(now: number): boolean {
    if (this.#closed || this.#busy) return false;
    this.#busy = true;
    this.#lastUsed = now;
    return true;
  }

  /** @internal ends a use started by {@link _enter}. */
  _leave(now: number): void {
    this.#busy = false;
    this.#lastUsed = now;
  }

  /** @internal marks the session closed; returns the chunk files to remove. */
  _close(): string[] {
    this.#closed = true;
    const files = this.#chunks;
    this.#chunks = [];
    return files;
  }

  /** @internal records a chunk that was written and hashed with `hash`. */
  _commit(path: string, bytes: number, hash: Hash): void {
    this.#chunks.push(path);
    this.#size += bytes;
    this.#hash = hash;
  }

  /** @internal a copy of the running hash to extend with a new chunk. */
  _forkHash(): Hash {
    return this.#hash.copy();
  }
}

/** Options of {@link UploadStore}. */
export interface UploadStoreOptions {
  /** File system. */
  fs: FileSystem;
  /** Directory of the chunk files (created on first use). */
  dir: string;
  /** Clock in milliseconds. */
  now: () => number;
  /** Bounds. */
  limits: UploadLimits;
}

function _randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The open upload sessions of one registry handler.
 */
export class UploadStore {
  #fs: FileSystem;
  #dir: string;
  #now: () => number;
  #limits: UploadLimits;
  #sessions = new Map<string, UploadSession>();
  #ready: Promise<void> | undefined;

  /** @param options file system, directory, clock and limits */
  constructor(options: UploadStoreOptions) {
    this.#fs = options.fs;
    this.#dir = options.dir;
    this.#now = options.now;
    this.#limits = options.limits;
  }

  /** Number of open sessions. */
  get count(): number {
    return this.#sessions.size;
  }

  /** Bytes held by all open sessions. */
  get totalBytes(): number {
    let total = 0;
    for (const s of this.#sessions.values()) total += s.size;
    return total;
  }

  /**
   * Opens a new session.
   *
   * @param repo repository name
   * @param algorithm digest algorithm to hash with
   * @returns the session
   * @throws {ApiError} 429 `TOOMANYREQUESTS` when too many sessions are open
   */
  async create(repo: string, algorithm: DigestAlgorithm): Promise<UploadSession> {
    await this.#prepare();
    await this.expire();
    if (this.#sessions.size >= this.#limits.maxSessions) {
      throw new ApiError(
        429,
        "TOOMANYREQUESTS",
        "Cannot start upload: too many uploads are open; finish or cancel some and retry",
        { headers: { "Retry-After": "1" } },
      );
    }
    const session = new UploadSession(_randomId(), repo, algorithm, this.#now());
    this.#sessions.set(session.id, session);
    return session;
  }

  /**
   * Runs `fn` with exclusive use of a session.
   *
   * @param repo repository the request names
   * @param id session id
   * @param fn what to do with the session
   * @returns what `fn` returns
   * @throws {ApiError} 404 `BLOB_UPLOAD_UNKNOWN` for an unknown, expired or other-repo
   *   session; 400 `BLOB_UPLOAD_INVALID` while another request uses it
   */
  async use<T>(repo: string, id: string, fn: (s: UploadSession) => Promise<T>): Promise<T> {
    await this.expire();
    const session = this.#sessions.get(id);
    if (session === undefined || session.repo !== repo) {
      throw new ApiError(404, "BLOB_UPLOAD_UNKNOWN", `Cannot find upload "${id}" in "${repo}"`);
    }
    if (!session._enter(this.#now())) {
      throw new ApiError(
        400,
        "BLOB_UPLOAD_INVALID",
        `Cannot use upload "${id}": another request is using it; retry when it has finished`,
      );
    }
    try {
      return await fn(session);
    } finally {
      session._leave(this.#now());
    }
  }

  /**
   * Appends a request body to a session as one fsynced chunk file. On any
   * failure (body error, size limit, short or long body) the chunk is
   * discarded and the session is unchanged.
   *
   * @param session the session (held through {@link use})
   * @param body the bytes
   * @param expectedLength exact length required (from `Content-Range`), if any
   * @returns bytes appended
   * @throws {ApiError} 413 `SIZE_INVALID` over a size limit; 400 `SIZE_INVALID` when the body
   *   length differs from `expectedLength`; 400 `BLOB_UPLOAD_INVALID` when the body fails
   */
  async append(
    session: UploadSession,
    body: ReadableStream<Uint8Array> | null,
    expectedLength?: number,
  ): Promise<number> {
    if (body === null) {
      if (expectedLength !== undefined && expectedLength !== 0) {
        throw new ApiError(400, "SIZE_INVALID", "Cannot append chunk: the body is empty", {
          detail: { expected: expectedLength, received: 0 },
        });
      }
      return 0;
    }
    await this.#prepare();
    const hash = session._forkHash();
    const blobRoom = this.#limits.maxBlobBytes - session.size;
    const totalRoom = this.#limits.maxTotalBytes - this.totalBytes;
    const room = Math.min(blobRoom, totalRoom);
    let count = 0;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        count += chunk.byteLength;
        if (count > room) {
          controller.error(
            new ApiError(413, "SIZE_INVALID", "Cannot append chunk: the upload is too large", {
              detail: { limit: count > blobRoom ? "blob" : "total" },
            }),
          );
          return;
        }
        if (expectedLength !== undefined && count > expectedLength) {
          controller.error(_lengthError(expectedLength, count));
          return;
        }
        hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush(controller) {
        if (expectedLength !== undefined && count !== expectedLength) {
          controller.error(_lengthError(expectedLength, count));
        }
      },
    });
    let path: string;
    try {
      path = await this.#fs.writeTemp(this.#dir, body.pipeThrough(counter), {
        prefix: `${session.id}.`,
      });
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError(400, "BLOB_UPLOAD_INVALID", "Cannot append chunk: the body failed", {
        detail: { error: String(err) },
      });
    }
    if (count === 0) {
      await this.#fs.remove(path).catch(() => {});
      return 0;
    }
    session._commit(path, count, hash);
    return count;
  }

  /**
   * Opens the session's bytes as one stream (chunk files in order).
   *
   * @param session the session
   * @returns the concatenated stream
   */
  stream(session: UploadSession): ReadableStream<Uint8Array> {
    const fs = this.#fs;
    const files = [...session.chunks];
    let current: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          if (current === undefined) {
            const next = files.shift();
            if (next === undefined) {
              controller.close();
              return;
            }
            current = (await fs.open(next)).getReader();
          }
          const { done, value } = await current.read();
          if (!done) {
            controller.enqueue(value);
            return;
          }
          current.releaseLock();
          current = undefined;
        }
      },
      async cancel(reason) {
        await current?.cancel(reason);
      },
    });
  }

  /**
   * Closes a session and removes its chunk files.
   *
   * @param session the session
   * @returns nothing
   */
  async discard(session: UploadSession): Promise<void> {
    this.#sessions.delete(session.id);
    for (const f of session._close()) await this.#fs.remove(f).catch(() => {});
  }

  /**
   * Removes sessions idle for longer than the timeout (sessions in use stay).
   *
   * @returns the ids removed
   */
  async expire(): Promise<string[]> {
    const limit = this.#now() - this.#limits.timeoutMs;
    const old = [...this.#sessions.values()].filter((s) => !s.busy && s.lastUsed < limit);
    for (const s of old) await this.discard(s);
    return old.map((s) => s.id);
  }

  /**
   * Removes every session that is not in use (shutdown).
   *
   * @returns nothing
   */
  async discardAll(): Promise<void> {
    for (const s of [...this.#sessions.values()]) if (!s.busy) await this.discard(s);
  }

  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await this.#fs.mkdir(this.#dir);
      // Sessions do not survive a restart: leftover chunk files are garbage.
      const stale = this.#now() - this.#limits.timeoutMs;
      for (const name of await this.#fs.readDir(this.#dir)) {
        const path = `${this.#dir}/${name}`;
        const info = await this.#fs.stat(path);
        if (info?.isFile && (info.mtime ?? 0) < stale) await this.#fs.remove(path).catch(() => {});
      }
    })().catch((err) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }
}

function _lengthError(expected: number, received: number): ApiError {
  return new ApiError(
    400,
    "SIZE_INVALID",
    `Cannot append chunk: Content-Range announces ${expected} bytes, the body has ${received}`,
    { detail: { expected, received } },
  );
}

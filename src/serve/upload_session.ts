/**
 * Blob upload sessions of the registry: each session appends its bytes to
 * one temp file under `<dir>/.uploads/` (never served), hashed as they
 * arrive, so finishing an upload is a flush and a rename, not a second copy.
 * Sessions are bounded in count and total size and expire after a timeout.
 * Each session's state is kept beside its file (`upload_state.ts`), so a
 * restarted server resumes it.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import type { DigestAlgorithm } from "../types/digest.ts";
import type { FileReader, FileSystem, FileWriter } from "../transport/ocidir/file_system.ts";
import { ApiError } from "./errors_body.ts";
import { concatBytes } from "../bytes.ts";
import { loadSessionState, removeSessionState, saveSessionState } from "./upload_state.ts";

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
  #file: string | undefined;
  #size = 0;
  #hash: Hash;
  #lastUsed: number;
  #busy = false;
  #closed = false;

  /**
   * Starts an upload session.
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

  /** Path of the temp file holding the bytes, once there are any. */
  get file(): string | undefined {
    return this.#file;
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

  /** @internal marks the session closed; returns the file to remove, if any. */
  _close(): string | undefined {
    this.#closed = true;
    const file = this.#file;
    this.#file = undefined;
    return file;
  }

  /** @internal hands the temp file over (it was stored as a blob); returns its path. */
  _takeFile(): string | undefined {
    const file = this.#file;
    this.#file = undefined;
    return file;
  }

  /** @internal records bytes appended to `path` and hashed with `hash`. */
  _commit(path: string, bytes: number, hash: Hash): void {
    this.#file = path;
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

  /**
   * Creates an empty store of upload sessions.
   * @param options file system, directory, clock and limits
   */
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
    await saveSessionState(this.#fs, this.#dir, session);
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
    let session = this.#sessions.get(id);
    if (session === undefined) {
      // a session of an earlier run of the server, kept on disk
      await this.#prepare();
      session = await loadSessionState(
        this.#fs,
        this.#dir,
        id,
        this.#now(),
        this.#limits.timeoutMs,
      );
      if (session !== undefined && !this.#sessions.has(id)) this.#sessions.set(id, session);
      session = this.#sessions.get(id);
    }
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
   * Appends a request body to the session's temp file, hashing it on the
   * way. On any failure (body error, size limit, short or long body) the
   * file is cut back and the session is unchanged. The session's state is
   * saved after each chunk (a restarted server resumes it); the file is
   * flushed to disk when the upload is stored.
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
    const reader = body.getReader();
    const hash = session._forkHash();
    const blobRoom = this.#limits.maxBlobBytes - session.size;
    const room = Math.min(blobRoom, this.#limits.maxTotalBytes - this.totalBytes);
    const start = session.size;
    const existing = session.file;
    let file: FileWriter | undefined;
    let count = 0;
    let writing: Promise<void> = Promise.resolve();
    try {
      await this.#prepare();
      file = existing === undefined
        ? await this.#fs.createTemp(this.#dir, { prefix: `${session.id}.` })
        : await this.#fs.openAppend(existing);
      const out = file;
      // Small body chunks are gathered into large writes; one write runs on
      // the disk while the next batch arrives from the network.
      const pending: Uint8Array[] = [];
      let used = 0;
      const flush = async () => {
        if (used === 0) return;
        const bytes = concatBytes(pending, used);
        pending.length = 0;
        used = 0;
        hash.update(bytes);
        await writing;
        writing = out.write(bytes);
        writing.catch(() => {});
      };
      for (;;) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (err) {
          throw new ApiError(400, "BLOB_UPLOAD_INVALID", "Cannot append chunk: the body failed", {
            detail: { error: String(err) },
          });
        }
        if (next.done) break;
        count += next.value.byteLength;
        if (count > room) {
          throw new ApiError(413, "SIZE_INVALID", "Cannot append chunk: the upload is too large", {
            detail: { limit: count > blobRoom ? "blob" : "total" },
          });
        }
        if (expectedLength !== undefined && count > expectedLength) {
          throw _lengthError(expectedLength, count);
        }
        pending.push(next.value);
        used += next.value.byteLength;
        if (used >= WRITE_BATCH) await flush();
      }
      if (expectedLength !== undefined && count !== expectedLength) {
        throw _lengthError(expectedLength, count);
      }
      await flush();
      await writing;
    } catch (err) {
      await reader.cancel(err).catch(() => {});
      await writing.catch(() => {});
      if (file !== undefined) {
        if (existing === undefined) {
          file.close();
          await this.#fs.remove(file.path).catch(() => {});
        } else {
          await file.truncate(start).catch(() => {});
          file.close();
        }
      }
      if (err instanceof ApiError) throw err;
      throw new ApiError(400, "BLOB_UPLOAD_INVALID", "Cannot append chunk: the body failed", {
        detail: { error: String(err) },
      });
    } finally {
      reader.releaseLock();
    }
    file.close();
    if (count === 0) {
      if (existing === undefined) await this.#fs.remove(file.path).catch(() => {});
      return 0;
    }
    session._commit(file.path, count, hash);
    await saveSessionState(this.#fs, this.#dir, session);
    return count;
  }

  /**
   * Opens the session's bytes as a stream (read in 256 KiB pieces).
   *
   * @param session the session
   * @returns the stream (consume or cancel it)
   */
  stream(session: UploadSession): ReadableStream<Uint8Array> {
    const fs = this.#fs;
    const path = session.file;
    let file: FileReader | undefined;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (path === undefined) return controller.close();
        file ??= await fs.openReader(path);
        const buffer = new Uint8Array(WRITE_BATCH);
        const n = await file.read(buffer);
        if (n === null) {
          file.close();
          return controller.close();
        }
        controller.enqueue(buffer.subarray(0, n));
      },
      cancel() {
        file?.close();
      },
    });
  }

  /**
   * Takes the session's temp file for storing it as a blob (the session no
   * longer removes it; the caller renames or removes it).
   *
   * @param session the session (held through {@link use})
   * @returns the file's path, or `undefined` when the session has no bytes
   */
  takeFile(session: UploadSession): string | undefined {
    return session._takeFile();
  }

  /**
   * Closes a session and removes its temp file.
   *
   * @param session the session
   * @returns nothing
   */
  async discard(session: UploadSession): Promise<void> {
    this.#sessions.delete(session.id);
    const file = session._close();
    if (file !== undefined) await this.#fs.remove(file).catch(() => {});
    await removeSessionState(this.#fs, this.#dir, session.id);
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
   * Removes every session that is not in use.
   *
   * @returns nothing
   */
  async discardAll(): Promise<void> {
    for (const s of [...this.#sessions.values()]) if (!s.busy) await this.discard(s);
  }

  /**
   * Forgets the sessions in memory at shutdown; their files and states stay
   * on disk for the next start (which expires them after the timeout).
   *
   * @returns nothing
   */
  forgetAll(): void {
    this.#sessions.clear();
  }

  #prepare(): Promise<void> {
    this.#ready ??= (async () => {
      await this.#fs.mkdir(this.#dir);
      // Files of sessions idle for longer than the timeout are garbage.
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

/** Bytes gathered before one write to disk (256 KiB; see VERIFIED_READ_CHUNK). */
const WRITE_BATCH = 256 * 1024;

function _lengthError(expected: number, received: number): ApiError {
  return new ApiError(
    400,
    "SIZE_INVALID",
    `Cannot append chunk: Content-Range announces ${expected} bytes, the body has ${received}`,
    { detail: { expected, received } },
  );
}

/**
 * The file-system seam of the `ocidir` transport: a small interface for the
 * few operations an OCI layout needs, and {@link denoFileSystem}, the only
 * implementation in `src/` that calls Deno's file APIs.
 *
 * @module
 */
import { AbortedError, NotFoundError, SizeMismatchError } from "../../errors.ts";
import { concatBytes } from "../../bytes.ts";

/** What {@link FileSystem.stat} reports. */
export interface FileInfo {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** Size in bytes. */
  size: number;
  /** Modification time in milliseconds since the epoch, when known. */
  mtime: number | undefined;
  /** Inode number, when the platform has one. */
  ino: number | undefined;
  /** Status change time in milliseconds since the epoch, when known. */
  ctime?: number | undefined;
}

/** A held exclusive lock; release it exactly once. */
export interface FileLock {
  /** Releases the lock and closes the lock file. */
  release(): Promise<void>;
}

/** Options of {@link FileSystem.writeTemp}. */
export interface WriteTempOptions {
  /** Cancels the write; the temp file is removed. */
  signal?: AbortSignal | undefined;
  /** Start of the temp file name. @default "tmp." */
  prefix?: string | undefined;
  /**
   * The body is a stream Deno moves without JavaScript (a file or an HTTP
   * body): it is piped to the file as it comes instead of being gathered
   * into large writes. @default false
   */
  direct?: boolean | undefined;
  /** Hears the temp file's path as soon as it exists, before anything is written. */
  onCreated?: ((path: string) => void) | undefined;
}

/** A file open for reading in caller-sized pieces; close it exactly once. */
export interface FileReader {
  /**
   * Reads the next bytes into `buffer`.
   * @param buffer where to put them
   * @returns the number of bytes read, or `null` at the end of the file
   */
  read(buffer: Uint8Array): Promise<number | null>;
  /**
   * Flushes the file's data to disk, whoever wrote it (a reader that
   * follows a file being written can start the writer's flush early).
   * Absent where a read handle cannot flush (Windows).
   * @returns nothing
   */
  sync?: (() => Promise<void>) | undefined;
  /** Closes the file. */
  close(): void;
}

/**
 * A file opened for reading together with what it is, taken from the open
 * handle (so a rename over the path cannot slip another file in between).
 * Use exactly one of `stream`, `reader` or `close`.
 */
export interface OpenedFile {
  /** What the open file is (size, inode, times). */
  readonly info: FileInfo;
  /**
   * The file as Deno's own byte stream (consume or cancel it; that closes the file).
   * @returns the stream
   */
  stream(): ReadableStream<Uint8Array>;
  /**
   * The file for reads in caller-sized pieces.
   * @returns the reader (close it)
   */
  reader(): FileReader;
  /**
   * Bytes `start` to `end` (inclusive) as a stream that errors instead of
   * ending early when the file is shorter (consume or cancel it; that
   * closes the file).
   * @param start first byte
   * @param end last byte
   * @returns the stream
   */
  slice(start: number, end: number): ReadableStream<Uint8Array>;
  /** Closes the file unread. */
  close(): void;
}

/** A file open for appending; close it exactly once. */
export interface FileWriter {
  /** The file's path. */
  readonly path: string;
  /**
   * Appends all of `bytes` at the end of the file.
   * @param bytes the bytes
   * @returns nothing
   */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Cuts the file to `size` bytes (later writes append after them).
   * @param size new length
   * @returns nothing
   */
  truncate(size: number): Promise<void>;
  /**
   * Flushes the file's data to disk.
   * @returns nothing
   */
  sync(): Promise<void>;
  /** Closes the file. */
  close(): void;
}

/**
 * The file operations an OCI layout needs. Paths use `/` separators. Missing
 * files surface as {@link NotFoundError} (or `undefined` from `stat`).
 */
export interface FileSystem {
  /**
   * Opens a file for reading.
   * @param path file path
   * @returns its bytes as a stream (consume or cancel it; that closes the file)
   * @throws {NotFoundError} when the file does not exist
   */
  open(path: string): Promise<ReadableStream<Uint8Array>>;
  /**
   * Opens a file for reading in pieces of the caller's size (large reads
   * are much cheaper than a stream of small chunks).
   * @param path file path
   * @returns the open file
   * @throws {NotFoundError} when the file does not exist
   */
  openReader(path: string): Promise<FileReader>;
  /**
   * Opens a file for reading and reports what it is from the open handle.
   * Optional: without it, callers `stat` the path and then open it.
   * @param path file path
   * @returns the opened file
   * @throws {NotFoundError} when the file does not exist
   */
  openFile?: ((path: string) => Promise<OpenedFile>) | undefined;
  /**
   * Creates a new empty temp file in `dir`, open for appending. The caller
   * removes it (or renames it into place) when done.
   * @param dir existing directory for the temp file
   * @param options name prefix
   * @returns the open file
   */
  createTemp(dir: string, options?: { prefix?: string | undefined }): Promise<FileWriter>;
  /**
   * Opens an existing file for appending.
   * @param path file path
   * @returns the open file
   * @throws {NotFoundError} when the file does not exist
   */
  openAppend(path: string): Promise<FileWriter>;
  /**
   * Writes a stream to a new temp file in `dir` and flushes it to disk. When
   * the stream errors or the signal aborts, the temp file is removed and the
   * error is thrown.
   * @param dir existing directory for the temp file
   * @param body the bytes
   * @param options abort signal and name prefix
   * @returns the temp file's path (rename it into place)
   * @throws {AbortedError} when the signal aborts
   */
  writeTemp(
    dir: string,
    body: ReadableStream<Uint8Array>,
    options?: WriteTempOptions,
  ): Promise<string>;
  /**
   * Atomically renames a file, replacing the target.
   * @param from existing path
   * @param to new path
   * @returns nothing
   */
  rename(from: string, to: string): Promise<void>;
  /**
   * Removes a file or an empty directory.
   * @param path path
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  remove(path: string): Promise<void>;
  /**
   * Describes a path.
   * @param path path
   * @returns its info, or `undefined` when it does not exist
   */
  stat(path: string): Promise<FileInfo | undefined>;
  /**
   * Creates a directory and its parents; existing ones are fine.
   * @param path directory
   * @returns nothing
   */
  mkdir(path: string): Promise<void>;
  /**
   * Lists the names in a directory.
   * @param path directory
   * @returns entry names (not paths), unsorted
   * @throws {NotFoundError} when it does not exist
   */
  readDir(path: string): Promise<string[]>;
  /**
   * Takes an exclusive lock on a lock file (created when missing) that other
   * processes also respect; waits while another holder has it.
   * @param path lock file
   * @returns the held lock
   */
  lock(path: string): Promise<FileLock>;
}

function _notFound(err: unknown, action: string, path: string): unknown {
  if (err instanceof Deno.errors.NotFound) {
    return new NotFoundError(`Cannot ${action} "${path}": it does not exist`, { cause: err });
  }
  return err;
}

async function _writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    offset += await file.write(bytes.subarray(offset));
  }
}

/** Bytes gathered before one write to disk. */
const WRITE_BATCH = 256 * 1024;

/** Size of the one buffer a byte-stream body is read into (BYOB) and written from. */
const BYOB_BUFFER = 1024 * 1024;

function _aborted(path: string): AbortedError {
  return new AbortedError(`Cannot write "${path}": the operation was cancelled`);
}

/**
 * Copies a byte stream to `file` through one reused buffer: each read fills
 * the rest of it (the buffer is transferred to the stream and back), and a
 * full buffer is written. No chunk is allocated per read.
 */
async function _copyByob(
  reader: ReadableStreamBYOBReader,
  file: Deno.FsFile,
  path: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  let buf = new Uint8Array(BYOB_BUFFER);
  let off = 0;
  for (;;) {
    if (signal?.aborted) throw _aborted(path);
    const r = await reader.read(buf.subarray(off));
    if (r.value === undefined) {
      // Only a cancelled stream gives no buffer back; nobody else holds it.
      throw _aborted(path);
    }
    buf = new Uint8Array(r.value.buffer);
    if (r.done) break;
    off += r.value.byteLength;
    if (off === buf.byteLength) {
      await _writeAll(file, buf);
      off = 0;
    }
  }
  if (off > 0) await _writeAll(file, buf.subarray(0, off));
}

/** Copies any stream to `file`, gathering small chunks into large writes. */
async function _copyChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  file: Deno.FsFile,
  path: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const pending: Uint8Array[] = [];
  let used = 0;
  for (;;) {
    if (signal?.aborted) throw _aborted(path);
    const { done, value } = await reader.read();
    if (done) break;
    pending.push(value);
    used += value.byteLength;
    if (used >= WRITE_BATCH) {
      await _writeAll(file, concatBytes(pending, used));
      pending.length = 0;
      used = 0;
    }
  }
  if (used > 0) await _writeAll(file, concatBytes(pending, used));
}

/** A BYOB reader of a byte stream, or `undefined` for any other stream. */
function _byobReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  if (body.locked) return undefined;
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return undefined; // not a byte stream
  }
}

async function _writeTemp(
  dir: string,
  body: ReadableStream<Uint8Array>,
  options: WriteTempOptions = {},
): Promise<string> {
  let path: string;
  try {
    path = await _makeTemp(dir, options.prefix);
  } catch (err) {
    await body.cancel(err).catch(() => {});
    throw err;
  }
  options.onCreated?.(path);
  if (options.direct === true) return await _pipeTemp(path, body, options.signal);
  let reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = _byobReader(body) ?? body.getReader();
  } catch (err) {
    await Deno.remove(path).catch(() => {});
    throw err;
  }
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { write: true, truncate: true });
    if (reader instanceof ReadableStreamBYOBReader) {
      await _copyByob(reader, file, path, options.signal);
    } else {
      // Small chunks are gathered so the disk sees few large writes.
      await _copyChunks(reader, file, path, options.signal);
    }
    await file.sync();
    file.close();
    file = undefined;
    return path;
  } catch (err) {
    file?.close();
    await reader.cancel(err).catch(() => {});
    await Deno.remove(path).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Creates a new empty temp file with the mode ordinary files get (0666
 * less the umask, so 0644 usually), as layout files are: the 0600 of
 * `Deno.makeTempFile` would lock other users out of a shared layout once
 * the file is renamed into place, while forcing 0644 would ignore a
 * private umask.
 */
async function _makeTemp(dir: string, prefix: string | undefined): Promise<string> {
  for (let attempt = 0;; attempt++) {
    const path = `${dir}/${prefix ?? "tmp."}${crypto.randomUUID()}.tmp`;
    try {
      const file = await Deno.open(path, { write: true, createNew: true, mode: 0o666 });
      file.close();
      return path;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists) || attempt >= 8) throw err;
    }
  }
}

/**
 * Pipes a native stream into the (new, empty) temp file at `path`, then
 * flushes it. The file's writable is closed by the pipe: Deno's file
 * writable holds back a small last write until it is closed. The flush
 * goes through a second handle (fsync flushes the file, whatever handle
 * wrote it).
 */
async function _pipeTemp(
  path: string,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<string> {
  try {
    if (signal?.aborted) throw _aborted(path);
    const file = await Deno.open(path, { write: true, truncate: true });
    // The pipe closes the file when it ends, and aborts it (closing it) on failure.
    await body.pipeTo(file.writable, signal ? { signal } : {}).catch((err) => {
      throw signal?.aborted ? _aborted(path) : err;
    });
    // Write access: Windows flushes only through a handle that may write.
    const again = await Deno.open(path, { read: true, write: true });
    try {
      await again.syncData();
    } finally {
      again.close();
    }
    return path;
  } catch (err) {
    await body.cancel(err).catch(() => {});
    await Deno.remove(path).catch(() => {});
    throw err;
  }
}

/** Largest piece of a {@link OpenedFile.slice} read at once. */
const SLICE_PIECE = 256 * 1024;

function _slice(
  file: Deno.FsFile,
  path: string,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  let at = -1;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (at < 0) {
          await file.seek(start, Deno.SeekMode.Start);
          at = start;
        }
        const want = Math.min(SLICE_PIECE, end + 1 - at);
        if (want <= 0) {
          file.close();
          controller.close();
          return;
        }
        const piece = new Uint8Array(want);
        const n = await file.read(piece);
        if (n === null) {
          throw new SizeMismatchError(`file "${path}"`, end + 1, at);
        }
        at += n;
        controller.enqueue(n === want ? piece : piece.subarray(0, n));
      } catch (err) {
        try {
          file.close();
        } catch {
          // already closed
        }
        controller.error(err);
      }
    },
    cancel() {
      file.close();
    },
  });
}

function _reader(file: Deno.FsFile): FileReader {
  return {
    read: (buffer) => file.read(buffer),
    sync: Deno.build.os === "windows" ? undefined : () => file.syncData(),
    close: () => file.close(),
  };
}

function _info(info: Deno.FileInfo): FileInfo {
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    size: info.size,
    mtime: info.mtime?.getTime(),
    ino: info.ino ?? undefined,
    ctime: info.ctime?.getTime(),
  };
}

function _writer(path: string, file: Deno.FsFile): FileWriter {
  return {
    path,
    write: (bytes) => _writeAll(file, bytes),
    truncate: (size) => file.truncate(size),
    sync: () => file.sync(),
    close: () => file.close(),
  };
}

/**
 * The {@link FileSystem} backed by Deno's file APIs, with cross-process locks
 * from `Deno.FsFile.lock`.
 *
 * @example Write and read back a file
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { denoFileSystem } from "./file_system.ts";
 * const dir = await Deno.makeTempDir();
 * const tmp = await denoFileSystem.writeTemp(dir, ReadableStream.from([new Uint8Array([1, 2])]));
 * await denoFileSystem.rename(tmp, `${dir}/f`);
 * equal((await denoFileSystem.stat(`${dir}/f`))?.size, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const denoFileSystem: FileSystem = {
  async open(path) {
    try {
      const file = await Deno.open(path, { read: true });
      return file.readable;
    } catch (err) {
      throw _notFound(err, "open", path);
    }
  },
  async openReader(path) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (err) {
      throw _notFound(err, "open", path);
    }
    return _reader(file);
  },
  async openFile(path) {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (err) {
      throw _notFound(err, "open", path);
    }
    let info: FileInfo;
    try {
      info = _info(await file.stat());
    } catch (err) {
      file.close();
      throw err;
    }
    return {
      info,
      stream: () => file.readable,
      reader: () => _reader(file),
      slice: (start, end) => _slice(file, path, start, end),
      close: () => file.close(),
    };
  },
  async createTemp(dir, options = {}) {
    const path = await _makeTemp(dir, options.prefix);
    try {
      return _writer(path, await Deno.open(path, { write: true, append: true }));
    } catch (err) {
      await Deno.remove(path).catch(() => {});
      throw err;
    }
  },
  async openAppend(path) {
    try {
      return _writer(path, await Deno.open(path, { write: true, append: true }));
    } catch (err) {
      throw _notFound(err, "open", path);
    }
  },
  writeTemp: _writeTemp,
  async rename(from, to) {
    await Deno.rename(from, to);
  },
  async remove(path) {
    try {
      await Deno.remove(path);
    } catch (err) {
      throw _notFound(err, "remove", path);
    }
  },
  async stat(path) {
    try {
      return _info(await Deno.stat(path));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
  },
  async mkdir(path) {
    await Deno.mkdir(path, { recursive: true });
  },
  async readDir(path) {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(path)) names.push(entry.name);
    } catch (err) {
      throw _notFound(err, "list", path);
    }
    return names;
  },
  async lock(path) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    try {
      await file.lock(true);
    } catch (err) {
      file.close();
      throw err;
    }
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        try {
          await file.unlock();
        } finally {
          file.close();
        }
      },
    };
  },
};

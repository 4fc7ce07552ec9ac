/**
 * The file-system seam of the `ocidir` transport: its interfaces (defined in
 * `file_system_types.ts`) and {@link denoFileSystem}, the only
 * implementation in `src/` that calls Deno's file APIs.
 *
 * @module
 */
import { AbortedError, NotFoundError, SizeMismatchError } from "../../errors.ts";
import { concatBytes } from "../../bytes.ts";
import { prepareWhen } from "../transport.ts";
import type {
  FileInfo,
  FileReader,
  FileSystem,
  FileWriter,
  WriteTempOptions,
} from "./file_system_types.ts";

export type {
  FileHash,
  FileHashOptions,
  FileInfo,
  FileLock,
  FileReader,
  FileSystem,
  FileWriter,
  OpenedFile,
  WriteTempOptions,
} from "./file_system_types.ts";

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

/**
 * Bytes read per pull of an {@link OpenedFile} stream (512 KiB, a fresh
 * buffer each: `Deno.serve` may still hold a piece when the next pull comes,
 * so a buffer is never reused). Deno's own `file.readable` reads 64 KiB at a
 * time. Measured through `Deno.serve` with curl (256 MiB blob, and 32
 * concurrent 16 MiB GETs), each size against the others in the same runs:
 * 512 KiB was the best overall; 64–128 KiB cost 1.4–1.7× its CPU per GiB,
 * 1 and 4 MiB were no faster, and byte streams (BYOB), a read-ahead, one
 * larger buffer cut into pieces, or `readSync` gained nothing.
 *
 * Each piece is a view of its own `SharedArrayBuffer`: served through
 * `Deno.serve` with the binary's V8 flags, 2 GiB took 0.9–1.0 s and 1.0 s of
 * the server's CPU, against 1.9–2.0 s and 2.1 s (most of it system time) with
 * plain `ArrayBuffer` pieces, and 2.3–2.5 s with `file.readable`.
 */
export const FILE_STREAM_PIECE = 512 * 1024;

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
        const want = Math.min(FILE_STREAM_PIECE, end + 1 - at);
        if (want <= 0) {
          file.close();
          controller.close();
          return;
        }
        const piece = new Uint8Array(new SharedArrayBuffer(want));
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
      stream: () => _slice(file, path, 0, info.size - 1),
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
  // The hashing worker's module is loaded by the first blob write (start-up).
  hashFile: async (path, options) =>
    (await import("./_hash_pool.ts")).hashFileOffThread(path, options),
  hashPieces: async (algorithm) => (await import("./_hash_pool.ts")).hashPiecesOffThread(algorithm),
  warmHashFile: () => prepareWhen(import("./_hash_pool.ts"), (m) => m.warmHashWorker()),
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
  async realPath(path) {
    try {
      return await Deno.realPath(path);
    } catch (err) {
      throw _notFound(err, "resolve", path);
    }
  },
  async lock(path, options) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    try {
      await file.lock(options?.shared !== true);
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
      async convert(exclusive) {
        await file.lock(exclusive);
      },
    };
  },
};

/**
 * The file-system seam of the `ocidir` transport: a small interface for the
 * few operations an OCI layout needs, and {@link denoFileSystem}, the only
 * implementation in `src/` that calls Deno's file APIs.
 *
 * @module
 */
import { AbortedError, NotFoundError } from "../../errors.ts";

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

async function _writeTemp(
  dir: string,
  body: ReadableStream<Uint8Array>,
  options: WriteTempOptions = {},
): Promise<string> {
  const path = await Deno.makeTempFile({ dir, prefix: options.prefix ?? "tmp.", suffix: ".tmp" });
  const reader = body.getReader();
  let file: Deno.FsFile | undefined;
  try {
    file = await Deno.open(path, { write: true, truncate: true });
    for (;;) {
      if (options.signal?.aborted) {
        throw new AbortedError(`Cannot write "${path}": the operation was cancelled`);
      }
      const { done, value } = await reader.read();
      if (done) break;
      await _writeAll(file, value);
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
      const info = await Deno.stat(path);
      return {
        isFile: info.isFile,
        isDirectory: info.isDirectory,
        size: info.size,
        mtime: info.mtime?.getTime(),
        ino: info.ino ?? undefined,
      };
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

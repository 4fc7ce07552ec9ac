/**
 * The file-system seam of the `ocidir` transport: the few operations an OCI
 * layout needs, as interfaces. `file_system.ts` holds the Deno
 * implementation and re-exports these.
 *
 * @module
 */
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

/** A held lock; release it exactly once. */
export interface FileLock {
  /** Releases the lock and closes the lock file. */
  release(): Promise<void>;
  /**
   * Turns the held lock exclusive or shared, waiting like a new lock would.
   * @param exclusive true for exclusive
   * @returns when converted
   */
  convert?(exclusive: boolean): Promise<void>;
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

/** Options of {@link FileSystem.hashFile}. */
export interface FileHashOptions {
  /** Digest algorithm, e.g. `sha256`. */
  algorithm: string;
  /** Expected size: at most one byte more is read. */
  size: number;
  /** The file is being written: it is followed as it grows until this settles. */
  writing?: Promise<unknown> | undefined;
  /** While following, flush the file to disk every this many bytes. @default 0 (never) */
  syncEvery?: number | undefined;
  /** Hears the number of bytes read so far. */
  onBytes?: ((count: number) => void) | undefined;
  /** Cancels the hashing. */
  signal?: AbortSignal | undefined;
}

/**
 * Hashes pieces the calling thread reads, on another thread (see
 * {@link FileSystem.hashPieces}), in the order they are given.
 */
export interface PieceHasher {
  /**
   * Hashes the next piece: a view of a `SharedArrayBuffer` that is never
   * written again (the other thread reads it while the caller sends it on).
   * @param piece the bytes
   * @returns nothing
   */
  update(piece: Uint8Array): void;
  /**
   * Ends the job.
   * @returns the digest and byte count of every piece, or `undefined` when
   *   the other thread could not hash them (then nothing is known)
   */
  digest(): Promise<FileHash | undefined>;
  /**
   * Drops the job (a cancelled or failed read).
   * @returns nothing
   */
  stop(): void;
}

/** What {@link FileSystem.hashFile} found. */
export interface FileHash {
  /** `<algorithm>:<hex>` of the bytes read. */
  digest: string;
  /** Bytes read (more than the expected size means the file is longer). */
  count: number;
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
   * The file's bytes, exactly `info.size` of them, in pieces that are views
   * of `SharedArrayBuffer`s (an HTTP server sends them faster; APIs that
   * refuse shared memory, such as Web Crypto, need a copy). Consume or
   * cancel it; that closes the file. A file found shorter fails with a size
   * mismatch.
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
   * ending early when the file is shorter, in pieces like {@link stream}'s
   * (consume or cancel it; that closes the file).
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
   * Hashes a file off the calling thread (following it while it is
   * written). Optional: without it, or when it answers `undefined`, the
   * caller reads and hashes the file itself.
   * @param path file path
   * @param options algorithm, expected size, the write it follows, cancellation
   * @returns the digest and byte count, or `undefined` when it cannot
   * @throws {unknown} the rejection of `writing`, or the signal's reason
   */
  hashFile?:
    | ((path: string, options: FileHashOptions) => Promise<FileHash | undefined>)
    | undefined;
  /**
   * Starts hashing pieces the caller reads on another thread, so a server
   * sending a file it has not checked yet does not hash on its own thread.
   * Optional: without it, or when it answers `undefined`, the caller hashes.
   * @param algorithm digest algorithm, e.g. `sha256`
   * @returns the job, or `undefined` when it cannot
   */
  hashPieces?: ((algorithm: string) => Promise<PieceHasher | undefined>) | undefined;
  /**
   * Makes {@link FileSystem.hashFile} ready ahead of its first call (starts
   * its worker), until the returned function is called. Optional.
   * @returns the release (call it once)
   */
  warmHashFile?: (() => () => void) | undefined;
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
   * The canonical absolute path of an existing path (symbolic links
   * resolved). Optional: without it, paths are compared as given.
   * @param path path
   * @returns the canonical path
   * @throws {NotFoundError} when it does not exist
   */
  realPath?: ((path: string) => Promise<string>) | undefined;
  /**
   * Takes a lock on a lock file (created when missing) that other processes
   * also respect; waits while a conflicting holder has it. Exclusive unless
   * `shared` is set (shared holders only exclude exclusive ones).
   * @param path lock file
   * @param options `shared` for a shared lock
   * @returns the held lock
   */
  lock(path: string, options?: { shared?: boolean | undefined }): Promise<FileLock>;
}

/**
 * The I/O seam of the configuration code: file reads and atomic writes,
 * directory listings, the environment, and running credential helpers.
 * {@link ./deno_config_io.ts} provides the real implementation; tests may
 * pass their own.
 *
 * @module
 */

/** What {@link ConfigIo.stat} reports. */
export interface ConfigFileInfo {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** Permission bits, when the platform has them. */
  mode: number | undefined;
}

/** One entry of {@link ConfigIo.readDir}. */
export interface ConfigDirEntry {
  /** File name without directory. */
  name: string;
  /** A regular file (symbolic links are followed). */
  isFile: boolean;
  /** A directory (symbolic links are followed). */
  isDirectory: boolean;
}

/** The result of {@link ConfigIo.run}. */
export interface RunResult {
  /** Exit code. */
  code: number;
  /** Everything written to stdout, as UTF-8. */
  stdout: string;
  /** Everything written to stderr, as UTF-8. */
  stderr: string;
}

/** Options of {@link ConfigIo.writeTextFileAtomic}. */
export interface WriteAtomicOptions {
  /** Permission bits of the new file. */
  mode: number;
}

/**
 * File, environment and process access for the configuration code. Missing
 * files surface as {@link NotFoundError} from `readTextFile`/`readDir` and as
 * `undefined` from `stat`.
 */
export interface ConfigIo {
  /**
   * Reads a whole (small) text file.
   * @param path file path
   * @returns the file's text
   * @throws {NotFoundError} when the file does not exist
   * @throws {SizeLimitError} when the file is unreasonably large for a config file
   */
  readTextFile(path: string): Promise<string>;
  /**
   * Writes a file atomically (temp file in the same directory, then rename),
   * creating missing parent directories (mode 0700).
   * @param path final file path
   * @param text file content
   * @param options permission bits
   * @returns when the file is in place
   */
  writeTextFileAtomic(path: string, text: string, options: WriteAtomicOptions): Promise<void>;
  /**
   * Describes a path, following symbolic links.
   * @param path file or directory
   * @returns its info, or `undefined` when it does not exist
   */
  stat(path: string): Promise<ConfigFileInfo | undefined>;
  /**
   * Lists a directory.
   * @param path directory
   * @returns its entries in no particular order
   * @throws {NotFoundError} when the directory does not exist
   */
  readDir(path: string): Promise<ConfigDirEntry[]>;
  /** Environment variables of the process. */
  env: Record<string, string>;
  /**
   * Runs a program found on `env.PATH`, feeding `stdin` and collecting output.
   * @param cmd program name or path
   * @param args arguments
   * @param stdin text written to its stdin (then closed)
   * @returns exit code and output
   * @throws {NotFoundError} when the program does not exist
   */
  run(cmd: string, args: string[], stdin: string): Promise<RunResult>;
}

/**
 * {@link ConfigFileError}: a config file that cannot be parsed, with the file
 * and the position of the problem.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";

/** A config file that is not valid JSON (code `CONFIG`). */
export class ConfigFileError extends ConfigError {
  /** The file (or `DOCKER_AUTH_CONFIG`). */
  readonly file: string;
  /** 1-based line of the first syntax error. */
  readonly line: number;
  /** 1-based column of the first syntax error. */
  readonly column: number;
  /**
   * Creates an error with code `CONFIG` holding the file and the position.
   *
   * @param file the file name
   * @param line 1-based line
   * @param column 1-based column
   * @param message "Cannot read config file …: invalid JSON at line … column …"
   * @param options standard error options (`cause`)
   */
  constructor(file: string, line: number, column: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

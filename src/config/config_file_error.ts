/**
 * {@link ConfigFileError}: a config file that cannot be parsed, with the file
 * and the position of the problem.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { jsonErrorPosition } from "./_json_error.ts";

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

/**
 * Parses the JSON text of a config file; invalid JSON is a
 * {@link ConfigFileError} naming the line and column.
 *
 * @param text the file's text
 * @param source the file's path
 * @param where names the file in the message (`config file "…"`)
 * @param hint appended to the message (what to do)
 * @returns the parsed value
 * @throws {ConfigFileError} when the text is not JSON
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonFile } from "./config_file_error.ts";
 * assert.deepEqual(parseJsonFile('{"a":1}', "c.json", "c.json"), { a: 1 });
 * assert.throws(() => parseJsonFile("{\n  x", "c.json", "c.json"), /line 2 column 3/);
 * ```
 */
export function parseJsonFile(text: string, source: string, where: string, hint = ""): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = jsonErrorPosition(text);
    throw new ConfigFileError(
      source,
      at.line,
      at.column,
      `Cannot read ${where}: invalid JSON at line ${at.line} column ${at.column}${hint}`,
      { cause: err },
    );
  }
}

/**
 * Root flags shared by every verb (`-v`, `--logopt`, `--host`,
 * `--user-agent`) and their parsers.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { parseHostFlag } from "../config/host_flag.ts";
import { isLogLevel, type LogLevel } from "./logger.ts";

/** Root flags after parsing. */
export interface GlobalOptions {
  /** Log level. @default "warn" */
  verbosity: LogLevel;
  /** Log options; only `json` is known. */
  logopt: string[];
  /** Raw `--host` values (checked, parsed again with the config files). */
  host: string[];
  /** User-Agent override. */
  userAgent?: string | undefined;
}

/**
 * Parses a `--verbosity` value.
 *
 * @param value the flag value
 * @returns the level
 * @throws {UsageError} for anything but error, warn, info, debug, trace
 */
export function parseVerbosity(value: string): LogLevel {
  const v = value.toLowerCase();
  if (!isLogLevel(v)) {
    throw new UsageError(
      `Cannot use verbosity "${value}": expected error, warn, info, debug or trace`,
    );
  }
  return v;
}

/**
 * Parses one `--logopt` value and appends it (commander repeatable reducer).
 *
 * @param value the flag value
 * @param previous values so far (undefined on the first call)
 * @returns the values with this one appended
 * @throws {UsageError} for anything but `json`
 */
export function collectLogopt(value: string, previous: string[] | undefined): string[] {
  if (value !== "json") {
    throw new UsageError(`Cannot use log option "${value}": the only log option is "json"`);
  }
  return [...(previous ?? []), value];
}

/**
 * Checks one `--host` value and appends it, unparsed (commander repeatable
 * reducer). The raw values are resolved together with the config files when
 * the registry transport is first used.
 *
 * @param value the flag value, e.g. `reg=localhost:5000,tls=disabled`
 * @param previous values so far (undefined on the first call)
 * @returns the values with this one appended
 * @throws {UsageError} for a value `parseHostFlag` (src/config/host_flag.ts) refuses
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectHost } from "./global_options.ts";
 * assert.deepEqual(collectHost("reg=localhost:5000,tls=disabled", undefined), [
 *   "reg=localhost:5000,tls=disabled",
 * ]);
 * ```
 */
export function collectHost(value: string, previous: string[] | undefined): string[] {
  parseHostFlag(value);
  return [...(previous ?? []), value];
}

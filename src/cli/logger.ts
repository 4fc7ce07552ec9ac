/**
 * A small leveled logger for the CLI: one line per record on stderr, plain
 * text or JSON (`--logopt json`).
 *
 * @module
 */

/** Log levels from most to least severe (regctl's names). */
export const LOG_LEVELS = ["error", "warn", "info", "debug", "trace"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Extra structured fields of a record. */
export type LogFields = Record<string, unknown>;

/** The logging seam handed to commands and the engine. */
export interface Logger {
  /** The level at and above which records are written. */
  readonly level: LogLevel;
  /**
   * Tells whether a level is enabled.
   *
   * @param level level to test
   * @returns true when records of that level are written
   */
  enabled(level: LogLevel): boolean;
  /** Logs an error record. @param msg message @param fields extra fields */
  error(msg: string, fields?: LogFields): void;
  /** Logs a warning record. @param msg message @param fields extra fields */
  warn(msg: string, fields?: LogFields): void;
  /** Logs an info record. @param msg message @param fields extra fields */
  info(msg: string, fields?: LogFields): void;
  /** Logs a debug record. @param msg message @param fields extra fields */
  debug(msg: string, fields?: LogFields): void;
  /** Logs a trace record. @param msg message @param fields extra fields */
  trace(msg: string, fields?: LogFields): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. @default "warn" */
  level?: LogLevel | undefined;
  /** Write JSON records instead of text. @default false */
  json?: boolean | undefined;
  /** Receives each record as one line, newline included. */
  write: (line: string) => void;
  /** Clock for timestamps. @default () => new Date() */
  now?: (() => Date) | undefined;
  /**
   * Milliseconds since the process started: added to debug and trace
   * records as `since` (rounded), the start-up timeline of `-v debug`.
   * @default not added
   */
  elapsed?: (() => number) | undefined;
}

/**
 * Tells whether a string is a log level.
 *
 * @param value candidate
 * @returns true for one of {@link LOG_LEVELS}
 */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Creates a logger writing one line per record.
 *
 * @param options level, format and sink
 * @returns the logger
 * @throws never
 *
 * @example Text records at info
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = createLogger({ level: "info", write: (l) => lines.push(l), now: () => new Date(0) });
 * log.debug("hidden");
 * log.info("copied", { tag: "v1" });
 * assert.deepEqual(lines, ['time=1970-01-01T00:00:00.000Z level=info msg=copied tag=v1\n']);
 * ```
 *
 * @example Debug records carry the milliseconds since start
 * ```ts
 * import assert from "node:assert/strict";
 * import { createLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = createLogger({
 *   level: "debug",
 *   write: (l) => lines.push(l),
 *   now: () => new Date(0),
 *   elapsed: () => 41.6,
 * });
 * log.info("copied");
 * log.debug("loading verb", { verb: "tag" });
 * assert.deepEqual(lines, [
 *   "time=1970-01-01T00:00:00.000Z level=info msg=copied\n",
 *   "time=1970-01-01T00:00:00.000Z level=debug msg=\"loading verb\" verb=tag since=42\n",
 * ]);
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? "warn";
  const max = LOG_LEVELS.indexOf(level);
  const now = options.now ?? (() => new Date());
  const enabled = (l: LogLevel): boolean => LOG_LEVELS.indexOf(l) <= max;
  const elapsed = options.elapsed;
  const log = (l: LogLevel, msg: string, given: LogFields = {}): void => {
    if (!enabled(l)) return;
    const time = now().toISOString();
    const fields = elapsed && (l === "debug" || l === "trace")
      ? { ...given, since: Math.round(elapsed()) }
      : given;
    if (options.json) {
      options.write(JSON.stringify({ time, level: l, msg, ...fields }) + "\n");
      return;
    }
    const parts = [`time=${time}`, `level=${l}`, `msg=${_quote(msg)}`];
    for (const [k, v] of Object.entries(fields)) {
      parts.push(`${k}=${_quote(typeof v === "string" ? v : JSON.stringify(v) ?? String(v))}`);
    }
    options.write(parts.join(" ") + "\n");
  };
  return {
    level,
    enabled,
    error: (msg, fields) => log("error", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    debug: (msg, fields) => log("debug", msg, fields),
    trace: (msg, fields) => log("trace", msg, fields),
  };
}

function _quote(value: string): string {
  const flat = value.replace(/\r?\n/g, " ");
  return /^[^\s"=]+$/.test(flat) ? flat : JSON.stringify(flat);
}

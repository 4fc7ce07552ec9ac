/**
 * Root flags shared by every verb (`-v`, `--logopt`, `--host`,
 * `--user-agent`) and their parsers.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { HostConfig, TlsMode } from "../transport/registry/host_config.ts";
import { isLogLevel, type LogLevel } from "./logger.ts";

/** Root flags after parsing. */
export interface GlobalOptions {
  /** Log level. @default "warn" */
  verbosity: LogLevel;
  /** Log options; only `json` is known. */
  logopt: string[];
  /** Ad-hoc registry host settings from `--host`. */
  host: HostConfig[];
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

const TLS_MODES: readonly TlsMode[] = ["enabled", "insecure", "disabled"];

/**
 * Parses a `--host` value such as `reg=localhost:5000,tls=disabled`.
 *
 * @param value comma-separated `key=value` pairs with keys reg, user, pass, tls
 * @returns the host configuration
 * @throws {UsageError} for an unknown key, a missing `reg`, a bad TLS mode or a pair without `=`
 *
 * @example A local registry without TLS
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHostFlag } from "./global_options.ts";
 * assert.deepEqual(parseHostFlag("reg=localhost:5000,tls=disabled"), { name: "localhost:5000", tls: "disabled" });
 * ```
 */
export function parseHostFlag(value: string): HostConfig {
  let name: string | undefined;
  const host: Omit<HostConfig, "name"> = {};
  for (const pair of value.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Cannot parse host "${value}": expected key=value pairs, got "${pair}"`);
    }
    const key = pair.slice(0, eq).trim();
    const val = pair.slice(eq + 1);
    switch (key) {
      case "reg":
      case "registry":
        if (val === "") throw new UsageError(`Cannot parse host "${value}": "reg" is empty`);
        name = val;
        break;
      case "user":
        host.user = val;
        break;
      case "pass":
        host.pass = val;
        break;
      case "tls":
        if (!(TLS_MODES as readonly string[]).includes(val)) {
          throw new UsageError(
            `Cannot parse host "${value}": tls must be enabled, insecure or disabled`,
          );
        }
        host.tls = val as TlsMode;
        break;
      default:
        throw new UsageError(
          `Cannot parse host "${value}": unknown key "${key}" (use reg, user, pass, tls)`,
        );
    }
  }
  if (name === undefined) {
    throw new UsageError(`Cannot parse host "${value}": "reg=<registry>" is required`);
  }
  return { name, ...host };
}

/**
 * Parses one `--host` value and appends it (commander repeatable reducer).
 *
 * @param value the flag value
 * @param previous hosts so far (undefined on the first call)
 * @returns the hosts with this one appended
 * @throws {UsageError} see {@link parseHostFlag}
 */
export function collectHost(value: string, previous: HostConfig[] | undefined): HostConfig[] {
  return [...(previous ?? []), parseHostFlag(value)];
}

/**
 * Exit codes of the CLI and the mapping from thrown errors to them.
 *
 * @module
 */
import { ErrorCode, type ErrorCodeValue, OciError } from "../errors.ts";

/** Process exit codes. */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** A runtime failure. */
  ERROR: 1,
  /** Wrong usage: bad flag, argument, reference, digest, platform or template. */
  USAGE: 2,
  /** Interrupted by SIGINT/SIGTERM (128 + 2). */
  ABORTED: 130,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

const USAGE_CODES: readonly ErrorCodeValue[] = [
  ErrorCode.USAGE,
  ErrorCode.INVALID_REFERENCE,
  ErrorCode.UNKNOWN_SCHEME,
  ErrorCode.INVALID_DIGEST,
  ErrorCode.INVALID_PLATFORM,
  ErrorCode.TEMPLATE,
];

/**
 * Chooses the exit code for a thrown value.
 *
 * @param err the thrown value
 * @param signal the run's signal: an aborted run exits 130 whatever was thrown
 * @returns 2 for usage errors, 130 when cancelled, else 1
 * @throws never
 *
 * @example A bad reference is a usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidReferenceError } from "../errors.ts";
 * import { exitCodeOf } from "./exit_code.ts";
 * assert.equal(exitCodeOf(new InvalidReferenceError("A", "uppercase")), 2);
 * assert.equal(exitCodeOf(new Error("boom")), 1);
 * ```
 */
export function exitCodeOf(err: unknown, signal?: AbortSignal): ExitCodeValue {
  if (signal?.aborted) return ExitCode.ABORTED;
  if (err instanceof OciError) {
    if (err.code === ErrorCode.ABORTED) return ExitCode.ABORTED;
    if (USAGE_CODES.includes(err.code)) return ExitCode.USAGE;
  }
  return ExitCode.ERROR;
}

/**
 * Renders a thrown value as the one line printed on stderr.
 *
 * @param err the thrown value
 * @returns `ocictl: <message>` with newlines folded, newline-terminated
 * @throws never
 */
export function errorLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return `ocictl: ${msg.replace(/\s*\r?\n\s*/g, " ").trim()}\n`;
}

/**
 * The error of a command's `error()` on the fast path of
 * {@link file://./command.ts}.
 *
 * @module
 */

/**
 * A command-line error raised by a command's `error()` on the fast path; the
 * runner reports it as commander's own errors (exit code 2).
 */
export class CommandLineError extends Error {
  /** commander's error code, e.g. `commander.error`. */
  readonly code: string;
  /** The exit code commander would use. */
  readonly exitCode: number;

  /**
   * Creates the error.
   *
   * @param message the message, as given to `error()`
   * @param code commander's error code
   * @param exitCode the exit code
   */
  constructor(message: string, code: string, exitCode: number) {
    super(message);
    this.name = "CommanderError";
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The options of {@link CommandSpec.error}. */
export interface ErrorOptions {
  /** Error code. @default "commander.error" */
  code?: string;
  /** Exit code. @default 1 */
  exitCode?: number;
}

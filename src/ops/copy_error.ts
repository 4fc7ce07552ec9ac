/**
 * The error every copy failure is wrapped in: which operation failed, on
 * which side (source or destination), with the original error as `cause`.
 *
 * @module
 */
import { AbortedError, ErrorCode, type ErrorCodeValue, OciError } from "../errors.ts";

/** The side of a copy an error came from. */
export type CopySide = "source" | "destination";

/**
 * A copy failure. Its `code` is the cause's code when the cause is an
 * {@link OciError} (so exit codes and `isErrorCode` keep working), else
 * `COPY`.
 *
 * @example Wrapping a missing source
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { CopyError } from "./copy_error.ts";
 * const err = new CopyError("get manifest", "source", "ocidir://a:v1", new NotFoundError("Cannot find tag"));
 * assert.equal(err.code, "NOT_FOUND");
 * assert.equal(err.side, "source");
 * ```
 */
export class CopyError extends OciError {
  /** The operation that failed, e.g. `get manifest`, `put blob`. */
  readonly op: string;
  /** Which side failed. */
  readonly side: CopySide;
  /** What was being copied (a reference or a digest). */
  readonly subject: string;

  /**
   * Wraps a failure of one side of a copy.
   * @param op the failed operation (`get manifest`, `put blob`, …)
   * @param side `source` or `destination`
   * @param subject the reference or digest being copied
   * @param cause the original error
   */
  constructor(op: string, side: CopySide, subject: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      _codeOf(cause),
      `Cannot copy "${subject}": ${op} on the ${side} failed: ${detail}`,
      { cause },
    );
    this.op = op;
    this.side = side;
    this.subject = subject;
  }
}

function _codeOf(cause: unknown): ErrorCodeValue {
  if (cause instanceof OciError) return cause.code;
  if (cause instanceof DOMException && cause.name === "AbortError") return ErrorCode.ABORTED;
  return ErrorCode.COPY;
}

/**
 * Wraps an error in a {@link CopyError} unless it already is one (the
 * innermost failing side wins) or it is a cancellation.
 *
 * @param err the thrown value
 * @param op the operation
 * @param side the side
 * @param subject what was being copied
 * @returns the error to throw
 * @throws never
 */
export function wrapCopyError(
  err: unknown,
  op: string,
  side: CopySide,
  subject: string,
): OciError {
  if (err instanceof CopyError || err instanceof AbortedError) return err;
  return new CopyError(op, side, subject, err);
}

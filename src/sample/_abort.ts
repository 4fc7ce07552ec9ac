/**
 * Cancellation check shared by the sample builders.
 *
 * @module
 */
import { AbortedError } from "../errors.ts";

/**
 * Throws when a signal is aborted.
 *
 * @param signal optional signal
 * @throws {AbortedError} when it is aborted
 */
export function _checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortedError("Cannot finish pushing sample content: the operation was cancelled", {
      cause: signal.reason,
    });
  }
}

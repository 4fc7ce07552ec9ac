/**
 * The error thrown for archives (layer tars, image tars) that are unsafe or
 * broken: `..` or absolute entry names, links escaping the root, truncated
 * or corrupt compressed data, missing index files.
 *
 * @module
 */
import { ErrorCode, OciError } from "../errors.ts";

/**
 * An archive that cannot be used safely or read. Its code is
 * `LAYOUT_INVALID` (errors.ts has no archive-specific code).
 *
 * @example Matching on the code
 * ```ts
 * import assert from "node:assert/strict";
 * import { ArchiveError } from "./archive_error.ts";
 * const err = new ArchiveError("x.tar", 'Cannot read "x.tar": entry "../a" leaves the root');
 * assert.equal(err.code, "LAYOUT_INVALID");
 * ```
 */
export class ArchiveError extends OciError {
  /** The archive, entry or path at fault. */
  readonly path: string;
  /**
   * Creates an error with code `LAYOUT_INVALID` holding the path at fault.
   *
   * @param path the archive, entry or path at fault
   * @param message "Cannot … : …"
   * @param options standard error options (`cause`)
   */
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(ErrorCode.LAYOUT_INVALID, message, options);
    this.path = path;
  }
}

/**
 * The error thrown when a Go-style template does not parse or fails to run.
 *
 * @module
 */

import { ErrorCode, OciError } from "../errors.ts";

/**
 * A template that does not parse (syntax, unknown function, undefined
 * variable) or fails while executing (bad field, wrong argument count,
 * incompatible comparison). `line` and `col` are 1-based and point into the
 * template text.
 *
 * @example Catching a template error
 * ```ts
 * import { TemplateError } from "./template_error.ts";
 * const err = new TemplateError("{{nope}}", 1, 3, "function \"nope\" not defined", "parse");
 * if (err.code !== "TEMPLATE" || err.col !== 3) throw new Error("unexpected");
 * ```
 */
export class TemplateError extends OciError {
  /** 1-based line of the offending token. */
  readonly line: number;
  /** 1-based column (in characters) of the offending token. */
  readonly col: number;
  /** The problem without the position prefix. */
  readonly detail: string;
  /**
   * Creates an error with code `TEMPLATE`; the message shows the start of the
   * template and the position.
   *
   * @param source the template text (shortened in the message)
   * @param line 1-based line
   * @param col 1-based column
   * @param detail what went wrong
   * @param phase "parse" or "execute"
   * @param options standard error options (`cause`)
   */
  constructor(
    source: string,
    line: number,
    col: number,
    detail: string,
    phase: "parse" | "execute",
    options?: ErrorOptions,
  ) {
    const shown = source.length > 60 ? `${source.slice(0, 57)}...` : source;
    super(
      ErrorCode.TEMPLATE,
      `Cannot ${phase} template "${shown}": line ${line} col ${col}: ${detail} ` +
        "(fix the --format template; it uses Go text/template syntax)",
      options,
    );
    this.line = line;
    this.col = col;
    this.detail = detail;
  }
}

/**
 * Go text/template compatible engine for `--format`, with regclient's
 * function set. Parse once with {@link parseTemplate}, run with
 * {@link Template.execute}, or do both with {@link renderFormat}.
 *
 * @example Listing platforms of an index
 * ```ts
 * import { renderFormat } from "./template.ts";
 * const out = renderFormat("{{range .manifests}}{{.platform.os}}/{{.platform.architecture}}\n{{end}}", {
 *   manifests: [{ platform: { os: "linux", architecture: "amd64" } }],
 * });
 * if (out !== "linux/amd64\n") throw new Error(out);
 * ```
 *
 * @module
 */

import { executeTree, type UserFunc } from "./exec.ts";
import { BUILTIN_FUNCS } from "./funcs.ts";
import { parse, type ParsedTemplate } from "./parser.ts";

export { TemplateError } from "./template_error.ts";

/** Options of {@link parseTemplate}. */
export interface ParseOptions {
  /** Extra functions (override built-ins of the same name). Called with Go-style nil as `null`. */
  funcs?: Record<string, (...args: unknown[]) => unknown>;
}

/** Options of {@link Template.execute}. */
export interface ExecuteOptions {
  /** Variables for `env` (default: none, so `env` returns ""). */
  env?: Record<string, string>;
  /** Reads a file for `file` (default: none, so `file` returns ""). Errors give "". */
  readFile?: (path: string) => string;
  /** Clock for `time.Now` (default: `new Date()`). */
  now?: () => Date;
}

/** A parsed template, ready to run any number of times. */
export class Template {
  #text: string;
  #tree: ParsedTemplate;
  #funcs: Readonly<Record<string, UserFunc>>;

  /**
   * Use {@link parseTemplate} instead.
   *
   * @param text the template text
   * @param tree its parse tree
   * @param funcs caller functions
   */
  constructor(text: string, tree: ParsedTemplate, funcs: Readonly<Record<string, UserFunc>>) {
    this.#text = text;
    this.#tree = tree;
    this.#funcs = funcs;
  }

  /** The template text. */
  get text(): string {
    return this.#text;
  }

  /**
   * Runs the template with `data` as `.` and `$`.
   *
   * @param data the data (JSON-like values, class instances with Go-named methods, Maps)
   * @param options environment, file reader and clock for `env`, `file`, `time.Now`
   * @returns the output text
   * @throws {TemplateError} on an execution error (bad field access, wrong argument
   *   count, incompatible comparison, function failure), with line and column
   */
  execute(data: unknown, options: ExecuteOptions = {}): string {
    return executeTree(this.#text, this.#tree, this.#funcs, data, {
      env: options.env ?? {},
      readFile: options.readFile,
      now: options.now ?? (() => new Date()),
    });
  }
}

/**
 * Parses a Go template. Like Go, unknown functions and undefined variables
 * are reported here rather than at execution.
 *
 * @param text the template text
 * @param options extra functions
 * @returns the parsed template
 * @throws {TemplateError} on a syntax error, unknown function or undefined variable, with line and column
 */
export function parseTemplate(text: string, options: ParseOptions = {}): Template {
  const funcs = { ...(options.funcs ?? {}) };
  const tree = parse(
    text,
    (name) => Object.hasOwn(funcs, name) || Object.hasOwn(BUILTIN_FUNCS, name),
  );
  return new Template(text, tree, funcs);
}

/**
 * Parses and runs a `--format` template in one step.
 *
 * @param format the template text
 * @param data the data
 * @param options extra functions plus execution options
 * @returns the output text
 * @throws {TemplateError} on a parse or execution error
 */
export function renderFormat(
  format: string,
  data: unknown,
  options: ParseOptions & ExecuteOptions = {},
): string {
  const parseOpts: ParseOptions = options.funcs === undefined ? {} : { funcs: options.funcs };
  return parseTemplate(format, parseOpts).execute(data, options);
}

/**
 * `--format` handling: regctl's raw shortcuts, and Go templates through the
 * template engine in `src/template/`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { printPretty } from "../template/pretty.ts";
import type { StreamSink } from "./stream_sink.ts";
import { concatBytes } from "../bytes.ts";
import { FORMAT_PRETTY } from "./default_format.ts";

/** Response headers as Go's `http.Header`: canonical names to values. */
export type RawHeaders = Record<string, string[]>;

/**
 * A value handed to `--format`. Fields use Go names (`.Digest`); the
 * pretty form is regctl's human output.
 */
export interface Formattable {
  /** regctl's human output (what `printPretty` prints). @returns the text */
  marshalPretty(): string;
  /** The JSON form (`{{json .}}`). @returns a JSON-serialisable value */
  toJSON(): unknown;
  /** Exact body bytes, when there is a body. @returns the bytes */
  RawBody?(): Uint8Array;
  /** Response headers, when there are any. @returns the headers */
  RawHeaders?(): RawHeaders;
}

export { FORMAT_PRETTY } from "./default_format.ts";

/** What templates may read besides the value: `env` and `file`. */
export interface FormatOptions {
  /** Environment for `{{env "X"}}`. @default {} */
  env?: Record<string, string> | undefined;
  /** File reader for `{{file "path"}}`. */
  readFile?: ((path: string) => string) | undefined;
}

/**
 * Renders a value with a `--format` string.
 *
 * Shortcuts: `raw` (headers, blank line, body), `raw-body`/`rawBody`/`body`,
 * `raw-headers`/`rawHeaders`/`headers`. Anything else is a Go template
 * (`{{printPretty .}}`, `{{json .}}`, `{{range .Manifests}}…{{end}}`).
 *
 * @param value the value (Go-named fields)
 * @param format the `--format` value
 * @param options `env` and `file` sources for templates
 * @returns text or exact bytes to write to stdout
 * @throws {UsageError} for raw shortcuts on values without a body or headers
 * @throws {TemplateError} for a template that does not parse or fails (code `TEMPLATE`)
 *
 * @example Raw body and pretty form
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatOutput } from "./output.ts";
 * const v = { marshalPretty: () => "x\n", toJSON: () => ({ a: 1 }), RawBody: () => new Uint8Array([1]) };
 * assert.equal(await formatOutput(v, "{{printPretty .}}"), "x\n");
 * assert.equal(await formatOutput(v, "{{json .}}"), '{"a":1}\n');
 * assert.deepEqual(await formatOutput(v, "raw-body"), new Uint8Array([1]));
 * ```
 */
export async function formatOutput(
  value: Formattable,
  format: string,
  options: FormatOptions = {},
): Promise<string | Uint8Array> {
  switch (format) {
    case "raw":
      return concatBytes([
        new TextEncoder().encode(_headers(value, format) + "\n"),
        _body(value, format),
      ]);
    case "raw-body":
    case "rawBody":
    case "body":
      return _body(value, format);
    case "raw-headers":
    case "rawHeaders":
    case "headers":
      return _headers(value, format);
  }
  // The default format needs no template engine, which is loaded on first use (start-up).
  if (format === FORMAT_PRETTY) return printPretty(value);
  const { readFile } = options;
  const { renderFormat } = await import("../template/template.ts");
  return renderFormat(format, value, { env: options.env ?? {}, ...(readFile ? { readFile } : {}) });
}

function _body(value: Formattable, format: string): Uint8Array {
  if (!value.RawBody) {
    throw new UsageError(`Cannot use format "${format}": this output has no body`);
  }
  return value.RawBody();
}

function _headers(value: Formattable, format: string): string {
  if (!value.RawHeaders) {
    throw new UsageError(`Cannot use format "${format}": this output has no headers`);
  }
  const h = value.RawHeaders();
  return Object.keys(h).sort().flatMap((k) => (h[k] ?? []).map((v) => `${k}: ${v}\n`)).join("");
}

/**
 * A list of strings (tags) whose pretty form is one per line.
 *
 * @param items the strings
 * @param json the JSON form
 * @returns a {@link Formattable}
 * @throws never
 */
export function lineList(items: readonly string[], json: unknown): Formattable {
  return {
    marshalPretty: () => items.map((t) => `${t}\n`).join(""),
    toJSON: () => json,
  };
}

/**
 * Renders a value with a `--format` string and writes it to a sink.
 *
 * @param ctx the stdout sink and the template sources (a `CliContext` fits)
 * @param value the value
 * @param format the `--format` value
 * @returns a promise settled once written
 * @throws {UsageError} see {@link formatOutput}
 */
export async function writeFormatted(
  ctx: { out: StreamSink } & FormatOptions,
  value: Formattable,
  format: string,
): Promise<void> {
  await ctx.out.write(await formatOutput(value, format, ctx));
}

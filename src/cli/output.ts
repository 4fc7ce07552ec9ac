/**
 * `--format` handling: regctl's raw shortcuts and default templates. Other
 * Go templates are refused until the template engine is wired in.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { StreamSink } from "./stream_sink.ts";

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

/** The default format of most verbs. */
export const FORMAT_PRETTY = "{{printPretty .}}";

const PRETTY = /^\{\{\s*printPretty\s+\.\s*\}\}$/;
const JSON_ONE = /^\{\{\s*json\s+\.\s*\}\}$/;
const JSON_PRETTY = /^\{\{\s*jsonPretty\s+\.\s*\}\}$/;
const PRINTLN_FIELD = /^\{\{\s*println\s+\.([A-Z][A-Za-z0-9]*)\s*\}\}$/;

/**
 * Renders a value with a `--format` string.
 *
 * Supported: `raw` (headers, blank line, body), `raw-body`/`rawBody`/`body`,
 * `raw-headers`/`rawHeaders`/`headers`, `{{printPretty .}}`, `{{json .}}`,
 * `{{jsonPretty .}}` and `{{println .Field}}`.
 *
 * @param value the value (Go-named fields)
 * @param format the `--format` value
 * @returns text or exact bytes to write to stdout
 * @throws {UsageError} for other templates (not available yet) and for raw
 *   shortcuts on values without a body or headers
 *
 * @example Raw body and pretty form
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatOutput } from "./output.ts";
 * const v = { marshalPretty: () => "x\n", toJSON: () => ({ a: 1 }), RawBody: () => new Uint8Array([1]) };
 * assert.equal(formatOutput(v, "{{printPretty .}}"), "x\n");
 * assert.equal(formatOutput(v, "{{json .}}"), '{"a":1}');
 * assert.deepEqual(formatOutput(v, "raw-body"), new Uint8Array([1]));
 * ```
 */
export function formatOutput(value: Formattable, format: string): string | Uint8Array {
  switch (format) {
    case "raw":
      return _concat(
        new TextEncoder().encode(_headers(value, format) + "\n"),
        _body(value, format),
      );
    case "raw-body":
    case "rawBody":
    case "body":
      return _body(value, format);
    case "raw-headers":
    case "rawHeaders":
    case "headers":
      return _headers(value, format);
  }
  const f = format.trim();
  if (PRETTY.test(f)) return value.marshalPretty();
  if (JSON_ONE.test(f)) return JSON.stringify(value);
  if (JSON_PRETTY.test(f)) return JSON.stringify(value, null, 2);
  const field = PRINTLN_FIELD.exec(f)?.[1];
  if (field !== undefined && field in value) {
    const v = (value as unknown as Record<string, unknown>)[field];
    if (typeof v === "string" || typeof v === "number") return `${v}\n`;
  }
  throw new UsageError(
    `Cannot use format "${format}": templates arrive soon; use raw, raw-body, raw-headers, "{{json .}}" or "{{printPretty .}}"`,
  );
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

function _concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
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
 * @param out the sink (stdout)
 * @param value the value
 * @param format the `--format` value
 * @returns a promise settled once written
 * @throws {UsageError} see {@link formatOutput}
 */
export function writeFormatted(out: StreamSink, value: Formattable, format: string): Promise<void> {
  return out.write(formatOutput(value, format));
}

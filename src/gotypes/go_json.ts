/**
 * JSON encoding as Go's `encoding/json` writes it: `json.Marshal` (HTML
 * characters escaped) for stored documents, and the `json.Encoder` with
 * `SetEscapeHTML(false)` that regclient's `json`, `jsonPretty` and
 * `printPretty` template functions use.
 *
 * @module
 */

import { isNil } from "./go_nil.ts";

const MAX_DEPTH = 1000;

/** Options for {@link marshalGoJson}. */
export interface GoJsonOptions {
  /** Indent unit; "" (the default) writes compact JSON. */
  readonly indent?: string;
  /** Escape `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, as `json.Marshal` does. @default false */
  readonly escapeHTML?: boolean;
}

function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function quote(s: string, escapeHTML: boolean): string {
  let out = JSON.stringify(s.toWellFormed()).replaceAll("\u2028", "\\u2028").replaceAll(
    "\u2029",
    "\\u2029",
  );
  if (escapeHTML) {
    out = out.replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026");
  }
  return out;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Encodes a value as Go's encoder does: `toJSON` honoured (the Go structs of
 * this folder produce their field order and omissions there), `Map` keys
 * sorted, nil slices and maps as `null`, byte arrays as base64, undefined
 * fields and functions left out.
 *
 * @param v the value
 * @param options indent and HTML escaping
 * @returns the JSON text without a trailing newline
 * @throws {TypeError} for NaN/Infinity, cycles or nesting deeper than 1000
 *
 * @example Stored form of a document
 * ```ts
 * import assert from "node:assert/strict";
 * import { marshalGoJson } from "./go_json.ts";
 * assert.equal(marshalGoJson({ a: "<b>" }, { escapeHTML: true }), '{"a":"\\u003cb\\u003e"}');
 * assert.equal(marshalGoJson(new Map([["b", 1], ["a", 2]])), '{"a":2,"b":1}');
 * ```
 */
export function marshalGoJson(v: unknown, options: GoJsonOptions = {}): string {
  return encode(v, options.indent ?? "", options.escapeHTML ?? false, "", 0);
}

/**
 * Encodes a value as regclient's template functions do (no HTML escaping).
 *
 * @param v the value
 * @param indent indent unit ("" for compact output)
 * @returns the JSON text without a trailing newline
 * @throws {TypeError} for NaN/Infinity, cycles or nesting deeper than 1000
 */
export function goJson(v: unknown, indent = ""): string {
  return marshalGoJson(v, { indent });
}

function encode(v: unknown, indent: string, html: boolean, cur: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError("json: nesting too deep or cyclic value");
  if (isNil(v) || typeof v === "function" || typeof v === "symbol") return "null";
  switch (typeof v) {
    case "boolean":
      return String(v);
    case "bigint":
      return v.toString();
    case "number":
      if (!Number.isFinite(v)) throw new TypeError(`json: unsupported value: ${v}`);
      return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : JSON.stringify(v);
    case "string":
      return quote(v, html);
  }
  const obj = v as object;
  if (obj instanceof Uint8Array) return quote(encodeBase64(obj), html);
  const toJson = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJson === "function") {
    return encode(toJson.call(obj), indent, html, cur, depth + 1);
  }
  const inner = cur + indent;
  const nl = indent === "" ? "" : "\n";
  const sep = indent === "" ? ":" : ": ";
  if (Array.isArray(obj)) {
    if (obj.length === 0) return "[]";
    const items = obj.map((x) => inner + encode(x, indent, html, inner, depth + 1));
    return `[${nl}${items.join("," + nl)}${nl}${cur}]`;
  }
  let entries: [string, unknown][];
  if (obj instanceof Map) {
    entries = [...obj.entries()].map(([k, x]): [string, unknown] => [String(k), x])
      .sort((a, b) => compareKeys(a[0], b[0]));
  } else {
    const plain = isPlain(obj);
    entries = Object.entries(obj).filter(([, x]) =>
      x !== undefined && typeof x !== "function" && (plain || typeof x !== "symbol")
    );
  }
  if (entries.length === 0) return "{}";
  const parts = entries.map(([k, x]) =>
    inner + quote(k, html) + sep + encode(x, indent, html, inner, depth + 1)
  );
  return `{${nl}${parts.join("," + nl)}${nl}${cur}}`;
}

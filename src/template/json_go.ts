/**
 * JSON encoding as Go's `json.Encoder` with `SetEscapeHTML(false)` writes it,
 * used by the `json`, `jsonPretty` and `printPretty` template functions.
 *
 * @module
 */

import { isPlainObject, mapKeys } from "./values.ts";

const MAX_DEPTH = 1000;

function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function quote(s: string): string {
  return JSON.stringify(s).replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
}

/**
 * Encodes a value as JSON like Go's encoder: `Map` keys sorted, `toJSON`
 * honoured, byte arrays as base64, undefined fields and functions left out,
 * `<`, `>` and `&` not escaped.
 *
 * @param v the value
 * @param indent indent unit ("" for compact output)
 * @returns the JSON text without a trailing newline
 * @throws {TypeError} for NaN/Infinity, cycles or nesting deeper than 1000
 */
export function goJson(v: unknown, indent = ""): string {
  return encode(v, indent, "", 0);
}

function encode(v: unknown, indent: string, cur: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError("json: nesting too deep or cyclic value");
  if (v === undefined || v === null || typeof v === "function" || typeof v === "symbol") {
    return "null";
  }
  switch (typeof v) {
    case "boolean":
      return String(v);
    case "bigint":
      return v.toString();
    case "number":
      if (!Number.isFinite(v)) throw new TypeError(`json: unsupported value: ${v}`);
      return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : JSON.stringify(v);
    case "string":
      return quote(v);
  }
  const obj = v as object;
  if (obj instanceof Uint8Array) return quote(encodeBase64(obj));
  const toJson = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJson === "function") {
    return encode(toJson.call(obj), indent, cur, depth + 1);
  }
  const inner = cur + indent;
  const nl = indent === "" ? "" : "\n";
  const sep = indent === "" ? ":" : ": ";
  if (Array.isArray(obj)) {
    if (obj.length === 0) return "[]";
    const items = obj.map((x) => inner + encode(x, indent, inner, depth + 1));
    return `[${nl}${items.join("," + nl)}${nl}${cur}]`;
  }
  let entries: [string, unknown][];
  if (obj instanceof Map) {
    entries = mapKeys(obj).map((k) => [String(k), obj.get(k)]);
  } else {
    entries = Object.entries(obj).filter(([, x]) =>
      x !== undefined && typeof x !== "function" && (isPlainObject(obj) || typeof x !== "symbol")
    );
  }
  if (entries.length === 0) return "{}";
  const parts = entries.map(([k, x]) =>
    inner + quote(k) + sep + encode(x, indent, inner, depth + 1)
  );
  return `{${nl}${parts.join("," + nl)}${nl}${cur}}`;
}

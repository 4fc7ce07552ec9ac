/**
 * regclient's `printPretty` template function: the value's own pretty form
 * when it has one, pretty JSON otherwise.
 *
 * @module
 */

import { goJson } from "../gotypes/go_json.ts";

/**
 * Renders a value for humans. Calls `value.marshalPretty()` (or Go-style
 * `MarshalPretty()`) when present; its string or bytes are returned as is and
 * an error gives "" (as regclient does). Other values are encoded as JSON
 * with a 2-space indent and a trailing newline.
 *
 * @param v the value
 * @returns the text ("" when the value cannot be rendered)
 */
export function printPretty(v: unknown): string {
  if (typeof v === "object" && v !== null) {
    const rec = v as Record<string, unknown>;
    const fn = typeof rec.marshalPretty === "function"
      ? rec.marshalPretty
      : typeof rec.MarshalPretty === "function"
      ? rec.MarshalPretty
      : undefined;
    if (fn !== undefined) {
      try {
        const out: unknown = (fn as () => unknown).call(v);
        if (out instanceof Uint8Array) return new TextDecoder().decode(out);
        return typeof out === "string" ? out : "";
      } catch {
        return "";
      }
    }
  }
  return jsonPretty(v);
}

/**
 * regclient's `json` function: compact JSON plus a newline ("" on error).
 *
 * @param v the value
 * @returns the JSON text
 */
export function jsonCompact(v: unknown): string {
  try {
    return goJson(v) + "\n";
  } catch {
    return "";
  }
}

/**
 * regclient's `jsonPretty` function: JSON indented by two spaces plus a
 * newline ("" on error).
 *
 * @param v the value
 * @returns the JSON text
 */
export function jsonPretty(v: unknown): string {
  try {
    return goJson(v, "  ") + "\n";
  } catch {
    return "";
  }
}

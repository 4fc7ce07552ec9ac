/**
 * A registry host entry as written to ocictl's config file, its keys in
 * regctl's order. Only the commands that save or show the config need it.
 *
 * @module
 */
import { CONFIG_HOST_KEYS, type ConfigHost } from "./config_host.ts";

/**
 * A copy of a host entry with its keys in file order and unset keys dropped.
 *
 * @param host host entry
 * @returns a plain object ready for `JSON.stringify`
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostToJson } from "./host_json.ts";
 * assert.deepEqual(
 *   Object.keys(hostToJson({ user: "u", tls: "disabled", mirrors: ["m"] })),
 *   ["tls", "user", "mirrors"],
 * );
 * ```
 */
export function hostToJson(host: ConfigHost): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_HOST_KEYS) {
    const v = host[k];
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? [...v] : typeof v === "object" ? { ...v } : v;
  }
  return out;
}

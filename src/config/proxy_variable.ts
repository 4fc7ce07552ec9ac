/**
 * Which proxy variable applies to a URL: the cheap first step of proxy
 * selection, so that a process without proxy variables loads none of the
 * `NO_PROXY` and proxy URL parsing (`proxy_env.ts`).
 *
 * @module
 */

/** A proxy variable that is set, and its value. */
export interface ProxyVariable {
  /** The uppercase name (`HTTPS_PROXY` or `HTTP_PROXY`), for messages. */
  name: string;
  /** Its value (from the uppercase name, else the lowercase one). */
  value: string;
}

/**
 * The proxy variable for a URL's scheme, when it is set: `HTTPS_PROXY` for
 * `https:`, `HTTP_PROXY` for `http:` (the uppercase name wins over the
 * lowercase one). Whether the URL is then exempt (loopback, `NO_PROXY`) is
 * `proxyFor`'s to decide.
 *
 * @param url the request URL
 * @param env environment variables
 * @returns the variable and its value, or `undefined` when it is unset or
 *   empty, or the scheme is neither http nor https
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyVariable } from "./proxy_variable.ts";
 * const env = { "https_proxy": "proxy.corp:3128" };
 * assert.deepEqual(proxyVariable(new URL("https://ghcr.io/v2/"), env), {
 *   name: "HTTPS_PROXY",
 *   value: "proxy.corp:3128",
 * });
 * assert.equal(proxyVariable(new URL("http://ghcr.io/v2/"), env), undefined);
 * ```
 */
export function proxyVariable(url: URL, env: Record<string, string>): ProxyVariable | undefined {
  const https = url.protocol === "https:";
  if (!https && url.protocol !== "http:") return undefined;
  const name = https ? "HTTPS_PROXY" : "HTTP_PROXY";
  const value = env[name] || env[name.toLowerCase()] || "";
  return value ? { name, value } : undefined;
}

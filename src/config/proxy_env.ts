/**
 * Proxy selection from `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (and their
 * lowercase forms), following Go's `httpproxy` rules.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { proxyVariable } from "./proxy_variable.ts";

/**
 * The proxy to use for a URL.
 *
 * `https:` URLs use `HTTPS_PROXY`, `http:` URLs `HTTP_PROXY` (the uppercase
 * name wins over the lowercase one). No proxy is used for `localhost`,
 * loopback addresses, or hosts matched by `NO_PROXY`: a comma or space
 * separated list of `*` (everything), host names (matching the host and its
 * subdomains), `.suffix` (subdomains only), IP addresses, IPv4 CIDR ranges,
 * each optionally with `:port`.
 *
 * @param url the request URL
 * @param env environment variables
 * @returns the proxy URL (`http://` added when no scheme is given), or `undefined`
 * @throws {ConfigError} when the proxy variable is not a URL or uses another
 *   scheme than http, https or socks5
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { proxyFor } from "./proxy_env.ts";
 * const env = { HTTPS_PROXY: "proxy.corp:3128", NO_PROXY: ".internal" };
 * assert.equal(proxyFor("https://ghcr.io/v2/", env), "http://proxy.corp:3128");
 * assert.equal(proxyFor("https://reg.internal/v2/", env), undefined);
 * ```
 */
export function proxyFor(url: string | URL, env: Record<string, string>): string | undefined {
  const u = typeof url === "string" ? new URL(url) : url;
  const variable = proxyVariable(u, env);
  if (variable === undefined) return undefined;
  const host = u.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  if (host === "localhost" || _isLoopback(host)) return undefined;
  const noProxy = env.NO_PROXY || env.no_proxy || "";
  if (_noProxyMatch(noProxy, host, port)) return undefined;
  return _proxyUrl(variable.value, variable.name);
}

function _proxyUrl(raw: string, name: string): string {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(raw) ? raw : `http://${raw}`;
  let p: URL;
  try {
    p = new URL(withScheme);
  } catch {
    throw new ConfigError(`Cannot use proxy "${raw}" from ${name}: it is not a URL`);
  }
  if (!["http:", "https:", "socks5:", "socks5h:"].includes(p.protocol) || !p.hostname) {
    throw new ConfigError(
      `Cannot use proxy "${raw}" from ${name}: use an http, https or socks5 URL`,
    );
  }
  return withScheme.replace(/\/+$/, "");
}

function _noProxyMatch(list: string, host: string, port: string): boolean {
  for (let entry of list.split(/[\s,]+/)) {
    entry = entry.trim().toLowerCase();
    if (!entry) continue;
    if (entry === "*") return true;
    // CIDR
    if (entry.includes("/")) {
      if (_inCidr(host, entry)) return true;
      continue;
    }
    let entryHost = entry;
    let entryPort = "";
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (v6) {
      entryHost = v6[1] ?? "";
      entryPort = v6[2] ?? "";
    } else if ((entry.match(/:/g) ?? []).length === 1) {
      const i = entry.lastIndexOf(":");
      entryHost = entry.slice(0, i);
      entryPort = entry.slice(i + 1);
    }
    if (entryPort && entryPort !== port) continue;
    if (entryHost.startsWith("*.")) entryHost = entryHost.slice(1);
    if (entryHost.startsWith(".")) {
      if (host.endsWith(entryHost)) return true;
      continue;
    }
    if (host === entryHost || host.endsWith("." + entryHost)) return true;
  }
  return false;
}

function _isLoopback(host: string): boolean {
  if (host === "::1") return true;
  const v4 = _ipv4(host);
  return v4 !== undefined && v4 >>> 24 === 127;
}

function _ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) return undefined;
    n = n * 256 + part;
  }
  return n;
}

function _inCidr(host: string, cidr: string): boolean {
  const [base = "", bitsText = ""] = cidr.split("/");
  const ip = _ipv4(host);
  const net = _ipv4(base);
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !/^\d{1,2}$/.test(bitsText) || bits > 32) {
    return false;
  }
  if (bits === 0) return true;
  const mask = bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
  return ((ip & mask) >>> 0) === ((net & mask) >>> 0);
}

/**
 * Recognises loopback, link-local and private addresses, for the redirect
 * rule "a registry on a public host may not send us to a local one" (the
 * regclient regnet rule). Only literal addresses and `localhost` are
 * recognised: no name is resolved.
 *
 * @module
 */

/**
 * Tells whether a host name is a loopback, link-local, private or
 * unspecified address (IPv4 or IPv6, with or without brackets), or
 * `localhost`.
 *
 * @param hostname the host part of a URL (no port)
 * @returns true for a local address
 * @throws never
 *
 * @example Local and public hosts
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLocalAddress } from "./local_address.ts";
 * assert.equal(isLocalAddress("127.0.0.1"), true);
 * assert.equal(isLocalAddress("[fe80::1]"), true);
 * assert.equal(isLocalAddress("registry-1.docker.io"), false);
 * ```
 */
export function isLocalAddress(hostname: string): boolean {
  let h = hostname.toLowerCase().replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  const v4 = _ipv4(h);
  if (v4) return _localV4(v4);
  if (!h.includes(":")) return false;
  const v6 = _ipv6(h);
  if (!v6) return false;
  if (v6.every((x) => x === 0)) return true; // ::
  if (v6.slice(0, 7).every((x) => x === 0) && v6[7] === 1) return true; // ::1
  const first = v6[0] ?? 0;
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if (v6.slice(0, 5).every((x) => x === 0) && v6[5] === 0xffff) {
    const a = v6[6] ?? 0;
    const b = v6[7] ?? 0;
    return _localV4([a >> 8, a & 0xff, b >> 8, b & 0xff]);
  }
  return false;
}

function _localV4(ip: number[]): boolean {
  const [a = 0, b = 0] = ip;
  return a === 127 || a === 10 || a === 0 || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || (a === 169 && b === 254);
}

function _ipv4(h: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : undefined;
}

function _ipv6(h: string): number[] | undefined {
  let text = h.split("%")[0] ?? "";
  const dotted = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (dotted) {
    const v4 = _ipv4(dotted[1] ?? "");
    if (!v4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    text = text.slice(0, dotted.index) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((x) => _hex(x)));
  const head = parse(halves[0] ?? "");
  const rest = halves.length === 2 ? parse(halves[1] ?? "") : [];
  if ([...head, ...rest].some((x) => x === undefined)) return undefined;
  if (halves.length === 1) return head.length === 8 ? head as number[] : undefined;
  const fill = 8 - head.length - rest.length;
  if (fill < 0) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...rest] as number[];
}

function _hex(x: string): number | undefined {
  return /^[0-9a-f]{1,4}$/.test(x) ? parseInt(x, 16) : undefined;
}

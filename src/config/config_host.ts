/**
 * One registry host entry as stored in ocictl's config file (the same JSON
 * keys as regctl's `hosts` entries) and its validation. Every `--host` flag
 * is checked with it as the command line is parsed, so it holds nothing
 * else: writing an entry is in {@link ./host_json.ts}, its conversion for
 * the registry transport in {@link ./resolve_hosts.ts}, its `credExpire` in
 * milliseconds in {@link ./host_credentials.ts}.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { TlsMode } from "./host_settings.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";

/** A registry host entry as written in the config file (JSON shape). */
export interface ConfigHost {
  /** `enabled` (https), `insecure` (https without verification) or `disabled` (http). */
  tls?: TlsMode | undefined;
  /** PEM CA certificates for this registry. */
  regcert?: string | undefined;
  /** PEM client certificate (mTLS). */
  clientCert?: string | undefined;
  /** PEM client key (mTLS). */
  clientKey?: string | undefined;
  /** Actual `host[:port]` to contact. */
  hostname?: string | undefined;
  /** Basic user name. */
  user?: string | undefined;
  /** Basic password. */
  pass?: string | undefined;
  /** Identity / refresh token. */
  token?: string | undefined;
  /** Credential helper binary (full name, `docker-credential-…`). */
  credHelper?: string | undefined;
  /** How long helper output is reused, Go duration. @default "1h" */
  credExpire?: string | undefined;
  /** Name passed to the helper. @default the hostname (`https://index.docker.io/v1/` for Hub) */
  credHost?: string | undefined;
  /** Path inserted after `/v2/`. */
  pathPrefix?: string | undefined;
  /** Other registry names tried for pulls. */
  mirrors?: string[] | undefined;
  /** Mirror ordering. @default 0 */
  priority?: number | undefined;
  /** Separate token per repository. @default false */
  repoAuth?: boolean | undefined;
  /** API options; the only known key is `disableHead` (`"true"`). */
  apiOpts?: Record<string, string> | undefined;
  /** Chunk size for chunked uploads. */
  blobChunk?: number | undefined;
  /** Size above which uploads are chunked, -1 never. */
  blobMax?: number | undefined;
  /** Request starts per second, 0 for no limit. */
  reqPerSec?: number | undefined;
  /** Concurrent requests. */
  reqConcurrent?: number | undefined;
}

/** A {@link ConfigHost} together with its registry name. */
export interface NamedHost extends ConfigHost {
  /** Registry name as used in references. */
  name: string;
}

/** The JSON keys of a host entry, in the order they are written. */
export const CONFIG_HOST_KEYS = [
  "tls",
  "regcert",
  "clientCert",
  "clientKey",
  "hostname",
  "user",
  "pass",
  "token",
  "credHelper",
  "credExpire",
  "credHost",
  "pathPrefix",
  "mirrors",
  "priority",
  "repoAuth",
  "apiOpts",
  "blobChunk",
  "blobMax",
  "reqPerSec",
  "reqConcurrent",
] as const satisfies readonly (keyof ConfigHost)[];

const STRING_KEYS = [
  "regcert",
  "clientCert",
  "clientKey",
  "hostname",
  "user",
  "pass",
  "token",
  "credHelper",
  "credHost",
  "pathPrefix",
] as const;

const INT_KEYS = ["blobChunk", "blobMax", "reqConcurrent", "priority"] as const;

/** Older spellings accepted when reading. */
const ALIASES: Record<string, keyof ConfigHost> = {
  clientcert: "clientCert",
  clientkey: "clientKey",
};

/**
 * Parses a TLS mode (`enabled`, `insecure`, `disabled`, any case; empty for unset).
 *
 * @param value the text
 * @param subject where the value came from, for the error message
 * @returns the mode, or `undefined` for an empty value
 * @throws {ConfigError} for any other value
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTlsMode } from "./config_host.ts";
 * assert.equal(parseTlsMode("Disabled", "--host"), "disabled");
 * ```
 */
export function parseTlsMode(value: string, subject: string): TlsMode | undefined {
  const v = value.toLowerCase();
  if (v === "") return undefined;
  if (v === "enabled" || v === "insecure" || v === "disabled") return v;
  throw new ConfigError(
    `Cannot use ${subject}: unknown tls value "${value}" (use enabled, insecure or disabled)`,
  );
}

/**
 * Validates a host entry read from JSON. Empty strings count as unset,
 * unknown and deprecated keys (`scheme`, `dns`, `api`) are ignored.
 *
 * @param value the parsed JSON value
 * @param subject where it came from (`host "x" in "/path/config.json"`)
 * @returns the entry with only known, well-typed fields
 * @throws {ConfigError} when the value or one of its fields has the wrong type
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfigHost } from "./config_host.ts";
 * assert.deepEqual(parseConfigHost({ tls: "disabled", user: "" }, "host"), { tls: "disabled" });
 * ```
 */
export function parseConfigHost(value: unknown, subject: string): ConfigHost {
  if (!_isRecord(value)) {
    throw new ConfigError(`Cannot read ${subject}: expected a JSON object`);
  }
  const out: ConfigHost = {};
  const bad = (key: string, want: string): ConfigError =>
    new ConfigError(`Cannot read ${subject}: "${key}" must be ${want}`);
  for (const [rawKey, v] of Object.entries(value)) {
    const key = ALIASES[rawKey] ?? rawKey;
    if (v === null || v === undefined) continue;
    if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof v !== "string") throw bad(rawKey, "a string");
      if (v !== "") out[key as typeof STRING_KEYS[number]] = v;
    } else if ((INT_KEYS as readonly string[]).includes(key)) {
      if (typeof v !== "number" || !Number.isSafeInteger(v)) throw bad(rawKey, "an integer");
      if (key === "priority" && v < 0) throw bad(rawKey, "zero or more");
      if (v !== 0) out[key as typeof INT_KEYS[number]] = v;
    } else {
      switch (key) {
        case "tls":
          if (typeof v !== "string") throw bad(rawKey, "a string");
          {
            const mode = parseTlsMode(v, subject);
            if (mode) out.tls = mode;
          }
          break;
        case "credExpire":
          out.credExpire = _credExpire(v, bad);
          if (out.credExpire === "0") delete out.credExpire;
          break;
        case "mirrors":
          if (!Array.isArray(v) || !v.every((m) => typeof m === "string")) {
            throw bad(rawKey, "a list of strings");
          }
          if (v.length > 0) out.mirrors = [...v];
          break;
        case "repoAuth":
          if (typeof v !== "boolean") throw bad(rawKey, "true or false");
          if (v) out.repoAuth = true;
          break;
        case "apiOpts":
          if (!_isRecord(v) || !Object.values(v).every((o) => typeof o === "string")) {
            throw bad(rawKey, "an object of strings");
          }
          if (Object.keys(v).length > 0) out.apiOpts = { ...v } as Record<string, string>;
          break;
        case "reqPerSec":
          if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
            throw bad(rawKey, "a number of zero or more");
          }
          if (v !== 0) out.reqPerSec = v;
          break;
        default:
          break; // unknown or deprecated (scheme, dns, api): ignored like regctl
      }
    }
  }
  return out;
}

function _credExpire(v: unknown, bad: (key: string, want: string) => ConfigError): string {
  if (typeof v === "number") {
    // Go's timejson reads a number as nanoseconds.
    if (!Number.isSafeInteger(v) || v < 0) throw bad("credExpire", 'a duration such as "1h"');
    return v === 0 ? "0" : `${v}ns`;
  }
  if (typeof v !== "string") throw bad("credExpire", 'a duration such as "1h"');
  if (v === "") return "0";
  const ms = parseGoDuration(v);
  if (ms === undefined || ms < 0) throw bad("credExpire", 'a duration such as "1h"');
  return v;
}

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

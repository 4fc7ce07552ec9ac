/**
 * The `--host` flag: `reg=<registry>,user=…,pass=…,tls=…` (comma-separated
 * `key=value` fields, CSV quoting allowed for values holding commas).
 *
 * @module
 */
import { ConfigError, UsageError } from "../errors.ts";
import { type NamedHost, parseConfigHost } from "./config_host.ts";
import { normaliseHostName } from "./host_name.ts";

const STRING_KEYS: Record<string, string> = {
  user: "user",
  pass: "pass",
  token: "token",
  tls: "tls",
  hostname: "hostname",
  credhelper: "credHelper",
  credhost: "credHost",
  credexpire: "credExpire",
  pathprefix: "pathPrefix",
  regcert: "regcert",
  clientcert: "clientCert",
  clientkey: "clientKey",
};
const NUMBER_KEYS: Record<string, string> = {
  reqconcurrent: "reqConcurrent",
  reqpersec: "reqPerSec",
  blobchunk: "blobChunk",
  blobmax: "blobMax",
  priority: "priority",
};
const KNOWN =
  "reg, user, pass, token, tls, hostname, credHelper, credHost, credExpire, pathPrefix, mirror, " +
  "repoAuth, reqConcurrent, reqPerSec, blobChunk, blobMax, priority, regcert, clientCert, clientKey";

/**
 * Parses one `--host` value such as `reg=localhost:5000,tls=disabled`.
 * Keys are case-insensitive; `reg` (or `registry`) is required; `mirror`
 * may repeat. An `http://` prefix on the registry disables TLS unless `tls`
 * is given.
 *
 * @param value comma-separated `key=value` fields
 * @returns the host entry with its normalised name (only given fields set)
 * @throws {UsageError} for a field without `=`, an unknown key, a missing or
 *   empty `reg`, a repository path in `reg`, bad quoting, or a bad value
 *   (unknown tls mode, non-numeric number)
 *
 * @example A local registry without TLS
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHostFlag } from "./host_flag.ts";
 * assert.deepEqual(parseHostFlag("reg=localhost:5000,tls=disabled"), {
 *   name: "localhost:5000",
 *   tls: "disabled",
 * });
 * ```
 */
export function parseHostFlag(value: string): NamedHost {
  const fields = _splitCsv(value);
  let reg: string | undefined;
  const raw: Record<string, unknown> = {};
  const mirrors: string[] = [];
  for (const field of fields) {
    const eq = field.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Cannot parse host "${value}": expected key=value, got "${field}"`);
    }
    const key = field.slice(0, eq).trim().toLowerCase();
    const val = field.slice(eq + 1);
    if (key === "reg" || key === "registry") {
      reg = val;
    } else if (key === "mirror" || key === "mirrors") {
      if (val) mirrors.push(val);
    } else if (key === "repoauth") {
      if (val !== "true" && val !== "false") {
        throw new UsageError(`Cannot parse host "${value}": repoAuth must be true or false`);
      }
      raw.repoAuth = val === "true";
    } else if (STRING_KEYS[key]) {
      raw[STRING_KEYS[key]] = val;
    } else if (NUMBER_KEYS[key]) {
      const n = Number(val);
      if (val.trim() === "" || !Number.isFinite(n)) {
        throw new UsageError(`Cannot parse host "${value}": ${NUMBER_KEYS[key]} must be a number`);
      }
      raw[NUMBER_KEYS[key]] = n;
    } else {
      throw new UsageError(
        `Cannot parse host "${value}": unknown key "${field.slice(0, eq)}" (use ${KNOWN})`,
      );
    }
  }
  if (reg === undefined) {
    throw new UsageError(`Cannot parse host "${value}": "reg=<registry>" is required`);
  }
  const n = normaliseHostName(reg);
  if (!n.name) throw new UsageError(`Cannot parse host "${value}": "reg" is empty`);
  if (n.hasPath) {
    throw new UsageError(
      `Cannot parse host "${value}": "reg" must be a registry name without a repository path`,
    );
  }
  if (mirrors.length > 0) raw.mirrors = mirrors;
  let host;
  try {
    host = parseConfigHost(raw, `host "${value}"`);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  if (n.tlsDisabled && host.tls === undefined) host.tls = "disabled";
  return { name: n.name, ...host };
}

/**
 * Parses one `--host` value and appends it (commander repeatable reducer).
 *
 * @param value the flag value
 * @param previous hosts so far (undefined on the first call)
 * @returns the hosts with this one appended
 * @throws {UsageError} see {@link parseHostFlag}
 */
export function collectHostFlag(value: string, previous: NamedHost[] | undefined): NamedHost[] {
  return [...(previous ?? []), parseHostFlag(value)];
}

/** Splits one CSV record (Go `encoding/csv` rules: `"` quotes, `""` escapes). */
function _splitCsv(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) {
          throw new UsageError(`Cannot parse host "${text}": a quoted field is not closed`);
        }
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += c;
        i++;
      }
      if (i < text.length && text[i] !== ",") {
        throw new UsageError(`Cannot parse host "${text}": text after a closing quote`);
      }
    } else {
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? text.length : comma;
      field = text.slice(i, end);
      if (field.includes('"')) {
        throw new UsageError(`Cannot parse host "${text}": a quote inside an unquoted field`);
      }
      i = end;
    }
    out.push(field);
    if (i >= text.length) return out;
    i++; // the comma
  }
}

/**
 * A registry host entry as `registry config` shows it: regctl's `config.Host`
 * JSON (its field order, `omitempty`, secrets left out) with the defaults in
 * force filled in, and the same fields under their Go names for `--format`.
 *
 * @module
 */
import { DEFAULT_REQ_CONCURRENT, DOCKER_HUB_API } from "./host_settings.ts";
import { formatGoDuration, parseGoDuration } from "../schedule/go_duration.ts";
import type { NamedHost } from "./config_host.ts";
import { HUB_AUTH_KEY, HUB_NAME } from "./host_name.ts";

/** regctl's host fields in struct order: JSON name, Go name, Go zero value. */
const FIELDS: readonly (readonly [string, string, unknown])[] = [
  ["tls", "TLS", ""],
  ["regcert", "RegCert", ""],
  ["clientCert", "ClientCert", ""],
  ["clientKey", "ClientKey", ""],
  ["hostname", "Hostname", ""],
  ["user", "User", ""],
  ["pass", "Pass", ""],
  ["token", "Token", ""],
  ["credHelper", "CredHelper", ""],
  ["credExpire", "CredExpire", "0s"],
  ["credHost", "CredHost", ""],
  ["pathPrefix", "PathPrefix", ""],
  ["mirrors", "Mirrors", []],
  ["priority", "Priority", 0],
  ["repoAuth", "RepoAuth", false],
  ["api", "API", ""],
  ["apiOpts", "APIOpts", {}],
  ["blobChunk", "BlobChunk", 0],
  ["blobMax", "BlobMax", 0],
  ["reqPerSec", "ReqPerSec", 0],
  ["reqConcurrent", "ReqConcurrent", 0],
  ["scheme", "Scheme", ""],
];

/** What {@link showHost} returns. */
export interface ShownHost {
  /** The JSON object, keys in regctl's order, empty values left out. */
  json: Record<string, unknown>;
  /** Template data: every field under its Go name (`TLS`, `Hostname`, …), plus `Name`. */
  fields: Record<string, unknown>;
}

function _empty(v: unknown): boolean {
  if (v === undefined || v === "" || v === 0 || v === false || v === "0s") return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === "object" && v !== null && Object.keys(v).length === 0;
}

/**
 * Shapes a host entry as regctl's `registry config HOST` prints it. The TLS
 * mode, hostname, Docker Hub's credential host and the concurrency in force
 * are filled in; password, token and client key are left out.
 *
 * @param host the merged host entry (config file, docker config, `--host`)
 * @param user the user name to show (from a credential helper), when known
 * @returns the JSON object and the template fields
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { showHost } from "./host_shown.ts";
 * const s = showHost({ name: "r.example", user: "bob", pass: "secret", credExpire: "90m" });
 * assert.deepEqual(s.json, {
 *   tls: "enabled",
 *   hostname: "r.example",
 *   user: "bob",
 *   credExpire: "1h30m0s",
 *   reqConcurrent: 6,
 * });
 * assert.equal(s.fields.Hostname, "r.example");
 * assert.equal(s.fields.Pass, "");
 * ```
 */
export function showHost(host: NamedHost, user?: string): ShownHost {
  const hub = host.name === HUB_NAME;
  const expire = host.credExpire === undefined ? undefined : parseGoDuration(host.credExpire);
  const values: Record<string, unknown> = {
    ...host,
    tls: host.tls ?? "enabled",
    hostname: host.hostname ?? (hub ? DOCKER_HUB_API : host.name),
    user: user ?? host.user,
    pass: undefined,
    token: undefined,
    clientKey: undefined,
    credExpire: expire === undefined ? undefined : formatGoDuration(expire),
    credHost: host.credHost ?? (hub ? HUB_AUTH_KEY : undefined),
    reqConcurrent: host.reqConcurrent ?? DEFAULT_REQ_CONCURRENT,
  };
  const json: Record<string, unknown> = {};
  const fields: Record<string, unknown> = { Name: host.name };
  for (const [key, goName, zero] of FIELDS) {
    const v = values[key];
    if (!_empty(v)) json[key] = v;
    fields[goName] = v ?? zero;
  }
  return { json, fields };
}

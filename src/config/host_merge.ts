/**
 * Merging of host entries that arrive from several sources (docker config,
 * ocictl config, `--host` flags), with regctl's rules.
 *
 * @module
 */
import type { ConfigHost, NamedHost } from "./config_host.ts";

/** Receives a note when a merge changes an already set value. */
export type MergeWarn = (message: string, data: Record<string, unknown>) => void;

const OVERRIDE_KEYS = [
  "tls",
  "regcert",
  "clientCert",
  "clientKey",
  "hostname",
  "credExpire",
  "credHost",
  "pathPrefix",
  "priority",
  "blobChunk",
  "blobMax",
  "reqPerSec",
  "reqConcurrent",
] as const;

/**
 * Merges a later host entry over an earlier one. Set fields of `next`
 * override; setting a password or token clears an inherited credential
 * helper; setting a credential helper without user/pass/token clears
 * inherited credentials; `apiOpts` are merged key by key.
 *
 * @param base the earlier entry (not modified)
 * @param next the later entry
 * @param warn optional callback told when the user name changes
 * @returns the merged entry
 *
 * @example A password replaces a helper
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeHost } from "./host_merge.ts";
 * const merged = mergeHost({ name: "r", credHelper: "docker-credential-x" }, { user: "u", pass: "p" });
 * assert.deepEqual(merged, { name: "r", user: "u", pass: "p" });
 * ```
 */
export function mergeHost(base: NamedHost, next: ConfigHost, warn?: MergeWarn): NamedHost {
  const out: NamedHost = { ...base };
  if (!next.credHelper && (next.pass || next.token)) {
    delete out.credHelper;
    delete out.credExpire;
  }
  if (next.credHelper && !next.user && !next.pass && !next.token) {
    delete out.user;
    delete out.pass;
    delete out.token;
  }
  if (next.user) {
    if (out.user && out.user !== next.user) {
      warn?.("Changing login user for registry", {
        host: out.name,
        orig: out.user,
        new: next.user,
      });
    }
    out.user = next.user;
  }
  if (next.pass) out.pass = next.pass;
  if (next.token) out.token = next.token;
  if (next.credHelper) out.credHelper = next.credHelper;
  for (const k of OVERRIDE_KEYS) {
    const v = next[k];
    if (v !== undefined && v !== "" && v !== 0) {
      (out as unknown as Record<string, unknown>)[k] = v;
    }
  }
  if (out.pathPrefix !== undefined) {
    out.pathPrefix = out.pathPrefix.replace(/^\/+|\/+$/g, "");
    if (out.pathPrefix === "") delete out.pathPrefix;
  }
  if (next.mirrors && next.mirrors.length > 0) out.mirrors = [...next.mirrors];
  if (next.repoAuth) out.repoAuth = true;
  if (next.apiOpts && Object.keys(next.apiOpts).length > 0) {
    out.apiOpts = { ...out.apiOpts, ...next.apiOpts };
  }
  return out;
}

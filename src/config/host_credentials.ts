/**
 * The credential lookup of the resolved hosts: a host's own user, password
 * or token, else what its credential helper answers. The registry transport
 * asks only when a registry wants credentials, so `resolveHosts`
 * ({@link ./resolve_hosts.ts}) loads this module on the first question.
 *
 * @module
 */
import type { Credential } from "./host_settings.ts";
import type { ConfigIo } from "./config_io.ts";
import type { ConfigHost, NamedHost } from "./config_host.ts";
import type { CredHelperCache } from "./cred_helper.ts";
import type { MergeWarn } from "./host_merge.ts";
import { HUB_AUTH_KEY, HUB_NAME, normaliseHostName } from "./host_name.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";

/** Options of {@link hostCredentials}. */
export interface HostCredentialsOptions {
  /** The merged host entries by registry name (read at each question). */
  byName: ReadonlyMap<string, NamedHost>;
  /** Template for a host without an entry (ocictl's `hostDefault`); none: no credentials. */
  hostDefault?: ConfigHost | undefined;
  /** Told when a helper fails (the host is then anonymous). */
  warn?: MergeWarn | undefined;
  /** Clock for the credential helper cache. @default Date.now */
  now?: (() => number) | undefined;
}

/**
 * Builds the credential lookup of a set of hosts. A host with a credential
 * helper asks it (output reused for the host's `credExpire`; the helper runner
 * is loaded by the first such host), under `credHost`, else the hostname
 * (Docker Hub's `https://index.docker.io/v1/`); a failing helper is reported
 * through `warn` and gives no credentials.
 *
 * @param io process access for helpers
 * @param options hosts, template, warning callback, clock
 * @returns the lookup: registry name to credentials, `undefined` for none
 * @throws never: the lookup answers `undefined` where a helper fails
 *
 * @example A host's own credentials
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { hostCredentials } from "./host_credentials.ts";
 * const io = {
 *   env: {},
 *   readTextFile: () => Promise.reject(new NotFoundError("Cannot find file")),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.resolve([]),
 *   run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }),
 * };
 * const byName = new Map([["r.example", { name: "r.example", user: "u", pass: "p" }]]);
 * const lookup = hostCredentials(io, { byName });
 * assert.deepEqual(await lookup("r.example"), { user: "u", pass: "p", token: undefined });
 * assert.equal(await lookup("other.example"), undefined);
 * ```
 */
export function hostCredentials(
  io: ConfigIo,
  options: HostCredentialsOptions,
): (host: string) => Promise<Credential | undefined> {
  const { byName, hostDefault, warn } = options;
  // helpers are rare: their runner is loaded by the first host that has one
  let cache: Promise<CredHelperCache> | undefined;
  return async (name: string): Promise<Credential | undefined> => {
    const n = normaliseHostName(name).name;
    const host = byName.get(n) ?? (hostDefault ? { ...hostDefault, name: n } : undefined);
    if (!host) return undefined;
    if (!host.credHelper) {
      if (host.user === undefined && host.pass === undefined && host.token === undefined) {
        return undefined;
      }
      return { user: host.user, pass: host.pass, token: host.token };
    }
    const server = host.credHost ?? (n === HUB_NAME ? HUB_AUTH_KEY : host.hostname ?? n);
    try {
      cache ??= import("./cred_helper.ts").then((m) =>
        new m.CredHelperCache(io, { now: options.now })
      );
      return await (await cache).get(host.credHelper, server, credExpireMs(host));
    } catch (err) {
      warn?.("Cannot get credentials from helper; continuing anonymously", {
        host: n,
        helper: host.credHelper,
        err: err instanceof Error ? err.message : String(err),
      });
      return undefined;
    }
  };
}

/**
 * The milliseconds of a host's `credExpire`.
 *
 * @param host host entry
 * @returns milliseconds, one hour when unset or not positive
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { credExpireMs } from "./host_credentials.ts";
 * assert.equal(credExpireMs({ credExpire: "1m30s" }), 90_000);
 * assert.equal(credExpireMs({}), 3_600_000);
 * ```
 */
export function credExpireMs(host: ConfigHost): number {
  const ms = host.credExpire === undefined ? undefined : parseGoDuration(host.credExpire);
  return ms !== undefined && ms > 0 ? ms : 3_600_000;
}

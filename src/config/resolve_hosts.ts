/**
 * Builds the registry transport's host list and credential lookup from every
 * source, in regctl's order: docker credentials → ocictl config hosts (with
 * `hostDefault` as template) → `--host` flags, plus docker's certificate
 * directories.
 *
 * @module
 */
import type { Credential } from "./host_settings.ts";
import { DOCKER_HUB_API, type HostConfig } from "./host_settings.ts";
import type { ConfigIo } from "./config_io.ts";
import { type ConfigHost, credExpireMs, type NamedHost, toHostConfig } from "./config_host.ts";
import { DEFAULT_CERTS_DIR, listCertsDirHosts, loadCertsDir } from "./certs_dir.ts";
import type { CredHelperCache } from "./cred_helper.ts";
import { loadDockerConfig } from "./docker_config.ts";
import { parseHostFlag } from "./host_flag.ts";
import { mergeHost, type MergeWarn } from "./host_merge.ts";
import { HUB_AUTH_KEY, HUB_NAME, normaliseHostName } from "./host_name.ts";
import { loadConfig, type OcictlConfig } from "./ocictl_config.ts";

/** Options of {@link resolveHosts}. */
export interface ResolveHostsOptions {
  /** Raw `--host` flag values, in command-line order. @default [] */
  flags?: string[] | undefined;
  /** Docker's certificate root. @default "/etc/docker/certs.d" */
  certsDir?: string | undefined;
  /** More host entries, applied after the config file and before the flags. @default [] */
  hosts?: readonly NamedHost[] | undefined;
  /** Leave docker's credentials and certificate directories out. @default false */
  skipDocker?: boolean | undefined;
  /** Told about problems that do not stop the command (broken docker config, failing helper). */
  warn?: MergeWarn | undefined;
  /** Clock for the credential helper cache. @default Date.now */
  now?: (() => number) | undefined;
}

/** What {@link resolveHosts} returns. */
export interface ResolvedHosts {
  /** Host configurations for the registry transport. */
  hosts: HostConfig[];
  /** The same hosts as merged config entries (credential helper fields kept), for display. */
  entries: NamedHost[];
  /** Credential lookup for the registry transport (runs credential helpers). */
  credentials: (host: string) => Promise<Credential | undefined>;
  /** The ocictl config file used (may not exist; empty when unknown). */
  configFile: string;
  /** The ocictl config as read (for `blobLimit` and the `config` verbs). */
  config: OcictlConfig;
}

/**
 * Resolves every registry host setting and credential source.
 *
 * Problems with docker's files, its certificate directories and credential
 * helpers are reported through `warn` and skipped, as regctl does; problems
 * with ocictl's own config file and the flags stop the command.
 *
 * @param io file, environment and process access
 * @param options `--host` values, certificate root, warning callback, clock
 * @returns hosts, credential lookup, config file name and config
 * @throws {UsageError} for a bad `--host` value
 * @throws {ConfigError} for a malformed ocictl config file
 *
 * @example Flags override the config file
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { resolveHosts } from "./resolve_hosts.ts";
 * const io = {
 *   env: { OCICTL_CONFIG: "/none/config.json" },
 *   readTextFile: () => Promise.reject(new NotFoundError("Cannot find file")),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.reject(new NotFoundError("Cannot find directory")),
 *   run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }),
 * };
 * const r = await resolveHosts(io, { flags: ["reg=localhost:5000,tls=disabled"] });
 * assert.deepEqual(r.hosts, [{ name: "localhost:5000", tls: "disabled" }]);
 * ```
 */
export async function resolveHosts(
  io: ConfigIo,
  options: ResolveHostsOptions = {},
): Promise<ResolvedHosts> {
  const flagHosts = (options.flags ?? []).map((f) => parseHostFlag(f));
  const warn = options.warn;
  const config = await loadConfig(io);
  const template: ConfigHost = config.hostDefault ?? {};
  const byName = new Map<string, NamedHost>();
  const add = (host: NamedHost): void => {
    const prev = byName.get(host.name) ?? { ...template, name: host.name };
    byName.set(host.name, mergeHost(prev, host, warn));
  };

  if (config.incDockerCred !== false && options.skipDocker !== true) {
    try {
      for (const h of await loadDockerConfig(io, { warn })) add(h);
    } catch (err) {
      warn?.("Cannot load docker credentials; continuing without them", { err: _msg(err) });
    }
  }
  for (const [name, h] of Object.entries(config.hosts)) add({ ...h, name });
  for (const h of options.hosts ?? []) add(h);
  for (const h of flagHosts) add(h);

  if (config.incDockerCert !== false && options.skipDocker !== true) {
    const dir = options.certsDir ?? DEFAULT_CERTS_DIR;
    await _addDockerCerts(io, dir, byName, template, warn);
  }

  // helpers are rare: their runner is loaded by the first host that has one
  let cache: Promise<CredHelperCache> | undefined;
  const credentials = async (name: string): Promise<Credential | undefined> => {
    const n = normaliseHostName(name).name;
    const host = byName.get(n) ?? (config.hostDefault ? { ...template, name: n } : undefined);
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
        err: _msg(err),
      });
      return undefined;
    }
  };

  return {
    hosts: [...byName.values()].map(toHostConfig),
    entries: [...byName.values()],
    credentials,
    configFile: config.filename,
    config,
  };
}

async function _addDockerCerts(
  io: ConfigIo,
  dir: string,
  byName: Map<string, NamedHost>,
  template: ConfigHost,
  warn: MergeWarn | undefined,
): Promise<void> {
  let dirs: string[] = [];
  try {
    dirs = await listCertsDirHosts(io, dir);
  } catch (err) {
    warn?.("Cannot list docker certificate directories", { dir, err: _msg(err) });
    return;
  }
  if (dirs.length === 0) return;
  const available = new Set(dirs);
  const hostDir = (h: NamedHost): string =>
    h.hostname ?? (h.name === HUB_NAME ? DOCKER_HUB_API : h.name);
  const covered = new Set([...byName.values()].map(hostDir));
  for (const d of dirs) {
    const n = normaliseHostName(d);
    if (!covered.has(d) && n.name && !n.hasPath && !byName.has(n.name)) {
      byName.set(n.name, { ...template, name: n.name });
    }
  }
  for (const [name, host] of byName) {
    const candidates = [...new Set([hostDir(host), name])].filter((d) => available.has(d));
    let next = host;
    for (const d of candidates) {
      try {
        const certs = await loadCertsDir(io, d, dir);
        next = { ...next };
        if (certs.regcert) {
          const prev = next.regcert ? next.regcert.replace(/\n?$/, "\n") : "";
          next.regcert = prev + certs.regcert;
        }
        if (certs.clientCert && !next.clientCert && !next.clientKey) {
          next.clientCert = certs.clientCert;
          next.clientKey = certs.clientKey;
        }
      } catch (err) {
        warn?.("Cannot load docker certificates; skipping them", { dir: d, err: _msg(err) });
      }
    }
    byName.set(name, next);
  }
}

function _msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

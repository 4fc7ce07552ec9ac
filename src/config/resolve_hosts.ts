/**
 * Builds the registry transport's host list and credential lookup from every
 * source, in regctl's order: docker credentials → ocictl config hosts (with
 * `hostDefault` as template) → `--host` flags, plus docker's certificate
 * directories.
 *
 * Most commands have no config file, no docker config and no certificate
 * directory: the parsers of those files and the certificate loader are
 * loaded only when there is something for them to do, and the credential
 * lookup when a registry first asks for credentials. Host merging (1.3 KB)
 * is imported with this module: nearly every run has hosts to merge (a
 * docker config, a config file or `--host`), and a separate `import()` cost
 * a registry command about 0.7 ms.
 *
 * @module
 */
import type { Credential, HostConfig } from "./host_settings.ts";
import type { ConfigIo } from "./config_io.ts";
import type { ConfigHost, NamedHost } from "./config_host.ts";
import { DEFAULT_CERTS_DIR, listCertsDirHosts } from "./certs_dir_hosts.ts";
import { loadDockerConfig } from "./docker_config_file.ts";
import { parseHostFlag } from "./host_flag.ts";
import { mergeHost, type MergeWarn } from "./host_merge.ts";
import type { OcictlConfig } from "./ocictl_config.ts";
import { loadConfig } from "./ocictl_config_file.ts";

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
  const sources: NamedHost[] = [];
  if (config.incDockerCred !== false && options.skipDocker !== true) {
    try {
      sources.push(...await loadDockerConfig(io, { warn }));
    } catch (err) {
      warn?.("Cannot load docker credentials; continuing without them", { err: _msg(err) });
    }
  }
  for (const [name, h] of Object.entries(config.hosts)) sources.push({ ...h, name });
  sources.push(...options.hosts ?? [], ...flagHosts);

  const byName = new Map<string, NamedHost>();
  if (sources.length > 0) {
    for (const host of sources) {
      const prev = byName.get(host.name) ?? { ...template, name: host.name };
      byName.set(host.name, mergeHost(prev, host, warn));
    }
  }

  if (config.incDockerCert !== false && options.skipDocker !== true) {
    const dir = options.certsDir ?? DEFAULT_CERTS_DIR;
    await _addDockerCerts(io, dir, byName, template, warn);
  }

  // asked only when a registry wants credentials: the lookup is loaded then
  let lookup: Promise<(name: string) => Promise<Credential | undefined>> | undefined;
  const credentials = async (name: string): Promise<Credential | undefined> => {
    lookup ??= import("./host_credentials.ts").then((m) =>
      m.hostCredentials(io, { byName, hostDefault: config.hostDefault, warn, now: options.now })
    );
    return await (await lookup)(name);
  };

  return {
    hosts: [...byName.values()].map(toHostConfig),
    entries: [...byName.values()],
    credentials,
    configFile: config.filename,
    config,
  };
}

/**
 * Converts a host entry to the shape the registry transport takes. Hosts with
 * a credential helper carry no user/pass/token so that the transport asks the
 * credential lookup.
 *
 * @param host named host entry
 * @returns the transport's host configuration (only fields that are set)
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toHostConfig } from "./resolve_hosts.ts";
 * assert.deepEqual(
 *   toHostConfig({ name: "r.example", apiOpts: { disableHead: "true" } }),
 *   { name: "r.example", apiOpts: { disableHead: true } },
 * );
 * ```
 */
export function toHostConfig(host: NamedHost): HostConfig {
  const out: HostConfig = { name: host.name };
  const copy = [
    "hostname",
    "tls",
    "pathPrefix",
    "reqConcurrent",
    "reqPerSec",
    "blobChunk",
    "blobMax",
    "regcert",
    "clientCert",
    "clientKey",
  ] as const;
  for (const k of copy) {
    if (host[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = host[k];
  }
  if (host.mirrors && host.mirrors.length > 0) out.mirrors = [...host.mirrors];
  if (host.repoAuth) out.repoAuth = true;
  const disableHead = host.apiOpts?.disableHead;
  if (disableHead !== undefined) out.apiOpts = { disableHead: disableHead === "true" };
  if (!host.credHelper) {
    if (host.user !== undefined) out.user = host.user;
    if (host.pass !== undefined) out.pass = host.pass;
    if (host.token !== undefined) out.token = host.token;
  }
  return out;
}

/** Lists the certificate root; loads the certificate code only when it has a directory. */
async function _addDockerCerts(
  io: ConfigIo,
  dir: string,
  byName: Map<string, NamedHost>,
  template: ConfigHost,
  warn: MergeWarn | undefined,
): Promise<void> {
  let dirs: string[];
  try {
    dirs = await listCertsDirHosts(io, dir);
  } catch (err) {
    warn?.("Cannot list docker certificate directories", { dir, err: _msg(err) });
    return;
  }
  if (dirs.length === 0) return;
  const { addDockerCerts } = await import("./certs_dir.ts");
  await addDockerCerts(io, { dir, dirs, byName, template, warn });
}

function _msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * ocictl's own configuration file (`config.json`, the same JSON keys as
 * regctl's): how it is validated, edited and written. Where it lives and
 * reading it are in {@link ./ocictl_config_file.ts}, which loads this module
 * only when the file exists.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { parseJsonFile } from "./config_file_error.ts";
import type { ConfigIo } from "./config_io.ts";
import { type ConfigHost, parseConfigHost } from "./config_host.ts";
import { hostToJson } from "./host_json.ts";
import { mergeHost } from "./host_merge.ts";
import { normaliseHostName } from "./host_name.ts";

// Where the file is and reading it live apart, so that commands without a
// config file never load this parser; exported here too for the `config`
// and `registry` verbs.
export { configFilename, loadConfig } from "./ocictl_config_file.ts";

/** ocictl's configuration file, parsed. */
export interface OcictlConfig {
  /** The file it was read from and is written to; empty when no home directory is known. */
  filename: string;
  /** File format version. @default 1 */
  version?: number | undefined;
  /** Host entries by registry name (normalised, `docker.io` for Hub). */
  hosts: Record<string, ConfigHost>;
  /** Template for every host that is not configured explicitly. */
  hostDefault?: ConfigHost | undefined;
  /** Largest chunk held in memory. */
  blobLimit?: number | undefined;
  /** Load `/etc/docker/certs.d`. @default true */
  incDockerCert?: boolean | undefined;
  /** Import docker's credentials. @default true */
  incDockerCred?: boolean | undefined;
}

/** Newest file format version understood. */
export const CONFIG_VERSION = 1;

/**
 * Parses and validates the text of a config file.
 *
 * @param text file content
 * @param filename file name for messages and the result
 * @returns the config
 * @throws {ConfigFileError} for malformed JSON (a {@link ConfigError} with file, line, column)
 * @throws {ConfigError} for wrong types or an unknown version
 *
 * @example Hub aliases are merged under docker.io
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./ocictl_config.ts";
 * const c = parseConfig('{"hosts":{"https://index.docker.io/v1/":{"user":"me"}}}', "c.json");
 * assert.deepEqual(c.hosts, { "docker.io": { user: "me" } });
 * ```
 */
export function parseConfig(text: string, filename: string): OcictlConfig {
  const raw = parseJsonFile(
    text,
    filename,
    `config file "${filename}"`,
    "; fix or remove the file",
  );
  const where = `config file "${filename}"`;
  if (!_isRecord(raw)) throw new ConfigError(`Cannot read ${where}: expected a JSON object`);
  const config: OcictlConfig = { filename, hosts: {} };
  if (raw.version !== undefined && raw.version !== null) {
    const v = raw.version;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new ConfigError(`Cannot read ${where}: "version" must be an integer`);
    }
    if (v > CONFIG_VERSION) {
      throw new ConfigError(
        `Cannot read ${where}: version ${v} is newer than ${CONFIG_VERSION}; upgrade ocictl`,
      );
    }
    if (v !== 0) config.version = v;
  }
  if (raw.hosts !== undefined && raw.hosts !== null) {
    if (!_isRecord(raw.hosts)) {
      throw new ConfigError(`Cannot read ${where}: "hosts" must be an object`);
    }
    for (const [key, value] of Object.entries(raw.hosts)) {
      const host = parseConfigHost(value, `host "${key}" in ${where}`);
      const n = normaliseHostName(key);
      if (!n.name) throw new ConfigError(`Cannot read ${where}: host name "${key}" is empty`);
      if (n.tlsDisabled && host.tls === undefined) host.tls = "disabled";
      const prev = config.hosts[n.name];
      if (prev) {
        const { name: _n, ...merged } = mergeHost({ name: n.name, ...prev }, host);
        config.hosts[n.name] = merged;
      } else {
        config.hosts[n.name] = host;
      }
    }
  }
  if (raw.hostDefault !== undefined && raw.hostDefault !== null) {
    config.hostDefault = parseConfigHost(raw.hostDefault, `"hostDefault" in ${where}`);
  }
  if (raw.blobLimit !== undefined && raw.blobLimit !== null) {
    const v = raw.blobLimit;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new ConfigError(`Cannot read ${where}: "blobLimit" must be an integer of 0 or more`);
    }
    if (v !== 0) config.blobLimit = v;
  }
  for (const key of ["incDockerCert", "incDockerCred"] as const) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== "boolean") {
      throw new ConfigError(`Cannot read ${where}: "${key}" must be true or false`);
    }
    config[key] = v;
  }
  return config;
}

/**
 * The JSON text written for a config (two-space indent, final newline).
 *
 * @param config the config
 * @returns the file content
 */
export function configToJson(config: OcictlConfig): string {
  const out: Record<string, unknown> = {};
  if (config.version !== undefined) out.version = config.version;
  const hosts: Record<string, unknown> = {};
  for (const name of Object.keys(config.hosts).sort()) {
    const h = config.hosts[name];
    if (h) hosts[name] = hostToJson(h);
  }
  out.hosts = hosts;
  if (config.hostDefault) out.hostDefault = hostToJson(config.hostDefault);
  if (config.blobLimit !== undefined) out.blobLimit = config.blobLimit;
  if (config.incDockerCert !== undefined) out.incDockerCert = config.incDockerCert;
  if (config.incDockerCred !== undefined) out.incDockerCred = config.incDockerCred;
  return JSON.stringify(out, null, 2) + "\n";
}

/**
 * Writes the config atomically to `config.filename`, with mode 0600 for a
 * new file and the existing mode otherwise. An existing file that does not
 * parse is left alone.
 *
 * @param io file access
 * @param config the config to write
 * @returns when the file is in place
 * @throws {ConfigError} when no file name is known, the path is a directory,
 *   or the existing file is malformed
 */
export async function saveConfig(io: ConfigIo, config: OcictlConfig): Promise<void> {
  const filename = config.filename;
  if (!filename) {
    throw new ConfigError(
      "Cannot write the config file: no home directory is known; set OCICTL_CONFIG or HOME",
    );
  }
  const info = await io.stat(filename);
  if (info && !info.isFile) {
    throw new ConfigError(`Cannot write config file "${filename}": it is not a regular file`);
  }
  if (info) {
    // Refuses to replace a file the user broke by hand (throws ConfigError).
    parseConfig(await io.readTextFile(filename), filename);
  }
  await io.writeTextFileAtomic(filename, configToJson(config), { mode: info?.mode ?? 0o600 });
}

/**
 * Returns a config where the host `name` has the given fields set. A field
 * present in `changes` with the value `undefined` is removed; an `apiOpts`
 * value of `""` removes that option. A new host inherits nothing.
 *
 * @param config the config (not modified)
 * @param name registry name (normalised; `http://` sets tls disabled for a new host)
 * @param changes fields to set or remove
 * @returns the new config
 * @throws {ConfigError} for an empty name, a name with a repository path, or invalid values
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setHost } from "./ocictl_config.ts";
 * const c = setHost({ filename: "c.json", hosts: {} }, "http://localhost:5000", { user: "me" });
 * assert.deepEqual(c.hosts["localhost:5000"], { tls: "disabled", user: "me" });
 * ```
 */
export function setHost(config: OcictlConfig, name: string, changes: ConfigHost): OcictlConfig {
  const n = _checkedName(name);
  const prev = config.hosts[n.name];
  const next: Record<string, unknown> = { ...prev };
  if (!prev && n.tlsDisabled) next.tls = "disabled";
  for (const [k, v] of Object.entries(changes)) {
    if (k === "apiOpts" && v !== undefined) {
      const opts: Record<string, string> = { ...prev?.apiOpts };
      for (const [ok, ov] of Object.entries(v as Record<string, string>)) {
        if (ov === "") delete opts[ok];
        else opts[ok] = ov;
      }
      next.apiOpts = opts;
    } else if (v === undefined) {
      delete next[k];
    } else {
      next[k] = v;
    }
  }
  const host = parseConfigHost(next, `host "${n.name}"`);
  return { ...config, hosts: { ...config.hosts, [n.name]: host } };
}

/**
 * Returns a config without the user, password and token of a host (what
 * `registry logout` does). The host entry is removed when nothing else is set.
 *
 * @param config the config (not modified)
 * @param name registry name
 * @returns the new config
 * @throws {ConfigError} for an empty name or a name with a repository path
 */
export function removeHostCredentials(config: OcictlConfig, name: string): OcictlConfig {
  const n = _checkedName(name);
  const prev = config.hosts[n.name];
  if (!prev) return config;
  const { user: _u, pass: _p, token: _t, ...rest } = prev;
  const hosts = { ...config.hosts };
  if (Object.values(rest).some((v) => v !== undefined)) hosts[n.name] = rest;
  else delete hosts[n.name];
  return { ...config, hosts };
}

/**
 * A copy of the config with passwords, tokens and client keys removed, for
 * `config get` and `registry config`.
 *
 * @param config the config (not modified)
 * @returns the redacted copy
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { redactConfig } from "./ocictl_config.ts";
 * const c = redactConfig({ filename: "c", hosts: { r: { user: "u", pass: "secret" } } });
 * assert.deepEqual(c.hosts, { r: { user: "u" } });
 * ```
 */
export function redactConfig(config: OcictlConfig): OcictlConfig {
  const hosts: Record<string, ConfigHost> = {};
  for (const [name, h] of Object.entries(config.hosts)) hosts[name] = redactHost(h);
  const out: OcictlConfig = { ...config, hosts };
  if (config.hostDefault) out.hostDefault = redactHost(config.hostDefault);
  return out;
}

/**
 * A copy of a host entry without password, token and client key.
 *
 * @param host the entry (not modified)
 * @returns the redacted copy
 */
export function redactHost<T extends ConfigHost>(host: T): T {
  const out = { ...host };
  delete out.pass;
  delete out.token;
  delete out.clientKey;
  if (out.mirrors) out.mirrors = [...out.mirrors];
  if (out.apiOpts) out.apiOpts = { ...out.apiOpts };
  return out;
}

function _checkedName(name: string): ReturnType<typeof normaliseHostName> {
  const n = normaliseHostName(name);
  if (!n.name) throw new ConfigError(`Cannot configure host "${name}": the name is empty`);
  if (n.hasPath) {
    throw new ConfigError(
      `Cannot configure host "${name}": give a registry name without a repository path`,
    );
  }
  return n;
}

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

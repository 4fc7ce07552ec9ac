/**
 * Docker's client config (`~/.docker/config.json` and the inline
 * `DOCKER_AUTH_CONFIG`): `auths`, `credHelpers` and `credsStore`, turned into
 * host entries. Where the file is and reading it are in
 * {@link ./docker_config_file.ts}, which loads this module only when there
 * is something to parse.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { parseJsonFile } from "./config_file_error.ts";
import type { ConfigIo } from "./config_io.ts";
import type { NamedHost } from "./config_host.ts";
import { mergeHost } from "./host_merge.ts";
import { normaliseHostName } from "./host_name.ts";
import type { DockerConfigSource, LoadDockerConfigOptions } from "./docker_config_file.ts";

// Where the file is and reading it live apart, so that commands without a
// docker config never load this parser; exported here too.
export {
  dockerConfigFilename,
  loadDockerConfig,
  type LoadDockerConfigOptions,
} from "./docker_config_file.ts";

/** Prefix of docker credential helper binaries. */
export const HELPER_PREFIX = "docker-credential-";

/** A docker config file, parsed. */
export interface DockerConfig {
  /** Host entries from `auths` and `credHelpers`, merged per registry name. */
  hosts: NamedHost[];
  /** Global helper binary (`docker-credential-<credsStore>`), when set. */
  credsStore?: string | undefined;
}

/**
 * Parses docker config JSON. `auths` entries carry `auth` (base64
 * `user:pass`), or `username`/`password`, and `identitytoken` (a refresh
 * token); entries naming a repository path are ignored, except Docker Hub's
 * `https://index.docker.io/v1/`. `credHelpers` name a helper per host; an
 * empty `auths` entry uses `credsStore`.
 *
 * @param text the JSON text
 * @param source file name or `DOCKER_AUTH_CONFIG`, for messages
 * @returns host entries and the global helper
 * @throws {ConfigError} for malformed JSON, wrong types or an `auth` that is
 *   not base64 of `user:pass`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDockerConfig } from "./docker_config.ts";
 * const c = parseDockerConfig(`{"auths":{"ghcr.io":{"auth":"${btoa("me:pw")}"}}}`, "config.json");
 * assert.deepEqual(c.hosts, [{ name: "ghcr.io", user: "me", pass: "pw" }]);
 * ```
 */
export function parseDockerConfig(text: string, source: string): DockerConfig {
  const where = `docker config "${source}"`;
  const raw = parseJsonFile(text, source, where);
  if (!_isRecord(raw)) throw new ConfigError(`Cannot read ${where}: expected a JSON object`);
  const out: DockerConfig = { hosts: [] };
  const byName = new Map<string, NamedHost>();
  const add = (host: NamedHost): void => {
    const prev = byName.get(host.name);
    byName.set(host.name, prev ? mergeHost(prev, host) : host);
  };
  const store = raw.credsStore;
  if (store !== undefined && store !== null && typeof store !== "string") {
    throw new ConfigError(`Cannot read ${where}: "credsStore" must be a string`);
  }
  if (store) out.credsStore = HELPER_PREFIX + store;

  const auths = raw.auths;
  if (auths !== undefined && auths !== null) {
    if (!_isRecord(auths)) throw new ConfigError(`Cannot read ${where}: "auths" must be an object`);
    for (const [key, entry] of Object.entries(auths)) {
      const base = _hostFor(key);
      if (!base) continue;
      if (!_isRecord(entry)) {
        throw new ConfigError(`Cannot read ${where}: auths entry "${key}" must be an object`);
      }
      const field = (f: string): string => {
        const v = entry[f];
        if (v === undefined || v === null) return "";
        if (typeof v !== "string") {
          throw new ConfigError(`Cannot read ${where}: "${f}" of "${key}" must be a string`);
        }
        return v;
      };
      let user = field("username");
      let pass = field("password");
      const auth = field("auth");
      if (auth) [user, pass] = _decodeAuth(auth, `${where}, auths entry "${key}"`);
      const token = field("identitytoken");
      const host: NamedHost = { ...base };
      if (user) host.user = user;
      if (pass) host.pass = pass;
      if (token) host.token = token;
      if (!user && !pass && !token) {
        if (!out.credsStore) continue;
        host.credHelper = out.credsStore;
      }
      add(host);
    }
  }

  const helpers = raw.credHelpers;
  if (helpers !== undefined && helpers !== null) {
    if (!_isRecord(helpers)) {
      throw new ConfigError(`Cannot read ${where}: "credHelpers" must be an object`);
    }
    for (const [key, helper] of Object.entries(helpers)) {
      if (typeof helper !== "string") {
        throw new ConfigError(`Cannot read ${where}: credHelpers entry "${key}" must be a string`);
      }
      const base = _hostFor(key);
      if (!base || !helper) continue;
      add({ ...base, credHelper: HELPER_PREFIX + helper });
    }
  }
  out.hosts = [...byName.values()];
  return out;
}

/**
 * Turns docker config texts into host entries: parses each in order, asks a
 * `credsStore` helper which servers it knows (`list`), and merges the entries
 * per registry name, later texts winning.
 *
 * @param io process access (for `credsStore` helpers)
 * @param sources the texts, docker's config file first, `DOCKER_AUTH_CONFIG` last
 * @param options warning callback
 * @returns host entries, merged per registry name
 * @throws {ConfigError} when a text is malformed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { dockerConfigHosts } from "./docker_config.ts";
 * const io = {
 *   env: {},
 *   readTextFile: () => Promise.reject(new NotFoundError("Cannot find file")),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.resolve([]),
 *   run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }),
 * };
 * const text = `{"auths":{"ghcr.io":{"auth":"${btoa("me:pw")}"}}}`;
 * const hosts = await dockerConfigHosts(io, [{ text, source: "config.json" }]);
 * assert.deepEqual(hosts, [{ name: "ghcr.io", user: "me", pass: "pw" }]);
 * ```
 */
export async function dockerConfigHosts(
  io: ConfigIo,
  sources: readonly DockerConfigSource[],
  options: LoadDockerConfigOptions = {},
): Promise<NamedHost[]> {
  const configs = sources.map((s) => parseDockerConfig(s.text, s.source));
  const byName = new Map<string, NamedHost>();
  const add = (host: NamedHost): void => {
    const prev = byName.get(host.name);
    byName.set(host.name, prev ? mergeHost(prev, host) : host);
  };
  for (const c of configs) {
    if (c.credsStore) {
      let listed: Record<string, string> = {};
      try {
        // the helper runner loads only where a credsStore is configured
        const { credHelperList } = await import("./cred_helper.ts");
        listed = await credHelperList(io, c.credsStore);
      } catch (err) {
        options.warn?.("Cannot list the docker credsStore", {
          helper: c.credsStore,
          err: err instanceof Error ? err.message : String(err),
        });
      }
      for (const server of Object.keys(listed)) {
        const base = _hostFor(server);
        if (base && !byName.get(base.name)?.credHelper) {
          add({ ...base, credHelper: c.credsStore });
        }
      }
    }
    for (const h of c.hosts) add(h);
  }
  return [...byName.values()];
}

function _hostFor(key: string): NamedHost | undefined {
  const n = normaliseHostName(key);
  if (!n.name || n.hasPath) return undefined;
  const host: NamedHost = { name: n.name };
  if (n.tlsDisabled) host.tls = "disabled";
  if (key !== n.name) host.credHost = key;
  return host;
}

function _decodeAuth(auth: string, where: string): [string, string] {
  const bad = (): ConfigError =>
    new ConfigError(
      `Cannot read ${where}: "auth" is not base64 of "user:password"; log in again to rewrite it`,
    );
  const clean = auth.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw bad();
  let text: string;
  try {
    const bin = atob(clean);
    text = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    throw bad();
  }
  const colon = text.indexOf(":");
  if (colon < 0) throw bad();
  return [text.slice(0, colon), text.slice(colon + 1)];
}

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

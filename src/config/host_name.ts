/**
 * Normalisation of registry names as they appear in config files, docker's
 * `auths` keys and `--host` flags.
 *
 * @module
 */

/** Docker Hub's name in references. */
export const HUB_NAME = "docker.io";
/** The key docker and credential helpers use for Docker Hub. */
export const HUB_AUTH_KEY = "https://index.docker.io/v1/";

const HUB_ALIASES = new Set(["docker.io", "registry-1.docker.io", "index.docker.io"]);

/** A registry name after {@link normaliseHostName}. */
export interface NormalisedHostName {
  /** Registry name as used in references (`docker.io`, `localhost:5000`); empty when none. */
  name: string;
  /** The input had an `http://` prefix: TLS is disabled. */
  tlsDisabled: boolean;
  /** The input carried a path (a repository) other than Docker Hub's `/v1/`. */
  hasPath: boolean;
}

/**
 * Normalises a registry name: drops an `http://`/`https://` prefix (noting
 * that `http://` disables TLS), drops a trailing `/`, lowercases the host and
 * maps every Docker Hub alias to `docker.io`.
 *
 * @param input name as written by the user or another tool
 * @returns the normalised name and what was stripped
 *
 * @example Docker Hub aliases
 * ```ts
 * import assert from "node:assert/strict";
 * import { normaliseHostName } from "./host_name.ts";
 * assert.equal(normaliseHostName("https://index.docker.io/v1/").name, "docker.io");
 * assert.equal(normaliseHostName("http://localhost:5000").tlsDisabled, true);
 * ```
 */
export function normaliseHostName(input: string): NormalisedHostName {
  let rest = input.trim();
  let tlsDisabled = false;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rest);
  if (scheme) {
    tlsDisabled = scheme[1]?.toLowerCase() === "http";
    rest = rest.slice(scheme[0].length);
  }
  const slash = rest.indexOf("/");
  const host = (slash >= 0 ? rest.slice(0, slash) : rest).toLowerCase();
  const path = slash >= 0 ? rest.slice(slash) : "";
  const hub = HUB_ALIASES.has(host);
  const hasPath = !(path === "" || path === "/" || (hub && /^\/v1\/?$/.test(path)));
  return { name: hub ? HUB_NAME : host, tlsDisabled, hasPath };
}

/**
 * Registry host configuration (regctl's `hosts` entries) and the rules that
 * turn a registry name into the URL that is contacted.
 *
 * @module
 */

/** TLS mode of a registry host. */
export type TlsMode = "enabled" | "insecure" | "disabled";

/** Configuration of one registry host, as in regctl's config file. */
export interface HostConfig {
  /** Registry name as used in references (`localhost:5000`, `docker.io`). */
  name: string;
  /** Actual `host[:port]` to contact. @default the name (`registry-1.docker.io` for Docker Hub) */
  hostname?: string | undefined;
  /** TLS mode. @default "enabled" (`disabled` for localhost and 127.0.0.1 is NOT implied) */
  tls?: TlsMode | undefined;
  /** Basic user name. */
  user?: string | undefined;
  /** Basic password. */
  pass?: string | undefined;
  /** Identity / refresh token, used with the OAuth2 POST token flow. */
  token?: string | undefined;
  /** Path inserted after `/v2/` (mirror namespaces). */
  pathPrefix?: string | undefined;
  /** Other host names tried for pulls (not used yet). */
  mirrors?: string[] | undefined;
  /** Concurrent requests to this host. @default 3 */
  reqConcurrent?: number | undefined;
  /** Request starts per second, 0 for no limit. @default 0 */
  reqPerSec?: number | undefined;
  /** Chunk size for chunked uploads. @default 1 MiB */
  blobChunk?: number | undefined;
  /** Size above which uploads are chunked, -1 never. @default -1 */
  blobMax?: number | undefined;
  /** Separate token per repository. @default false */
  repoAuth?: boolean | undefined;
  /** API options. */
  apiOpts?: { disableHead?: boolean | undefined } | undefined;
  /** PEM CA for this registry (the injected fetch must honour it). */
  regcert?: string | undefined;
  /** PEM client certificate (the injected fetch must honour it). */
  clientCert?: string | undefined;
  /** PEM client key (the injected fetch must honour it). */
  clientKey?: string | undefined;
}

/** Docker Hub's name in references. */
export const DOCKER_HUB = "docker.io";
/** Docker Hub's API host. */
export const DOCKER_HUB_API = "registry-1.docker.io";

/** Default chunk size (1 MiB). */
export const DEFAULT_BLOB_CHUNK = 1024 * 1024;
/** Largest chunk ever used, whatever the registry asks (1 GiB). */
export const MAX_BLOB_CHUNK = 1024 * 1024 * 1024;

/** A host configuration with every default filled in. */
export interface ResolvedHost {
  /** Registry name as in references. */
  name: string;
  /** `host[:port]` contacted. */
  hostname: string;
  /** TLS mode. */
  tls: TlsMode;
  /** Path prefix without leading or trailing slashes, or empty. */
  pathPrefix: string;
  /** Concurrent requests. */
  reqConcurrent: number;
  /** Requests per second, 0 for no limit. */
  reqPerSec: number;
  /** Chunk size. */
  blobChunk: number;
  /** Chunking threshold, -1 for never. */
  blobMax: number;
  /** Token per repository. */
  repoAuth: boolean;
  /** HEAD requests disabled. */
  disableHead: boolean;
  /** The configuration as given (credentials). */
  config: HostConfig;
}

/**
 * Finds the configuration of a registry and fills in defaults.
 *
 * @param hosts configured hosts
 * @param registry registry name from a reference (`docker.io`, `localhost:5000`)
 * @returns the resolved host
 *
 * @example Docker Hub maps to its API host
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveHost } from "./host_config.ts";
 * assert.equal(resolveHost([], "docker.io").hostname, "registry-1.docker.io");
 * ```
 */
export function resolveHost(hosts: readonly HostConfig[], registry: string): ResolvedHost {
  let name = registry;
  let tlsFromName: TlsMode | undefined;
  if (name.startsWith("http://")) {
    name = name.slice(7);
    tlsFromName = "disabled";
  } else if (name.startsWith("https://")) {
    name = name.slice(8);
  }
  if (name === "index.docker.io") name = DOCKER_HUB;
  const config = hosts.find((h) => h.name === name) ?? { name };
  const hostname = config.hostname ?? (name === DOCKER_HUB ? DOCKER_HUB_API : name);
  return {
    name,
    hostname,
    tls: config.tls ?? tlsFromName ?? "enabled",
    pathPrefix: (config.pathPrefix ?? "").replace(/^\/+|\/+$/g, ""),
    reqConcurrent: _positive(config.reqConcurrent, 3),
    reqPerSec: config.reqPerSec !== undefined && config.reqPerSec > 0 ? config.reqPerSec : 0,
    blobChunk: Math.min(_positive(config.blobChunk, DEFAULT_BLOB_CHUNK), MAX_BLOB_CHUNK),
    blobMax: config.blobMax !== undefined && config.blobMax >= 0 ? config.blobMax : -1,
    repoAuth: config.repoAuth ?? false,
    disableHead: config.apiOpts?.disableHead ?? false,
    config,
  };
}

/**
 * The base URL of a host's API (`https://host/v2/`).
 *
 * @param host resolved host
 * @returns the `/v2/` URL
 */
export function apiBase(host: ResolvedHost): URL {
  const scheme = host.tls === "disabled" ? "http" : "https";
  return new URL(`${scheme}://${host.hostname}/v2/`);
}

/**
 * The URL of a repository endpoint (`/v2/[prefix/]<repo>/<path>`).
 *
 * @param host resolved host
 * @param repository repository path
 * @param path endpoint below the repository, e.g. `manifests/latest`
 * @returns the URL
 *
 * @example Build a manifest URL
 * ```ts
 * import assert from "node:assert/strict";
 * import { repoUrl, resolveHost } from "./host_config.ts";
 * const host = resolveHost([{ name: "localhost:5000", tls: "disabled" }], "localhost:5000");
 * assert.equal(repoUrl(host, "a/b", "manifests/v1").href, "http://localhost:5000/v2/a/b/manifests/v1");
 * ```
 */
export function repoUrl(host: ResolvedHost, repository: string, path: string): URL {
  const prefix = host.pathPrefix ? `${host.pathPrefix}/` : "";
  return new URL(`${prefix}${repository}/${path}`, apiBase(host));
}

function _positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

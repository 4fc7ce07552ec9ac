/**
 * Registry host settings (regctl's `hosts` entries) and credentials: what the
 * config file, Docker's config and `--host` describe, with the defaults that
 * fill in what they leave out. The registry transport reads them; nothing
 * here knows about HTTP.
 *
 * @module
 */

/** Credentials for a registry host. */
export interface Credential {
  /** User name. */
  user?: string | undefined;
  /** Password. */
  pass?: string | undefined;
  /** Identity / refresh token (OAuth2 POST flow). */
  token?: string | undefined;
}

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
  /**
   * Other registry names tried for pulls (never pushes), each configured by
   * its own host entry; see {@link orderPullHosts}.
   */
  mirrors?: string[] | undefined;
  /** Order among a registry and its mirrors: larger first. @default 0 */
  priority?: number | undefined;
  /**
   * Concurrent requests to this host (a blob upload holds its slot until
   * the registry answers). @default DEFAULT_REQ_CONCURRENT (6; regctl uses 3)
   */
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

/**
 * Default concurrent requests per host: 6, as many layers as skopeo moves
 * at once (regctl's 3 leaves a 4-layer image waiting for a second round;
 * `registry set --req-concurrent 3` restores it).
 */
export const DEFAULT_REQ_CONCURRENT = 6;

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
  /** Mirror registry names. */
  mirrors: string[];
  /** Priority among mirrors, larger first. */
  priority: number;
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
 * import { resolveHost } from "./host_settings.ts";
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
    reqConcurrent: _positive(config.reqConcurrent, DEFAULT_REQ_CONCURRENT),
    reqPerSec: config.reqPerSec !== undefined && config.reqPerSec > 0 ? config.reqPerSec : 0,
    blobChunk: Math.min(_positive(config.blobChunk, DEFAULT_BLOB_CHUNK), MAX_BLOB_CHUNK),
    blobMax: config.blobMax !== undefined && config.blobMax >= 0 ? config.blobMax : -1,
    repoAuth: config.repoAuth ?? false,
    disableHead: config.apiOpts?.disableHead ?? false,
    mirrors: [...(config.mirrors ?? [])].filter((m) => m !== "" && m !== name),
    priority: Number.isFinite(config.priority) ? config.priority ?? 0 : 0,
    config,
  };
}

function _positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

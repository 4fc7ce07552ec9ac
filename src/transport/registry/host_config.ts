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

/** A host a pull may be sent to: the registry itself or one of its mirrors. */
export interface PullHost {
  /** The host contacted. */
  host: ResolvedHost;
  /** True for a mirror (requests carry `?ns=<upstream>` and are not retried). */
  mirror: boolean;
  /** The upstream registry name, sent as `ns` to mirrors. */
  ns: string;
}

/**
 * The hosts a pull is tried on, in order: hosts currently backing off go
 * last; then larger `priority` first; on a tie mirrors (in configured order)
 * come before the upstream. regclient documents "larger first"; this follows
 * the documentation.
 *
 * @param hosts configured hosts
 * @param upstream the registry of the reference, resolved
 * @param backingOff tells whether a host name is backing off
 * @returns the mirrors and the upstream, in the order to try them
 *
 * @example A mirror with a higher priority goes first
 * ```ts
 * import assert from "node:assert/strict";
 * import { orderPullHosts, resolveHost } from "./host_config.ts";
 * const hosts = [{ name: "up", mirrors: ["m"] }, { name: "m", priority: 5 }];
 * const order = orderPullHosts(hosts, resolveHost(hosts, "up"), () => false);
 * assert.deepEqual(order.map((h) => h.host.name), ["m", "up"]);
 * ```
 */
export function orderPullHosts(
  hosts: readonly HostConfig[],
  upstream: ResolvedHost,
  backingOff: (name: string) => boolean,
): PullHost[] {
  const seen = new Set<string>([upstream.name]);
  const list: PullHost[] = [];
  for (const m of upstream.mirrors) {
    const host = resolveHost(hosts, m);
    if (seen.has(host.name)) continue;
    seen.add(host.name);
    list.push({ host, mirror: true, ns: upstream.name });
  }
  list.push({ host: upstream, mirror: false, ns: upstream.name });
  const rank = list.map((h, i) => ({ h, i, off: backingOff(h.host.name) ? 1 : 0 }));
  rank.sort((a, b) => a.off - b.off || b.h.host.priority - a.h.host.priority || a.i - b.i);
  return rank.map((r) => r.h);
}

/**
 * The URL of a repository endpoint on a pull host: {@link repoUrl}, plus
 * `?ns=<upstream>` for a mirror (containerd's convention).
 *
 * @param h the pull host
 * @param repository repository path
 * @param path endpoint below the repository
 * @returns the URL
 */
export function pullUrl(h: PullHost, repository: string, path: string): URL {
  const url = repoUrl(h.host, repository, path);
  if (h.mirror) url.searchParams.set("ns", h.ns);
  return url;
}

/**
 * A repository path as the registry knows it: Docker Hub's official images
 * live under `library/` (`alpine` → `library/alpine`).
 *
 * @param host resolved host
 * @param repository repository path from a reference
 * @returns the path used in URLs and scopes
 *
 * @example Docker Hub's library prefix
 * ```ts
 * import assert from "node:assert/strict";
 * import { registryRepository, resolveHost } from "./host_config.ts";
 * assert.equal(registryRepository(resolveHost([], "docker.io"), "alpine"), "library/alpine");
 * assert.equal(registryRepository(resolveHost([], "ghcr.io"), "alpine"), "alpine");
 * ```
 */
export function registryRepository(host: ResolvedHost, repository: string): string {
  return host.name === DOCKER_HUB && repository !== "" && !repository.includes("/")
    ? `library/${repository}`
    : repository;
}

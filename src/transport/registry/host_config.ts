/**
 * The rules that turn a registry name into the URL that is contacted: API
 * base, repository and mirror URLs, pull order, Docker Hub's library prefix.
 * The host settings themselves are configuration (`src/config/host_settings.ts`);
 * they are re-exported here for the transport's users.
 *
 * @module
 */
import {
  DOCKER_HUB,
  type HostConfig,
  type ResolvedHost,
  resolveHost,
} from "../../config/host_settings.ts";

export {
  DEFAULT_BLOB_CHUNK,
  DEFAULT_REQ_CONCURRENT,
  DOCKER_HUB,
  DOCKER_HUB_API,
  type HostConfig,
  MAX_BLOB_CHUNK,
  type ResolvedHost,
  resolveHost,
  type TlsMode,
} from "../../config/host_settings.ts";

/**
 * The base URL of a host's API (`https://host/v2/`).
 *
 * @param host resolved host
 * @returns the `/v2/` URL
 */
export function apiBase(host: ResolvedHost): URL {
  return new URL(`${_scheme(host)}://${host.hostname}/v2/`);
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
  const rel = `${prefix}${repository}/${path}`;
  // One URL parse instead of two (the base's and the result's; each costs a
  // request some 50,000 instructions) when appending `rel` to the base gives
  // what resolving it would ({@link _APPENDS}).
  if (_APPENDS.test(rel)) return new URL(`${_scheme(host)}://${host.hostname}/v2/${rel}`);
  return new URL(rel, apiBase(host));
}

/**
 * A relative reference that resolves against `/v2/` as plain appending:
 * no scheme (a colon in the first segment), no absolute path, no `.` or `..`
 * segment, no backslash (a slash in http URLs), no query or fragment, and no
 * space or control character (a parser trims or drops those).
 */
const _APPENDS = /^(?![/\\]|\.{1,2}(?:\/|$)|[^/]*:)(?!.*\/\.{1,2}(?:\/|$))[^?#\\\0-\x20\x7f]*$/;

function _scheme(host: ResolvedHost): string {
  return host.tls === "disabled" ? "http" : "https";
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

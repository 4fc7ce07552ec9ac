/**
 * What every part of the registry transport shares: the HTTP pipeline, the
 * configured hosts, the clock and the logger, and the rules that pick the
 * host of a reference (Docker Hub's `library/` prefix, mirrors first for
 * pulls).
 *
 * @module
 */
import type { Ref } from "../../types/ref.ts";
import type { CallOptions } from "../transport.ts";
import {
  type HostConfig,
  type PullHost,
  registryRepository,
  type ResolvedHost,
  resolveHost,
} from "./host_config.ts";
import type { RegistryHttp, RegistryLogger } from "./http.ts";

/** The state the registry transport's parts share. */
export interface RegistryContext {
  /** The request pipeline (auth, retries, limits). */
  http: RegistryHttp;
  /** Configured hosts. */
  hosts: HostConfig[];
  /** Clock in milliseconds. */
  now: () => number;
  /** Logger. */
  logger: RegistryLogger | undefined;
  /** Largest upload chunk a registry may ask for (see `RegistryTransportOptions.blobLimit`). */
  blobLimit?: number | undefined;
}

/**
 * The resolved host of a reference's registry.
 *
 * @param ctx shared state
 * @param ref any reference on the registry
 * @returns the host with its defaults filled in
 * @throws never
 */
export function hostOf(ctx: RegistryContext, ref: Ref): ResolvedHost {
  return resolveHost(ctx.hosts, ref.registry);
}

/**
 * The registry itself as a pull host (never a mirror).
 *
 * @param ctx shared state
 * @param ref any reference on the registry
 * @returns the pull host
 * @throws never
 */
export function upstreamOf(ctx: RegistryContext, ref: Ref): PullHost {
  const host = hostOf(ctx, ref);
  return { host, mirror: false, ns: host.name };
}

/**
 * A reference with Docker Hub's `library/` prefix for single-segment
 * repositories.
 *
 * @param ctx shared state
 * @param ref the reference
 * @returns the reference as the registry knows it
 * @throws never
 */
export function normRef(ctx: RegistryContext, ref: Ref): Ref {
  const repository = registryRepository(hostOf(ctx, ref), ref.repository);
  return repository === ref.repository ? ref : { ...ref, repository };
}

/**
 * `registry/repository` of a reference, for messages.
 *
 * @param ref the reference
 * @returns the name
 * @throws never
 */
export function repoName(ref: Ref): string {
  return `${ref.registry}/${ref.repository}`;
}

/**
 * Runs a pull on each of the reference's hosts in turn (mirrors, then the
 * registry, see {@link orderPullHosts}) until one succeeds. A mirror that
 * fails in any way moves on; the registry's own error wins when every host
 * fails. A registry without mirrors is asked alone (the mirrors' turns are
 * in `_mirror_pulls.ts`, loaded on first use).
 *
 * @param ctx shared state
 * @param ref the reference
 * @param options cancellation
 * @param fn the pull on one host
 * @returns the first success
 * @throws the registry's error, else the last mirror's, when every host fails
 */
export async function pullFrom<T>(
  ctx: RegistryContext,
  ref: Ref,
  options: CallOptions,
  fn: (h: PullHost) => Promise<T>,
): Promise<T> {
  const upstream = hostOf(ctx, ref);
  if (upstream.mirrors.length === 0) return await fn(upstreamOf(ctx, ref));
  return await (await import("./_mirror_pulls.ts")).pullInTurn(ctx, upstream, options, fn);
}

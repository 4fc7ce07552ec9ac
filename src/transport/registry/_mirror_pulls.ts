/**
 * Pulls from a registry with mirrors: each host in turn, mirrors first.
 * Loaded by `pullFrom` (`_registry_context.ts`) for the first registry that
 * has mirrors; one without asks the registry alone.
 *
 * @module
 */
import { AbortedError } from "../../errors.ts";
import type { CallOptions } from "../transport.ts";
import { orderPullHosts, type PullHost, type ResolvedHost } from "./host_config.ts";
import type { RegistryContext } from "./_registry_context.ts";

/**
 * Runs a pull on each host of a registry with mirrors (see
 * {@link orderPullHosts}) until one succeeds. A mirror that fails in any way
 * moves on; the registry's own error wins when every host fails. An abort
 * ends the turns at once.
 *
 * @param ctx shared state
 * @param upstream the registry's resolved host
 * @param options cancellation
 * @param fn the pull on one host
 * @returns the first success
 * @throws the registry's error, else the last mirror's, when every host fails
 */
export async function pullInTurn<T>(
  ctx: RegistryContext,
  upstream: ResolvedHost,
  options: CallOptions,
  fn: (h: PullHost) => Promise<T>,
): Promise<T> {
  const order = orderPullHosts(ctx.hosts, upstream, (n) => ctx.http.backingOff(n));
  let upstreamErr: unknown;
  let lastErr: unknown;
  for (const h of order) {
    try {
      return await fn(h);
    } catch (err) {
      if (err instanceof AbortedError || options.signal?.aborted) throw err;
      ctx.logger?.debug?.(`${h.mirror ? "Mirror" : "Registry"} "${h.host.name}" failed`, {
        error: String(err),
      });
      if (h.mirror) lastErr = err;
      else upstreamErr = err;
    }
  }
  throw upstreamErr ?? lastErr;
}

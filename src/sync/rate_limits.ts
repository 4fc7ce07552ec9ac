/**
 * Remembers the rate limit (`RateLimit-Remaining`, Docker Hub style) that
 * each source manifest response carried, for `ratelimit.min`. Fed from the
 * client's response hook; read by the sync runner after a source HEAD.
 *
 * @module
 */
import { parseRateLimit } from "../cli/ratelimit_view.ts";
import type { Ref } from "../types/ref.ts";
import type { SourceRateLimit } from "./runner_types.ts";

/**
 * The last rate limit seen per manifest path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef } from "../types/ref.ts";
 * import { RateLimits } from "./rate_limits.ts";
 * const r = new RateLimits();
 * const res = new Response(null, { headers: { "RateLimit-Remaining": "7;w=60", "RateLimit-Limit": "100" } });
 * Object.defineProperty(res, "url", { value: "https://hub.example/v2/library/alpine/manifests/3" });
 * r.observe(res);
 * assert.deepEqual(r.get(parseRef("hub.example/library/alpine:3")), { remain: 7, limit: 100 });
 * ```
 */
export class RateLimits {
  #seen = new Map<string, SourceRateLimit>();

  /**
   * Records the rate limit of a manifest response that carries one.
   *
   * @param res a registry response (headers only are read)
   */
  observe(res: Response): void {
    let path: string;
    try {
      path = new URL(res.url).pathname;
    } catch {
      return;
    }
    const m = /\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (m === null) return;
    const rl = parseRateLimit(res.headers);
    if (!rl.Set) return;
    this.#seen.set(`${m[1]}@${decodeURIComponent(m[2] ?? "")}`, {
      remain: rl.Remain,
      limit: rl.Limit,
    });
  }

  /**
   * The rate limit last seen for a source reference.
   *
   * @param ref the source (tag or digest)
   * @returns the limit, or undefined when none was sent
   */
  get(ref: Ref): SourceRateLimit | undefined {
    return this.#seen.get(`${ref.repository}@${ref.digest || ref.tag}`);
  }
}

/**
 * The view of `image ratelimit`: the registry's rate limit as reported on a
 * manifest HEAD (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`),
 * in regctl's field names.
 *
 * @module
 */
import type { Formattable } from "./output.ts";

/** regctl's `types.RateLimit`. */
export interface RateLimit {
  /** Requests left in the window. */
  Remain: number;
  /** Requests allowed in the window. */
  Limit: number;
  /** Seconds until the window resets. */
  Reset: number;
  /** Whether the registry sent `RateLimit-Remaining`. */
  Set: boolean;
  /** Policies from `RateLimit-Limit` (`100;w=21600`), or null. */
  Policies: string[] | null;
}

function _int(text: string | undefined): number | undefined {
  const t = text?.trim() ?? "";
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
}

/**
 * Parses the rate-limit headers of a response.
 *
 * @param headers response headers
 * @returns the rate limit; `Set` is true only when `RateLimit-Remaining` parsed
 * @throws never
 *
 * @example Docker Hub's headers
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRateLimit } from "./ratelimit_view.ts";
 * const h = new Headers({ "RateLimit-Limit": "100;w=21600", "RateLimit-Remaining": "76;w=21600" });
 * assert.deepEqual(parseRateLimit(h), {
 *   Remain: 76, Limit: 100, Reset: 0, Set: true, Policies: ["100;w=21600"],
 * });
 * ```
 */
export function parseRateLimit(headers: Headers): RateLimit {
  const rl: RateLimit = { Remain: 0, Limit: 0, Reset: 0, Set: false, Policies: null };
  const limit = headers.get("ratelimit-limit");
  if (limit) {
    limit.split(",").forEach((part, i) => {
      const p = part.trim();
      const fields = p.split(";");
      if (i === 0) rl.Limit = _int(fields[0]) ?? 0;
      if (fields.length > 1) (rl.Policies ??= []).push(p);
    });
  }
  const remain = _int(headers.get("ratelimit-remaining")?.split(";")[0]);
  if (remain !== undefined) {
    rl.Remain = remain;
    rl.Set = true;
  }
  rl.Reset = _int(headers.get("ratelimit-reset")?.split(";")[0]) ?? 0;
  return rl;
}

/**
 * The `--format` view of a rate limit: pretty JSON as regctl's printPretty
 * of a struct without a pretty form.
 *
 * @param rl the rate limit
 * @returns the view
 * @throws never
 */
export function rateLimitView(rl: RateLimit): RateLimit & Formattable {
  return {
    ...rl,
    marshalPretty: () => JSON.stringify(rl, null, 2) + "\n",
    toJSON: () => rl,
  };
}

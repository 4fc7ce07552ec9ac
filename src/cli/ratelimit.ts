/**
 * `ocictl image ratelimit REF` (alias `rate-limit`): the registry's rate
 * limit as reported on a manifest HEAD (`RateLimit-Limit`,
 * `RateLimit-Remaining`, `RateLimit-Reset`). HEAD requests do not count
 * against Docker Hub's pull limit. The `image` verb adds this command.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "./run.ts";
import { Client } from "../client.ts";
import { commonName } from "../types/ref.ts";
import { refArg } from "./arguments.ts";
import type { CliContext } from "./context.ts";
import { FORMAT_PRETTY, type Formattable, writeFormatted } from "./output.ts";

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
 * import { parseRateLimit } from "./ratelimit.ts";
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

/**
 * Builds `image ratelimit` (alias `rate-limit`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createRatelimitCommand(ctx: CliContext): CommandUnknownOpts {
  const cmd = new Command("ratelimit")
    .alias("rate-limit")
    .description("Show the registry's rate limit for an image (one HEAD request)")
    .argument("<image_ref>", "image reference", refArg)
    .option("--format <format>", "output format", FORMAT_PRETTY)
    .addHelpText("after", `\nExample:\n  ocictl image ratelimit alpine\n`)
    .action(async (ref, opts) => {
      let headers = new Headers();
      const client = new Client({
        transports: ctx.transports,
        signal: ctx.signal,
        settings: {
          ...ctx.transportSettings,
          onResponse: (res) => {
            if (/\/manifests\/[^/]+$/.test(new URL(res.url || "http://x/").pathname)) {
              headers = res.headers;
            }
          },
        },
      });
      try {
        await client.manifestHead(ref);
      } finally {
        await client.close();
      }
      ctx.logger.debug("rate limit headers read", { ref: commonName(ref) });
      await writeFormatted(ctx, rateLimitView(parseRateLimit(headers)), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

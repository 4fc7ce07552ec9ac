/**
 * `ocictl image ratelimit` (alias `rate-limit`): shows a registry's rate
 * limit for an image.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { commonName } from "../../src/types/ref.ts";
import { refArg } from "../../src/cli/arguments.ts";
import { FORMAT_PRETTY, writeFormatted } from "../../src/cli/output.ts";
import { captureHeaders } from "../../src/cli/response_headers.ts";

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
      const capture = captureHeaders(ctx);
      try {
        await capture.client.manifestHead(ref);
      } finally {
        await capture.close();
      }
      const headers = capture.headers() ?? new Headers();
      const { parseRateLimit, rateLimitView } = await import("../../src/cli/ratelimit_view.ts");
      ctx.logger.debug("rate limit headers read", { ref: commonName(ref) });
      await writeFormatted(ctx, rateLimitView(parseRateLimit(headers)), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

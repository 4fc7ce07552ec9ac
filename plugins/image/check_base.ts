/**
 * `ocictl image check-base`: tells whether an image's base image has
 * changed.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { commonName } from "../../src/types/ref.ts";
import { digestArg, platformArg, refArg } from "../../src/cli/arguments.ts";

/**
 * Builds `image check-base REF`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageCheckBaseCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("check-base")
    .description("Check whether the base image of an image has changed")
    .argument("<image_ref>", "image reference", refArg)
    .option("--base <ref>", "base image (default: the base.name annotation)", refArg)
    .option(
      "--digest <digest>",
      "expected base digest (default: the base.digest annotation)",
      digestArg,
    )
    .option("--no-config", "do not compare the config history")
    .option(
      "-p, --platform <platform>",
      "platform of an index (default: local)",
      platformArg(ctx.platform),
    )
    .option("--quiet", "print nothing; only the exit code tells")
    .addHelpText(
      "after",
      `\nPrints "base image matches" (exit 0) or "base image has changed" (exit 1).\n\n` +
        `Example:\n  ocictl image check-base ocidir://layout:v1 --base ocidir://base:v1\n`,
    )
    .action(async (ref, opts) => {
      const { BaseChangedError, checkBase } = await import("../../src/ops/check_base.ts");
      const r = await checkBase(ctx.client, ref, {
        base: opts.base,
        digest: opts.digest,
        noConfig: opts.config === false,
        platform: opts.platform ?? ctx.platform,
        signal: ctx.signal,
      });
      if (r.matches) {
        if (opts.quiet !== true) await ctx.out.write("base image matches\n");
        return;
      }
      if (opts.quiet !== true) await ctx.out.write("base image has changed\n");
      throw new BaseChangedError(commonName(ref), r.reason ?? "it differs");
    }) as unknown as CommandUnknownOpts;
}

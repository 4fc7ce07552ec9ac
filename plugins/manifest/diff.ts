/**
 * `ocictl manifest diff`: a unified diff of two manifests.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { Ref } from "../../src/types/ref.ts";
import { countArg, refArg } from "../../src/cli/arguments.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { writeDiff } from "../../src/cli/file_output.ts";

/**
 * Builds `manifest diff REF1 REF2`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createManifestDiffCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("diff")
    .description("Unified diff of two manifests (pretty JSON)")
    .option("--context <n>", "lines of context", countArg, 3)
    .option("--context-full", "show the whole documents")
    .argument("<ref1>", "first reference", refArg)
    .argument("<ref2>", "second reference", refArg)
    .addHelpText("after", `\nExample:\n  ocictl manifest diff ocidir://a:v1 ocidir://a:v2\n`)
    .action(async (r1: Ref, r2: Ref, opts) => {
      const { diffManifests } = await import("../../src/ops/diff.ts");
      await writeDiff(
        ctx,
        await diffManifests(ctx.client, r1, r2, {
          context: opts.context,
          contextFull: opts.contextFull === true,
          signal: ctx.signal,
        }),
      );
    }) as unknown as CommandUnknownOpts;
}

/**
 * `ocictl image get-file` (alias `cat`): prints one file of an image.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { platformArg, refArg } from "../../src/cli/arguments.ts";

/**
 * Builds `image get-file REF PATH [OUT]` (alias `cat`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageGetFileCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("get-file")
    .alias("cat")
    .description("Print a file of an image (layers searched top-down, whiteouts honoured)")
    .argument("<image_ref>", "image reference", refArg)
    .argument("<path>", "path of the file in the image")
    .argument("[outfile]", "write to this file instead of stdout")
    .option(
      "-p, --platform <platform>",
      "platform of an index (default: local)",
      platformArg(ctx.platform),
    )
    .addHelpText(
      "after",
      `\nExample:\n  ocictl image get-file ocidir://layout:v1 /etc/os-release\n`,
    )
    .option("--format <format>", "print a template over .Header (the tar header) instead")
    .action(async (ref, path, outfile, opts) => {
      const [{ getImageFile }, { writeFoundFile }] = await Promise.all([
        import("../../src/ops/get_file.ts"),
        import("../../src/cli/file_output.ts"),
      ]);
      const f = await getImageFile(ctx.client, ref, path, opts.platform ?? ctx.platform, {
        signal: ctx.signal,
      });
      await writeFoundFile(ctx, f, outfile, opts.format);
    }) as unknown as CommandUnknownOpts;
}

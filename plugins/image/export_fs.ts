/**
 * `ocictl image export-fs`: writes an image's flattened root filesystem
 * into a directory.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { platformArg, refArg } from "../../src/cli/arguments.ts";

/**
 * Builds `image export-fs REF DIR`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageExportFsCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("export-fs")
    .description("Write the flattened root filesystem of an image into a directory")
    .argument("<image_ref>", "image reference", refArg)
    .argument("<dir>", "target directory: missing or empty (see --force)")
    .option(
      "-p, --platform <platform>",
      "platform of an index (default: local)",
      platformArg(ctx.platform),
    )
    .option("--force", "write into a non-empty directory, replacing files in the way")
    .addHelpText(
      "after",
      `\nPaths with "..", absolute paths and paths through symlinks are refused before\n` +
        `anything is written; symlinks are created as they are and never followed.\n\n` +
        `Example:\n  ocictl image export-fs ocidir://layout:v1 ./rootfs\n`,
    )
    .action(async (ref, dir, opts) => {
      const [{ exportFs }, { denoExtractFs }] = await Promise.all([
        import("../../src/ops/export_fs.ts"),
        import("../../src/archive/extract_fs.ts"),
      ]);
      const r = await exportFs(ctx.client, ref, dir, {
        fs: denoExtractFs,
        platform: opts.platform ?? ctx.platform,
        force: opts.force === true,
        signal: ctx.signal,
      });
      ctx.logger.info("filesystem exported", { dir, files: r.files, digest: r.digest });
    }) as unknown as CommandUnknownOpts;
}

/**
 * `ocictl image export`: writes images as a tar (OCI layout plus docker
 * `manifest.json`).
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { UsageError } from "../../src/errors.ts";
import { parseRef } from "../../src/types/ref.ts";
import { collectValue, platformArg } from "../../src/cli/arguments.ts";

/**
 * Builds `image export REF [FILE]` (regctl's form) and `image export REF... -o FILE`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageExportCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("export")
    .description("Export images as a tar (OCI layout plus docker manifest.json)")
    .argument("<image_ref...>", "image reference and optional file, or images with --output")
    .option("-o, --output <file>", "write the tar to this file; every argument is then an image")
    .option(
      "-p, --platform <platform>",
      "export only this platform of an index (os/arch[/variant], local)",
      platformArg(ctx.platform),
    )
    .option("--compress", "gzip the tar")
    .option(
      "--name <name>",
      "name to embed (repo:tag), repeatable: one per image, in order",
      collectValue,
    )
    .addHelpText(
      "after",
      `\nAs regctl: REF [FILE] writes one image to FILE (stdout without it). With --output,\n` +
        `every argument is an image and they all go into one tar.\n\nExamples:\n` +
        `  ocictl image export ocidir://layout:v1 image.tar --name example/app:v1\n` +
        `  ocictl image export alpine:3 busybox:1 --platform linux/amd64 -o images.tar\n`,
    )
    .action(async (args, opts) => {
      let refs = args;
      let output = opts.output;
      if (output === undefined && args.length > 1) {
        if (args.length > 2) {
          throw new UsageError(
            `Cannot export ${args.length - 1} images to "${args.at(-1)}": ` +
              `use -o FILE to export several images into one tar`,
          );
        }
        refs = args.slice(0, 1);
        output = args[1];
      }
      const names = opts.name ?? [];
      if (names.length > refs.length) {
        throw new UsageError(
          `Cannot export: ${names.length} --name values for ${refs.length} images (give at most one per image)`,
        );
      }
      if (output === undefined && ctx.isTerminal.stdout) {
        throw new UsageError(
          "Cannot export: stdout is a terminal (use --output FILE or redirect stdout)",
        );
      }
      const images = refs.map((r, i) => ({ ref: parseRef(r), name: names[i] }));
      const [{ openImageExport }, { writeOut }] = await Promise.all([
        import("../../src/ops/image_export.ts"),
        import("../../src/cli/file_output.ts"),
      ]);
      const tar = await openImageExport(ctx.client, images, {
        platform: opts.platform,
        compress: opts.compress === true,
        signal: ctx.signal,
      });
      await writeOut(ctx, tar, output);
    }) as unknown as CommandUnknownOpts;
}

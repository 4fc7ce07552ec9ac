/**
 * `ocictl image import`: pushes an image read from an OCI layout tar or a
 * docker save tar.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { commonName } from "../../src/types/ref.ts";
import { refArg } from "../../src/cli/arguments.ts";

/**
 * Builds `image import REF FILE`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageImportCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("import")
    .description("Import an image from an OCI layout tar or a docker save tar")
    .argument("<image_ref>", "where to push the image", refArg)
    .argument("<tar_file>", "the tar file (gzip and zstd are fine)")
    .option("--name <name>", "image to pick in a tar holding several (tag or repo:tag)")
    .addHelpText("after", `\nExample:\n  ocictl image import ocidir://layout:v1 image.tar\n`)
    .action(async (ref, file, opts) => {
      const [{ importImage }, { denoOciFileSystem }] = await Promise.all([
        import("../../src/ops/image_import.ts"),
        import("../../src/transport/ocifile/file_system.ts"),
      ]);
      const tar = await denoOciFileSystem.open(file);
      const r = await importImage(ctx.client.transport(ref), ref, tar, {
        fs: denoOciFileSystem,
        name: opts.name,
        signal: ctx.signal,
      });
      ctx.logger.info("image imported", { ref: commonName(ref), digest: r.digest });
    }) as unknown as CommandUnknownOpts;
}

/**
 * `ocictl manifest head` (alias `digest`; `image digest`): prints a
 * manifest's digest. The digest alone loads nothing more: views, header
 * capture and formatting are imported when a flag asks for them.
 *
 * @module
 */
import { Command, Option } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import { platformArg, refArg } from "../../src/cli/arguments.ts";
import type { CliContext } from "../../src/cli/context.ts";
import type { ManifestView } from "../../src/cli/manifest_view.ts";
import type { CommandNames } from "./get.ts";

/**
 * Builds `manifest head` (`image digest`): prints the digest, or the headers
 * with `--format raw-headers`.
 *
 * @param ctx command context
 * @param names command name and aliases
 * @returns the command
 * @throws never
 */
export function createManifestHeadCommand(
  ctx: CliContext,
  names: CommandNames,
): CommandUnknownOpts {
  return new Command(names.name)
    .aliases(names.aliases)
    .description("Print the digest of a manifest")
    .argument("<image_ref>", "image reference", refArg)
    .option("--format <format>", "output format (raw-headers for the headers)", "")
    .option(
      "-p, --platform <platform>",
      "resolve an index to this platform (os/arch[/variant], local)",
      platformArg(ctx.platform),
    )
    .option("--require-digest", "read the manifest when the digest is not in the headers")
    .option("--require-list", "fail unless the manifest is an index")
    .addOption(new Option("--list", "deprecated: the index is shown unless -p is given").hideHelp())
    .addHelpText("after", `\nExample:\n  ocictl manifest head ocidir://layout:v1\n`)
    .action(async (ref, opts) => {
      const plain = opts.format === "" || opts.format === "digest";
      if (plain && !opts.platform && !opts.requireList) {
        // the digest alone: no view, Go types or header capture to load (start-up)
        await ctx.out.write(`${(await ctx.client.manifestHead(ref)).digest}\n`);
        return;
      }
      const [
        { captureHeaders, withReceivedHeaders },
        { writeFormatted },
        { getManifestView, requireList },
      ] = await Promise.all([
        import("../../src/cli/response_headers.ts"),
        import("../../src/cli/output.ts"),
        import("./get.ts"),
      ]);
      const capture = captureHeaders(ctx);
      let view: ManifestView;
      try {
        if (opts.platform) {
          view = await getManifestView(ctx, ref, opts.platform, capture.client);
        } else {
          const { ManifestView } = await import("../../src/cli/manifest_view.ts");
          view = new ManifestView(ref, await capture.client.manifestHead(ref));
        }
        view = withReceivedHeaders(view, capture.headers());
      } finally {
        await capture.close();
      }
      if (opts.requireList) requireList(view);
      if (plain) {
        await ctx.out.write(`${view.Digest}\n`);
        return;
      }
      await writeFormatted(ctx, view, opts.format);
    }) as unknown as CommandUnknownOpts;
}

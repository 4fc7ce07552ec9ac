/**
 * `ocictl manifest`: get, head, put and delete manifests.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import {
  commonName,
  DigestMismatchError,
  digestOf,
  MANIFEST_WRITE_LIMIT,
  parseManifest,
  withDigest,
} from "../src/mod.ts";
import { refArg } from "../src/cli/arguments.ts";
import type { CliContext } from "../src/cli/context.ts";
import {
  createManifestGetCommand,
  createManifestHeadCommand,
  createManifestRmCommand,
} from "../src/cli/manifest_commands.ts";
import { ManifestView } from "../src/cli/manifest_view.ts";
import { writeFormatted } from "../src/cli/output.ts";
import { createManifestDiffCommand } from "../src/cli/files_commands.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { readCapped } from "../src/read_capped.ts";

markPluginLoaded("manifest");

/**
 * Builds the `manifest` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const manifest = new Command("manifest").description("Manage manifests");
  manifest.addCommand(createManifestGetCommand(ctx, { name: "get", aliases: ["pull"] }));
  manifest.addCommand(createManifestHeadCommand(ctx, { name: "head", aliases: ["digest"] }));
  manifest.command("put")
    .alias("push")
    .description("Push a manifest read from stdin (at most 4 MiB)")
    .argument("<image_ref>", "reference to push to", refArg)
    .option("--by-digest", "push by digest only (no tag) and print the digest")
    .option("-t, --content-type <type>", "media type (default: the body's mediaType)")
    .option("--format <format>", "output format of the pushed manifest")
    .addHelpText(
      "after",
      `\nExample:\n  ocictl manifest put ocidir://layout:v2 < manifest.json\n`,
    )
    .action(async (ref, opts) => {
      const raw = await readCapped(ctx.stdin, MANIFEST_WRITE_LIMIT, "manifest from stdin");
      const m = parseManifest(raw, {
        mediaType: opts.contentType,
        limit: MANIFEST_WRITE_LIMIT,
        ...(ref.digest !== "" ? { digest: ref.digest } : {}),
      });
      let target = ref;
      if (opts.byDigest) target = withDigest(ref, digestOf(raw));
      if (target.digest !== "" && target.digest !== m.digest) {
        throw new DigestMismatchError(
          `manifest "${commonName(ref)}" from stdin`,
          target.digest,
          m.digest,
        );
      }
      const desc = await ctx.client.manifestPut(target, raw, { mediaType: m.mediaType });
      if (opts.format !== undefined) {
        await writeFormatted(ctx, ManifestView.fromManifest(target, m), opts.format);
      } else if (opts.byDigest) {
        await ctx.out.write(`${desc.digest}\n`);
      }
    });
  manifest.addCommand(
    createManifestRmCommand(ctx, { name: "rm", aliases: ["delete", "del", "remove"] }),
  );
  manifest.addCommand(createManifestDiffCommand(ctx));
  return manifest as unknown as CommandUnknownOpts;
}

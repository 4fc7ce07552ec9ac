/**
 * `ocictl image`: digest, inspect (config) and manifest of images.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "@commander-js/extra-typings";
import {
  commonName,
  isImage,
  isIndex,
  MANIFEST_READ_LIMIT,
  ManifestInvalidError,
  MediaType,
  UnsupportedMediaTypeError,
} from "../src/mod.ts";
import { platformArg, refArg } from "../src/cli/arguments.ts";
import { ConfigView } from "../src/cli/config_view.ts";
import type { CliContext } from "../src/cli/context.ts";
import {
  createManifestGetCommand,
  createManifestHeadCommand,
} from "../src/cli/manifest_commands.ts";
import { FORMAT_PRETTY, writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { readCapped } from "../src/read_capped.ts";

markPluginLoaded("image");

const IMAGE_CONFIGS: readonly string[] = [MediaType.OCI_CONFIG, MediaType.DOCKER_CONFIG];

/**
 * Builds the `image` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const image = new Command("image").description("Manage images");
  image.addCommand(createManifestHeadCommand(ctx, { name: "digest", aliases: [] }));
  image.command("inspect")
    .alias("config")
    .description("Show the image config (for an index, the local platform's)")
    .argument("<image_ref>", "image reference", refArg)
    .option("--format <format>", "output format", FORMAT_PRETTY)
    .option(
      "-p, --platform <platform>",
      "platform to inspect in an index (default: local)",
      platformArg(ctx.platform),
    )
    .addHelpText("after", `\nExample:\n  ocictl image inspect ocidir://layout:v1 -p linux/arm64\n`)
    .action(async (ref, opts) => {
      let m = await ctx.client.manifestGet(ref);
      let target = ref;
      if (opts.platform || isIndex(m)) {
        const r = await ctx.client.resolvePlatform(ref, {
          platform: opts.platform ?? ctx.platform,
        });
        m = r.manifest;
        target = r.ref;
      }
      if (!isImage(m)) {
        throw new UnsupportedMediaTypeError(
          `Cannot inspect "${commonName(target)}": media type "${m.mediaType}" has no image config`,
        );
      }
      const config = m.json.config;
      if (!IMAGE_CONFIGS.includes(config.mediaType)) {
        throw new UnsupportedMediaTypeError(
          `Cannot inspect "${
            commonName(target)
          }": it is an artifact (config type "${config.mediaType}"); use "artifact get --config"`,
        );
      }
      const reader = await ctx.client.blobGet(target, config.digest, { size: config.size });
      const raw = await readCapped(reader.body, MANIFEST_READ_LIMIT, `config "${config.digest}"`);
      let view: ConfigView;
      try {
        view = new ConfigView(config, raw);
      } catch (err) {
        throw new ManifestInvalidError(
          `Cannot parse config "${config.digest}" of "${commonName(target)}": not valid JSON`,
          { cause: err },
        );
      }
      await writeFormatted(ctx, view, opts.format);
    });
  image.addCommand(createManifestGetCommand(ctx, { name: "manifest", aliases: [] }));
  return image as unknown as CommandUnknownOpts;
}

/**
 * `ocictl image inspect` (alias `config`): prints an image's config.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { ManifestInvalidError, UnsupportedMediaTypeError } from "../../src/errors.ts";
import { isImage, isIndex } from "../../src/types/manifest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { commonName } from "../../src/types/ref.ts";
import { platformArg, refArg } from "../../src/cli/arguments.ts";
import type { ConfigView } from "../../src/cli/config_view.ts";
import { FORMAT_PRETTY, writeFormatted } from "../../src/cli/output.ts";
import { captureHeaders, withReceivedHeaders } from "../../src/cli/response_headers.ts";

const IMAGE_CONFIGS: readonly string[] = [MediaType.OCI_CONFIG, MediaType.DOCKER_CONFIG];

/**
 * Builds `image inspect` (alias `config`): the image config.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageInspectCommand(ctx: CliContext): CommandUnknownOpts {
  const cmd = new Command("inspect")
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
      const [{ readBlobCapped }, { ConfigView }] = await Promise.all([
        import("../../src/read_capped.ts"),
        import("../../src/cli/config_view.ts"),
      ]);
      // the headers of the config blob's response, for raw-headers as regctl
      const capture = captureHeaders(ctx);
      let raw: Uint8Array;
      try {
        raw = await readBlobCapped(capture.client, target, {
          digest: config.digest,
          size: config.size,
          signal: ctx.signal,
        });
      } finally {
        await capture.close();
      }
      let view: ConfigView;
      try {
        view = new ConfigView(config, raw);
      } catch (err) {
        throw new ManifestInvalidError(
          `Cannot parse config "${config.digest}" of "${commonName(target)}": not valid JSON`,
          { cause: err },
        );
      }
      await writeFormatted(ctx, withReceivedHeaders(view, capture.headers()), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

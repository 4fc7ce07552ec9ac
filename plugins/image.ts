/**
 * `ocictl image`: copy, digest, inspect (config) and manifest of images.
 *
 * Start-up cost: the command tree is built from cheap definitions; the copy
 * engine and the file/tar operations are imported by the actions that run
 * them (literal `import()`, so `deno compile` still bundles them).
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import {
  commonName,
  isImage,
  isIndex,
  ManifestInvalidError,
  MediaType,
  type Platform,
  type Ref,
  UnsupportedMediaTypeError,
  UsageError,
} from "../src/mod.ts";
import { platformArg, refArg } from "../src/cli/arguments.ts";
import { ConfigView } from "../src/cli/config_view.ts";
import type { CliContext } from "../src/cli/context.ts";
import {
  createManifestGetCommand,
  createManifestHeadCommand,
} from "../src/cli/manifest_commands.ts";
import { FORMAT_PRETTY, type Formattable, writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { createRatelimitCommand } from "../src/cli/ratelimit.ts";
import { createImageCreateCommand } from "../src/cli/image_create_command.ts";
import {
  createImageCheckBaseCommand,
  createImageExportCommand,
  createImageExportFsCommand,
  createImageGetFileCommand,
  createImageImportCommand,
} from "../src/cli/files_commands.ts";
import type { CopyOptions, CopyResult } from "../src/ops/copy.ts";
import type { CopyHooks } from "../src/ops/copy_endpoint.ts";
import type { createProgress } from "../src/ops/progress.ts";
import { readBlobCapped } from "../src/read_capped.ts";

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
  image.addCommand(createImageCopyCommand(ctx));
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
      const raw = await readBlobCapped(ctx.client, target, {
        digest: config.digest,
        size: config.size,
        signal: ctx.signal,
      });
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
  image.addCommand(createRatelimitCommand(ctx));
  image.addCommand(createImageCreateCommand(ctx));
  image.addCommand(createImageExportCommand(ctx));
  image.addCommand(createImageImportCommand(ctx));
  image.addCommand(createImageGetFileCommand(ctx));
  image.addCommand(createImageExportFsCommand(ctx));
  image.addCommand(createImageCheckBaseCommand(ctx));
  return image as unknown as CommandUnknownOpts;
}

/**
 * Builds `image copy` (alias `cp`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
function createImageCopyCommand(ctx: CliContext): CommandUnknownOpts {
  const platform = platformArg(ctx.platform);
  const cmd = new Command("copy")
    .alias("cp")
    .description(
      "Copy an image (index, children, blobs; optionally referrers and digest tags) " +
        "between registries and OCI layouts, skipping what the target has",
    )
    .argument("<source_ref>", "image to copy", refArg)
    .argument("<dest_ref>", "target reference (tag, or digest)", refArg)
    .option("-p, --platform <platform>", "copy only this platform's manifest", platform)
    .option(
      "--platforms <list>",
      "copy only these platforms as a filtered index (new digest); repeatable or comma list",
      (value: string, previous: Platform[]) => {
        const list = value.split(",").map((v) => v.trim()).filter((v) => v !== "");
        if (list.length === 0) {
          throw new UsageError(
            `Cannot use "${value}" as --platforms: give platforms such as linux/amd64,linux/arm64`,
          );
        }
        return [...previous, ...list.map(platform)];
      },
      [] as Platform[],
    )
    .option("--referrers", "copy referrers of every copied manifest, recursively", false)
    .option(
      "--referrers-src <repo>",
      "read referrers from this repository (needs --referrers)",
      refArg,
    )
    .option(
      "--referrers-tgt <repo>",
      "write referrers to this repository (needs --referrers)",
      refArg,
    )
    .option("--digest-tags", "copy <alg>-<hex>* tags of copied manifests (cosign, fallback)", false)
    .option("--fast", "when the target has the digest, skip referrer and digest-tag checks", false)
    .option(
      "--force-recursive",
      "walk and repair every child even when the target has the image",
      false,
    )
    .option("--include-external", "also copy layers that carry urls (foreign layers)", false)
    .option("--format <format>", "output format (default: the target reference)", "")
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl image copy ocidir://in:v1 ocidir://out:v1\n` +
        `  ocictl image cp --platforms linux/amd64,linux/arm64 --referrers registry.example.com/app:v1 ocidir://out:v1\n`,
    )
    .action(async (src, dst, opts) => {
      const [{ copyImage, validateCopyOptions }, { createProgress }] = await Promise.all([
        import("../src/ops/copy.ts"),
        import("../src/ops/progress.ts"),
      ]);
      const options: CopyOptions = {
        referrers: opts.referrers,
        digestTags: opts.digestTags,
        fast: opts.fast,
        forceRecursive: opts.forceRecursive,
        includeExternal: opts.includeExternal,
        signal: ctx.signal,
      };
      if (opts.platform !== undefined) options.platform = opts.platform;
      if (opts.platforms.length > 0) options.platforms = opts.platforms;
      if (opts.referrersSrc !== undefined) {
        options.referrersSrc = {
          transport: ctx.client.transport(opts.referrersSrc),
          ref: opts.referrersSrc,
        };
      }
      if (opts.referrersTgt !== undefined) {
        options.referrersTgt = {
          transport: ctx.client.transport(opts.referrersTgt),
          ref: opts.referrersTgt,
        };
      }
      validateCopyOptions(options);
      const progress = _progressHooks(ctx, createProgress);
      let result: CopyResult;
      try {
        result = await copyImage(
          { transport: ctx.client.transport(src), ref: src },
          { transport: ctx.client.transport(dst), ref: dst },
          {
            ...options,
            ...progress.hooks,
            onFallback: (e, err) =>
              ctx.logger.debug("raw copy failed, copying through the checked stream", {
                digest: e.digest,
                error: String(err),
              }),
          },
        );
      } finally {
        await progress.finish();
      }
      if (result.filtered) {
        await ctx.err.write(
          `ocictl: note: --platforms filtered the index; digest changed from ${result.sourceDigest} to ${result.digest}\n`,
        );
      }
      if (opts.format === "") {
        await ctx.out.write(`${commonName(dst)}\n`);
        return;
      }
      await writeFormatted(ctx, _copyView(src, dst, result), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

/**
 * The progress display: a status line on a terminal stderr when no
 * verbosity was asked for, one log line per blob at `-v info`, else nothing.
 */
function _progressHooks(
  ctx: CliContext,
  progressOf: typeof createProgress,
): { hooks: CopyHooks; finish: () => Promise<void> } {
  if (ctx.isTerminal.stderr && ctx.verbosity === "warn") {
    // Writes are chained, so the line's final newline is out before the result.
    let written: Promise<void> = Promise.resolve();
    const p = progressOf({
      write: (s) => {
        written = written.then(() => ctx.err.write(s)).catch(() => {});
      },
    });
    return {
      hooks: p,
      finish: () => {
        p.finish();
        return written;
      },
    };
  }
  if (!ctx.logger.enabled("info")) return { hooks: {}, finish: () => Promise.resolve() };
  return {
    hooks: {
      onDone: (e) => {
        if (e.kind === "blob") ctx.logger.info("copied blob", { digest: e.digest, size: e.size });
      },
      onSkip: (e, reason) => {
        if (e.kind === "blob") ctx.logger.info("skipped blob", { digest: e.digest, reason });
      },
    },
    finish: () => Promise.resolve(),
  };
}

function _copyView(src: Ref, dst: Ref, r: CopyResult): Formattable {
  const json = {
    Source: commonName(src),
    Target: commonName(dst),
    Digest: r.digest,
    MediaType: r.mediaType,
    Size: r.size,
    SourceDigest: r.sourceDigest,
    Filtered: r.filtered,
    Skipped: r.skipped,
    Manifests: r.manifests,
    Blobs: r.blobs,
    Mounted: r.mounted,
    Bytes: r.bytes,
  };
  return {
    ...json,
    marshalPretty: () => `${commonName(dst)}\n`,
    toJSON: () => json,
  } as Formattable;
}

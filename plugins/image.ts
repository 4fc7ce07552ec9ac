/**
 * `ocictl image`: copy, digest, inspect (config) and manifest of images,
 * create, export, import, get-file, export-fs, check-base and ratelimit.
 *
 * Start-up cost: the command tree is built from cheap definitions; the copy
 * engine and the file/tar operations are imported by the actions that run
 * them (literal `import()`, so `deno compile` still bundles them).
 *
 * @module
 */
import { addLazyCommand, Command, Option } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
// direct imports: the src/mod.ts barrel also loads modules short commands do not need
import { ManifestInvalidError, UnsupportedMediaTypeError, UsageError } from "../src/errors.ts";
import { isImage, isIndex } from "../src/types/manifest.ts";
import { MediaType } from "../src/types/media_type.ts";
import { type Platform } from "../src/types/platform.ts";
import { commonName, parseRef } from "../src/types/ref.ts";
import { digestArg, platformArg, refArg } from "../src/cli/arguments.ts";
import type { ConfigView } from "../src/cli/config_view.ts";
import type { CliContext } from "../src/cli/context.ts";
import { FORMAT_PRETTY, writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { captureHeaders, withReceivedHeaders } from "../src/cli/response_headers.ts";
import type { CopyOptions, CopyResult } from "../src/ops/copy.ts";
import type { CopyHooks } from "../src/ops/copy_endpoint.ts";
import type { LayerDirEntry } from "../src/mod/layer_dir.ts";
import { MOD_FLAGS } from "../src/mod/mod_flags.ts";
import { createManifestGetCommand, createManifestHeadCommand } from "./manifest.ts";

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
  // each subcommand is built only when chosen (or listed by help)
  const add = (name: string, aliases: string[], build: () => CommandUnknownOpts) =>
    addLazyCommand(image, name, aliases, build);
  add("copy", ["cp"], () => createImageCopyCommand(ctx));
  add("digest", [], () => createManifestHeadCommand(ctx, { name: "digest", aliases: [] }));
  add("inspect", ["config"], () => _inspectCommand(ctx));
  add("manifest", [], () => createManifestGetCommand(ctx, { name: "manifest", aliases: [] }));
  add("ratelimit", ["rate-limit"], () => createRatelimitCommand(ctx));
  add("create", ["init", "new"], () => createImageCreateCommand(ctx));
  add("export", [], () => createImageExportCommand(ctx));
  add("import", [], () => createImageImportCommand(ctx));
  add("get-file", ["cat"], () => createImageGetFileCommand(ctx));
  add("export-fs", [], () => createImageExportFsCommand(ctx));
  add("check-base", [], () => createImageCheckBaseCommand(ctx));
  add("mod", [], () => _modCommand(ctx));
  return image as unknown as CommandUnknownOpts;
}

/** Builds `image inspect` (alias `config`): the image config. */
function _inspectCommand(ctx: CliContext): CommandUnknownOpts {
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
        import("../src/read_capped.ts"),
        import("../src/cli/config_view.ts"),
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
    .action(async (src, dst, opts, cmd) => {
      const { copyImage, validateCopyOptions } = await import("../src/ops/copy.ts");
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
      const progress = await _progressHooks(ctx);
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
      const { CopyResultView } = await import("../src/cli/copy_result_view.ts");
      await writeFormatted(ctx, CopyResultView.forCopy(src, dst, result, cmd.args[1]), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

/** The width of the terminal (else `$COLUMNS`), 0 when unknown. */
function _terminalColumns(env: Record<string, string>): number {
  try {
    const { columns } = Deno.consoleSize();
    if (columns > 0) return columns;
  } catch {
    // not a console: $COLUMNS, else unknown
  }
  const n = Number(env.COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * The progress display: bars and a summary line on a terminal stderr when no
 * verbosity was asked for, one log line per blob at `-v info`, else nothing.
 */
async function _progressHooks(
  ctx: CliContext,
): Promise<{ hooks: CopyHooks; finish: () => Promise<void> }> {
  if (ctx.isTerminal.stderr && ctx.verbosity === "warn") {
    const { createProgress: progressOf } = await import("../src/ops/progress.ts");
    // Writes are chained, so the final summary is out before the result.
    let written: Promise<void> = Promise.resolve();
    const p = progressOf({
      write: (s) => {
        written = written.then(() => ctx.err.write(s)).catch(() => {});
      },
      columns: _terminalColumns(ctx.env),
    });
    const timer = setInterval(() => p.tick(), 250);
    return {
      hooks: p,
      finish: () => {
        clearInterval(timer);
        p.finish();
        return written;
      },
    };
  }
  if (!ctx.logger.enabled("info")) return { hooks: {}, finish: () => Promise.resolve() };
  // -v debug: the copy's timeline (the logger adds `since` to debug records),
  // with each blob's and manifest's duration and throughput.
  const timeline = ctx.logger.enabled("debug");
  const started = new Map<string, number>();
  return {
    hooks: {
      onStart: timeline
        ? (e) => {
          started.set(`${e.kind}|${e.digest}`, performance.now());
          ctx.logger.debug(`${e.kind} started`, { digest: e.digest });
        }
        : undefined,
      onDone: (e) => {
        if (e.kind === "blob") ctx.logger.info("copied blob", { digest: e.digest, size: e.size });
        if (!timeline) return;
        const key = `${e.kind}|${e.digest}`;
        const now = performance.now();
        const ms = now - (started.get(key) ?? now);
        started.delete(key);
        ctx.logger.debug(`${e.kind} done`, {
          digest: e.digest,
          ms: Math.round(ms),
          mibPerSecond: e.size > 0 && ms > 0 ? Math.round(e.size / 1048.576 / ms) : undefined,
        });
      },
      onSkip: (e, reason) => {
        if (e.kind === "blob") ctx.logger.info("skipped blob", { digest: e.digest, reason });
      },
    },
    finish: () => Promise.resolve(),
  };
}

function _collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

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
      _collect,
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
        import("../src/ops/image_export.ts"),
        import("../src/cli/file_output.ts"),
      ]);
      const tar = await openImageExport(ctx.client, images, {
        platform: opts.platform,
        compress: opts.compress === true,
        signal: ctx.signal,
      });
      await writeOut(ctx, tar, output);
    }) as unknown as CommandUnknownOpts;
}

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
        import("../src/ops/image_import.ts"),
        import("../src/transport/ocifile/file_system.ts"),
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
        import("../src/ops/get_file.ts"),
        import("../src/cli/file_output.ts"),
      ]);
      const f = await getImageFile(ctx.client, ref, path, opts.platform ?? ctx.platform, {
        signal: ctx.signal,
      });
      await writeFoundFile(ctx, f, outfile, opts.format);
    }) as unknown as CommandUnknownOpts;
}

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
        import("../src/ops/export_fs.ts"),
        import("../src/archive/extract_fs.ts"),
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

/**
 * Builds `image check-base REF`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageCheckBaseCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("check-base")
    .description("Check whether the base image of an image has changed")
    .argument("<image_ref>", "image reference", refArg)
    .option("--base <ref>", "base image (default: the base.name annotation)", refArg)
    .option(
      "--digest <digest>",
      "expected base digest (default: the base.digest annotation)",
      digestArg,
    )
    .option("--no-config", "do not compare the config history")
    .option(
      "-p, --platform <platform>",
      "platform of an index (default: local)",
      platformArg(ctx.platform),
    )
    .option("--quiet", "print nothing; only the exit code tells")
    .addHelpText(
      "after",
      `\nPrints "base image matches" (exit 0) or "base image has changed" (exit 1).\n\n` +
        `Example:\n  ocictl image check-base ocidir://layout:v1 --base ocidir://base:v1\n`,
    )
    .action(async (ref, opts) => {
      const { BaseChangedError, checkBase } = await import("../src/ops/check_base.ts");
      const r = await checkBase(ctx.client, ref, {
        base: opts.base,
        digest: opts.digest,
        noConfig: opts.config === false,
        platform: opts.platform ?? ctx.platform,
        signal: ctx.signal,
      });
      if (r.matches) {
        if (opts.quiet !== true) await ctx.out.write("base image matches\n");
        return;
      }
      if (opts.quiet !== true) await ctx.out.write("base image has changed\n");
      throw new BaseChangedError(commonName(ref), r.reason ?? "it differs");
    }) as unknown as CommandUnknownOpts;
}

/** Seams of {@link createImageCreateCommand}. */
export interface ImageCreateCommandOptions {
  /** The clock for `--created now`. @default () => new Date() */
  now?: (() => Date) | undefined;
}

/**
 * Builds `image create` (aliases `init`, `new`): a config with the platform
 * and labels, no layers. Prints nothing, or the digest with `--by-digest`.
 *
 * @param ctx command context
 * @param options the clock
 * @returns the command
 * @throws never
 *
 * @example Build the command
 * ```ts
 * import assert from "node:assert/strict";
 * import { createImageCreateCommand } from "./image.ts";
 * import type { CliContext } from "../src/cli/context.ts";
 * const cmd = createImageCreateCommand({ platform: { os: "linux", architecture: "amd64" } } as CliContext);
 * assert.deepEqual(cmd.aliases(), ["init", "new"]);
 * ```
 */
export function createImageCreateCommand(
  ctx: CliContext,
  options: ImageCreateCommandOptions = {},
): CommandUnknownOpts {
  const now = options.now ?? (() => new Date());
  return new Command("create")
    .aliases(["init", "new"])
    .description("Create a scratch image: a config with the platform and labels, no layers")
    .argument("<ref>", "where to push (tag)", refArg)
    .option("--annotation <key=value>", "manifest annotation, repeatable", _collect, [])
    .option("--by-digest", "push by digest only and print the digest", false)
    .option("--created <time>", '"now" or an RFC 3339 time written in the config')
    .option("--format <format>", "output format of the pushed manifest", "")
    .option("--label <key=value>", "config label, repeatable", _collect, [])
    .option(
      "--media-type <type>",
      "manifest media type (OCI, or Docker schema2)",
      MediaType.OCI_MANIFEST as string,
    )
    .option(
      "--platform <platform>",
      "platform written in the config (default: local)",
      platformArg(ctx.platform),
    )
    .addHelpText(
      "after",
      `\nExample:\n  ocictl image create ocidir://layout:scratch --platform linux/arm64 --label a=b\n`,
    )
    .action(async (ref, opts) => {
      const [{ createImage, parseCreated }, { parseKeyValues }, { writePushResult }] = await Promise
        .all([
          import("../src/ops/image_create.ts"),
          import("../src/ops/referrer_query.ts"),
          import("../src/cli/manifest_result.ts"),
        ]);
      const r = await createImage(ctx.client, ref, {
        platform: opts.platform ?? ctx.platform,
        mediaType: opts.mediaType,
        labels: parseKeyValues(opts.label, "--label"),
        annotations: parseKeyValues(opts.annotation, "--annotation"),
        created: opts.created !== undefined ? parseCreated(opts.created, now) : undefined,
        byDigest: opts.byDigest,
        signal: ctx.signal,
      });
      await writePushResult(ctx, r, opts.format, opts.byDigest);
    }) as unknown as CommandUnknownOpts;
}

/**
 * Builds `image ratelimit` (alias `rate-limit`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createRatelimitCommand(ctx: CliContext): CommandUnknownOpts {
  const cmd = new Command("ratelimit")
    .alias("rate-limit")
    .description("Show the registry's rate limit for an image (one HEAD request)")
    .argument("<image_ref>", "image reference", refArg)
    .option("--format <format>", "output format", FORMAT_PRETTY)
    .addHelpText("after", `\nExample:\n  ocictl image ratelimit alpine\n`)
    .action(async (ref, opts) => {
      const capture = captureHeaders(ctx);
      try {
        await capture.client.manifestHead(ref);
      } finally {
        await capture.close();
      }
      const headers = capture.headers() ?? new Headers();
      const { parseRateLimit, rateLimitView } = await import("../src/cli/ratelimit_view.ts");
      ctx.logger.debug("rate limit headers read", { ref: commonName(ref) });
      await writeFormatted(ctx, rateLimitView(parseRateLimit(headers)), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

/**
 * Builds `image mod`: every flag adds a step, in command-line order, and the
 * engine in `src/mod/` applies them; prints the resulting reference. The
 * plugin gives the file system for `--layer-add` (a tar file, or a directory
 * packed as a tar) and the clock of added history (`SOURCE_DATE_EPOCH`).
 */
function _modCommand(ctx: CliContext): CommandUnknownOpts {
  // [flag, value] in command-line order: read into steps when the command runs
  const flags: [string, string][] = [];
  const cmd = new Command("mod")
    .description(
      "Modify an image: each flag is a step, applied in command-line order; " +
        "the result is pushed by digest, to --create TAG, or over the tag with --replace",
    )
    .argument("<image_ref>", "image to modify", refArg)
    .option("--create <tag>", "push the result to this tag (a bare name) or reference")
    .option("--replace", "push the result over the source tag", false);
  for (const [name, f] of Object.entries(MOD_FLAGS)) {
    const o = new Option(f.arg === undefined ? `--${name}` : `--${name} <${f.arg}>`, f.help);
    if (f.hidden) o.hideHelp();
    cmd.addOption(o);
    cmd.on(`option:${name}`, (value: unknown) => {
      flags.push([name, typeof value === "string" ? value : ""]);
    });
  }
  cmd.addHelpText(
    "after",
    `\nExamples:\n` +
      `  ocictl image mod ocidir://layout:v1 --create v1-labels --label org.example.team=web\n` +
      `  ocictl image mod registry.example.com/app:v1 --create v1-repro --time set=2024-01-01T00:00:00Z --reproducible\n` +
      `  ocictl image mod registry.example.com/app:v1 --create v1-zstd --layer-compress zstd\n` +
      `  ocictl image mod registry.example.com/app:v1 --replace --rebase-ref base:old,base:new\n`,
  );
  cmd.action(async (ref, opts) => {
    const { parseModFlag } = await import("../src/mod/mod_step.ts");
    const steps = flags.flatMap(([name, value]) => parseModFlag(name, value));
    for (const s of steps) if (s.kind === "layer-add") await _checkLayerSource(s.source);
    const { applyMod, modTarget } = await import("../src/mod/apply_mod.ts");
    const { garbageCollector } = await import("../src/cli/garbage_collector.ts");
    const epoch = Deno.env.get("SOURCE_DATE_EPOCH");
    const r = await applyMod(ctx.client, ref, steps, {
      target: modTarget(ref, opts.create, opts.replace === true, parseRef),
      openLayer: _openLayerSource,
      now: epoch !== undefined && /^\d+$/.test(epoch)
        ? () => new Date(Number(epoch) * 1000)
        : undefined,
      collect: garbageCollector(() => {
        const m = Deno.memoryUsage();
        return m.heapUsed + m.external;
      }),
      signal: ctx.signal,
    });
    await ctx.out.write(`${commonName(r.ref)}\n`);
  });
  return cmd as unknown as CommandUnknownOpts;
}

/** Refuses a `--layer-add` source that is missing or of the wrong kind (nothing is read yet). */
async function _checkLayerSource({ kind, path }: { kind: "tar" | "dir"; path: string }) {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    throw new UsageError(
      `Cannot use "${path}" for --layer-add ${kind}=: it cannot be read (${
        (err as Error).message
      })`,
    );
  }
  if (kind === "dir" ? !info.isDirectory : !info.isFile) {
    throw new UsageError(
      `Cannot use "${path}" for --layer-add ${kind}=: it is not a ${
        kind === "dir" ? "directory" : "file"
      }`,
    );
  }
}

/** Opens a `--layer-add` source: the tar file, or the directory packed as a tar. */
async function _openLayerSource(
  { kind, path }: { kind: "tar" | "dir"; path: string },
): Promise<ReadableStream<Uint8Array>> {
  if (kind === "tar") return (await Deno.open(path, { read: true })).readable;
  const { packLayerDirectory } = await import("../src/mod/layer_dir.ts");
  return await packLayerDirectory({
    walk: () => _walkLayerDir(path),
    open: async (p) => (await Deno.open(`${path}/${p}`, { read: true })).readable,
  });
}

/** Lists a directory tree for `--layer-add dir=` (files, directories, symlinks). */
async function _walkLayerDir(root: string): Promise<LayerDirEntry[]> {
  const out: LayerDirEntry[] = [];
  const pending = [""];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    for await (const e of Deno.readDir(rel === "" ? root : `${root}/${rel}`)) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      const st = await Deno.lstat(`${root}/${path}`);
      const common = { path, mode: st.mode ?? 0o644, mtime: st.mtime ?? undefined };
      if (st.isSymlink) {
        const linkname = await Deno.readLink(`${root}/${path}`);
        out.push({ ...common, type: "symlink", size: 0, linkname });
      } else if (st.isDirectory) {
        out.push({ ...common, type: "dir", size: 0 });
        pending.push(path);
      } else if (st.isFile) out.push({ ...common, type: "file", size: st.size });
    }
  }
  return out;
}

/**
 * Commands working on files inside images and on image tars:
 * `image export`, `image import`, `image get-file`, `image export-fs`,
 * `image check-base`, `blob get-file`, `blob diff-config`,
 * `blob diff-layer` and `manifest diff`. The verb plugins add them.
 *
 * Start-up cost: building these commands (for help or to dispatch) imports
 * none of the operations; each action imports its operation (archive code,
 * tar, gzip and zstd packages, file-system seams) with a literal `import()`
 * when it runs.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "./run.ts";
import type { LayerEntryInfo } from "../archive/layer_reader.ts";
import { UsageError } from "../errors.ts";
import { commonName, parseRef, type Ref } from "../types/ref.ts";
import { countArg, digestArg, platformArg, refArg } from "./arguments.ts";
import type { CliContext } from "./context.ts";
import { writeFormatted } from "./output.ts";

function _dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Writes a stream to a file through a temp file, so a failure leaves nothing. */
async function _writeOut(
  ctx: CliContext,
  body: ReadableStream<Uint8Array>,
  file: string | undefined,
): Promise<void> {
  if (file === undefined || file === "-") {
    await ctx.out.pipeFrom(body, ctx.signal);
    return;
  }
  const { denoOciFileSystem } = await import("../transport/ocifile/file_system.ts");
  const tmp = await denoOciFileSystem.writeTemp(_dirOf(file), body, {
    signal: ctx.signal,
    prefix: ".ocictl.",
  });
  await denoOciFileSystem.rename(tmp, file);
}

/**
 * Writes a found file: its bytes, or with `--format` a template over regctl's
 * `.Header` (Go's tar header field names); the layer is still read to the end
 * so its digest is verified either way.
 */
async function _writeFile(
  ctx: CliContext,
  f: { info: LayerEntryInfo; body: ReadableStream<Uint8Array> },
  outfile: string | undefined,
  format: string | undefined,
): Promise<void> {
  if (format === undefined) return await _writeOut(ctx, f.body, outfile);
  await f.body.pipeTo(new WritableStream(), { signal: ctx.signal });
  const i = f.info;
  const header = {
    Name: i.path,
    Linkname: i.linkname,
    Size: i.size,
    Mode: i.mode,
    Uid: i.uid,
    Gid: i.gid,
    ModTime: i.mtime ?? new Date(0),
    Typeflag: i.type,
  };
  const view = {
    Header: header,
    marshalPretty: () => `${JSON.stringify(header, null, 2)}\n`,
    toJSON: () => ({ Header: header }),
  };
  await writeFormatted(ctx, view, format);
}

async function _writeDiff(ctx: CliContext, lines: string[]): Promise<void> {
  if (lines.length > 0) await ctx.out.write(lines.join("\n") + "\n");
}

function _collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Builds `image export REF... [-o FILE]`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageExportCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("export")
    .description("Export images as a tar (OCI layout plus docker manifest.json)")
    .argument("<image_ref...>", "image references (several go into one tar)")
    .option("-o, --output <file>", "write the tar to this file (default: stdout)")
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
      `\nThe file is given with --output, not as a second argument, because several images\n` +
        `can be exported into one tar.\n\nExamples:\n` +
        `  ocictl image export ocidir://layout:v1 -o image.tar --name example/app:v1\n` +
        `  ocictl image export alpine:3 busybox:1 --platform linux/amd64 > images.tar\n`,
    )
    .action(async (refs, opts) => {
      const names = opts.name ?? [];
      if (names.length > refs.length) {
        throw new UsageError(
          `Cannot export: ${names.length} --name values for ${refs.length} images (give at most one per image)`,
        );
      }
      if (opts.output === undefined && ctx.isTerminal.stdout) {
        throw new UsageError(
          "Cannot export: stdout is a terminal (use --output FILE or redirect stdout)",
        );
      }
      const images = refs.map((r, i) => ({ ref: parseRef(r), name: names[i] }));
      const { openImageExport } = await import("../ops/image_export.ts");
      const tar = await openImageExport(ctx.client, images, {
        platform: opts.platform,
        compress: opts.compress === true,
        signal: ctx.signal,
      });
      await _writeOut(ctx, tar, opts.output);
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
        import("../ops/image_import.ts"),
        import("../transport/ocifile/file_system.ts"),
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
      const { getImageFile } = await import("../ops/get_file.ts");
      const f = await getImageFile(ctx.client, ref, path, opts.platform ?? ctx.platform, {
        signal: ctx.signal,
      });
      await _writeFile(ctx, f, outfile, opts.format);
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
        import("../ops/export_fs.ts"),
        import("../archive/extract_fs.ts"),
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
      const { BaseChangedError, checkBase } = await import("../ops/check_base.ts");
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

/**
 * Builds `blob get-file REPO DIGEST PATH [OUT]` (alias `cat`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createBlobGetFileCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("get-file")
    .alias("cat")
    .description("Print a file of a layer blob")
    .argument("<repo>", "repository", refArg)
    .argument("<digest>", "layer digest", digestArg)
    .argument("<path>", "path of the file in the layer")
    .argument("[outfile]", "write to this file instead of stdout")
    .addHelpText(
      "after",
      `\nExample:\n  ocictl blob get-file ocidir://layout sha256:… etc/os-release\n`,
    )
    .option("--format <format>", "print a template over .Header (the tar header) instead")
    .action(async (ref, digest, path, outfile, opts) => {
      const { getLayerFile } = await import("../ops/get_file.ts");
      const f = await getLayerFile(ctx.client, ref, digest, path, { signal: ctx.signal });
      await _writeFile(ctx, f, outfile, opts.format);
    }) as unknown as CommandUnknownOpts;
}

function _diffCommand(name: string, description: string) {
  return new Command(name)
    .description(description)
    .option("--context <n>", "lines of context", countArg, 3)
    .option("--context-full", "show the whole documents");
}

/**
 * Builds `blob diff-config REPO DIGEST REPO DIGEST`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createBlobDiffConfigCommand(ctx: CliContext): CommandUnknownOpts {
  return _diffCommand("diff-config", "Unified diff of two config blobs (pretty JSON)")
    .argument("<repo1>", "first repository", refArg)
    .argument("<digest1>", "first config digest", digestArg)
    .argument("<repo2>", "second repository", refArg)
    .argument("<digest2>", "second config digest", digestArg)
    .addHelpText(
      "after",
      `\nExample:\n  ocictl blob diff-config ocidir://a sha256:… ocidir://b sha256:…\n`,
    )
    .action(async (r1: Ref, d1: string, r2: Ref, d2: string, opts) => {
      const { diffConfigs } = await import("../ops/diff.ts");
      await _writeDiff(
        ctx,
        await diffConfigs(ctx.client, r1, d1, r2, d2, {
          context: opts.context,
          contextFull: opts.contextFull === true,
          signal: ctx.signal,
        }),
      );
    }) as unknown as CommandUnknownOpts;
}

/**
 * Builds `blob diff-layer REPO DIGEST REPO DIGEST`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createBlobDiffLayerCommand(ctx: CliContext): CommandUnknownOpts {
  return _diffCommand("diff-layer", "Unified diff of the file lists of two layers")
    .argument("<repo1>", "first repository", refArg)
    .argument("<digest1>", "first layer digest", digestArg)
    .argument("<repo2>", "second repository", refArg)
    .argument("<digest2>", "second layer digest", digestArg)
    .option("--ignore-timestamp", "leave modification times out")
    .addHelpText(
      "after",
      `\nEach file is one line: mode uid/gid size [mtime] path sha256 (or -> link target).\n\n` +
        `Example:\n  ocictl blob diff-layer ocidir://a sha256:… ocidir://b sha256:…\n`,
    )
    .action(async (r1: Ref, d1: string, r2: Ref, d2: string, opts) => {
      const { diffLayers } = await import("../ops/diff.ts");
      await _writeDiff(
        ctx,
        await diffLayers(ctx.client, r1, d1, r2, d2, {
          context: opts.context,
          contextFull: opts.contextFull === true,
          ignoreTimestamp: opts.ignoreTimestamp === true,
          signal: ctx.signal,
        }),
      );
    }) as unknown as CommandUnknownOpts;
}

/**
 * Builds `manifest diff REF1 REF2`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createManifestDiffCommand(ctx: CliContext): CommandUnknownOpts {
  return _diffCommand("diff", "Unified diff of two manifests (pretty JSON)")
    .argument("<ref1>", "first reference", refArg)
    .argument("<ref2>", "second reference", refArg)
    .addHelpText("after", `\nExample:\n  ocictl manifest diff ocidir://a:v1 ocidir://a:v2\n`)
    .action(async (r1: Ref, r2: Ref, opts) => {
      const { diffManifests } = await import("../ops/diff.ts");
      await _writeDiff(
        ctx,
        await diffManifests(ctx.client, r1, r2, {
          context: opts.context,
          contextFull: opts.contextFull === true,
          signal: ctx.signal,
        }),
      );
    }) as unknown as CommandUnknownOpts;
}

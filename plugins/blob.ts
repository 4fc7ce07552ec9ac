/**
 * `ocictl blob`: get, head, put, copy and delete blobs, print a file of a layer,
 * diff two configs or two layers.
 *
 * @module
 */
import { Command, Option } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { type Ref, withoutReference } from "../src/mod.ts";
import { countArg, digestArg, refArg } from "../src/cli/arguments.ts";
import { BlobView } from "../src/cli/blob_view.ts";
import type { CliContext } from "../src/cli/context.ts";
import { FORMAT_PRETTY, writeFormatted } from "../src/cli/output.ts";
import { writeDiff, writeFoundFile } from "../src/cli/file_output.ts";
import { captureHeaders, withReceivedHeaders } from "../src/cli/response_headers.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { copyBlob } from "../src/ops/blob_copy.ts";

markPluginLoaded("blob");

/** Formats that stream the blob itself (regctl treats its default printPretty so too). */
const STREAM_FORMATS = ["", "raw-body", "rawBody", "body", FORMAT_PRETTY];

/**
 * Builds the `blob` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const blob = new Command("blob").alias("layer").description("Manage blobs");
  blob.command("get")
    .alias("pull")
    .description("Write a blob to stdout (verified against its digest)")
    .argument("<repository>", "repository (ocidir://path, registry/repo)", refArg)
    .argument("<digest>", "blob digest", digestArg)
    .option("--format <format>", "output format (default: the raw blob)", "")
    .addOption(new Option("--media-type <type>", "deprecated, ignored").hideHelp())
    .addHelpText("after", `\nExample:\n  ocictl blob get ocidir://layout sha256:… > blob.bin\n`)
    .action(async (ref, digest, opts) => {
      const repo = withoutReference(ref);
      if (STREAM_FORMATS.includes(opts.format)) {
        const reader = await ctx.client.blobGet(repo, digest);
        await ctx.out.pipeFrom(reader.body, ctx.signal);
        return;
      }
      const capture = captureHeaders(ctx);
      try {
        const reader = await capture.client.blobGet(repo, digest);
        const view = withReceivedHeaders(new BlobView(reader.descriptor), capture.headers());
        if (opts.format === "raw") {
          // regctl's raw: the headers, an empty line, then the blob
          await writeFormatted(ctx, view, "raw-headers");
          await ctx.out.write("\n");
          await ctx.out.pipeFrom(reader.body, ctx.signal);
          return;
        }
        await reader.body.cancel();
        await writeFormatted(ctx, view, opts.format);
      } finally {
        await capture.close();
      }
    });
  blob.command("head")
    .alias("digest")
    .description("Print a blob's headers (size, digest)")
    .argument("<repository>", "repository", refArg)
    .argument("<digest>", "blob digest", digestArg)
    .option("--format <format>", "output format", "raw-headers")
    .addHelpText("after", `\nExample:\n  ocictl blob head ocidir://layout sha256:…\n`)
    .action(async (ref, digest, opts) => {
      const capture = captureHeaders(ctx);
      try {
        const desc = await capture.client.blobHead(withoutReference(ref), digest);
        await writeFormatted(
          ctx,
          withReceivedHeaders(new BlobView(desc), capture.headers()),
          opts.format,
        );
      } finally {
        await capture.close();
      }
    });
  blob.command("put")
    .alias("push")
    .description("Push a blob read from stdin and print its digest")
    .argument("<repository>", "repository", refArg)
    .option(
      "--digest <digest>",
      "expected digest: nothing is stored when the bytes differ",
      digestArg,
    )
    .option("--format <format>", "output format", "{{println .Digest}}")
    .addOption(new Option("--content-type <type>", "deprecated, ignored").hideHelp())
    .addHelpText("after", `\nExample:\n  ocictl blob put ocidir://layout < layer.tar.gz\n`)
    .action(async (ref, opts) => {
      const desc = await ctx.client.blobPut(withoutReference(ref), ctx.stdin, {
        digest: opts.digest,
      });
      await writeFormatted(ctx, new BlobView(desc), opts.format);
    });
  blob.command("copy")
    .alias("cp")
    .description("Copy a blob between repositories (mounted when possible, skipped when present)")
    .argument("<source_repository>", "repository holding the blob", refArg)
    .argument("<dest_repository>", "repository to copy it to", refArg)
    .argument("<digest>", "blob digest", digestArg)
    .addHelpText(
      "after",
      `\nExample:\n  ocictl blob copy ocidir://in ocidir://out sha256:…\n`,
    )
    .action(async (src, dst, digest) => {
      const r = await copyBlob(
        { transport: ctx.client.transport(src), ref: withoutReference(src) },
        { transport: ctx.client.transport(dst), ref: withoutReference(dst) },
        digest,
        { signal: ctx.signal },
      );
      ctx.logger.info("blob copy", { digest, action: r.action, bytes: r.bytes });
    });
  blob.command("rm")
    .aliases(["delete", "del"])
    .description("Delete a blob")
    .argument("<repository>", "repository", refArg)
    .argument("<digest>", "blob digest", digestArg)
    .addHelpText("after", `\nExample:\n  ocictl blob rm ocidir://layout sha256:…\n`)
    .action(async (ref, digest) => {
      await ctx.client.blobDelete(withoutReference(ref), digest);
    });
  blob.addCommand(createBlobGetFileCommand(ctx));
  blob.addCommand(createBlobDiffConfigCommand(ctx));
  blob.addCommand(createBlobDiffLayerCommand(ctx));
  return blob as unknown as CommandUnknownOpts;
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
      const { getLayerFile } = await import("../src/ops/get_file.ts");
      const f = await getLayerFile(ctx.client, ref, digest, path, { signal: ctx.signal });
      await writeFoundFile(ctx, f, outfile, opts.format);
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
      const { diffConfigs } = await import("../src/ops/diff.ts");
      await writeDiff(
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
      const { diffLayers } = await import("../src/ops/diff.ts");
      await writeDiff(
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

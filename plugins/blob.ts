/**
 * `ocictl blob`: get, head, put, copy and delete blobs.
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { withoutReference } from "../src/mod.ts";
import { digestArg, refArg } from "../src/cli/arguments.ts";
import { BlobView } from "../src/cli/blob_view.ts";
import type { CliContext } from "../src/cli/context.ts";
import { writeFormatted } from "../src/cli/output.ts";
import {
  createBlobDiffConfigCommand,
  createBlobDiffLayerCommand,
  createBlobGetFileCommand,
} from "../src/cli/files_commands.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { copyBlob } from "../src/ops/blob_copy.ts";

markPluginLoaded("blob");

const STREAM_FORMATS = ["", "raw-body", "rawBody", "body"];

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
      const reader = await ctx.client.blobGet(repo, digest);
      if (STREAM_FORMATS.includes(opts.format)) {
        await ctx.out.pipeFrom(reader.body, ctx.signal);
        return;
      }
      await reader.body.cancel();
      await writeFormatted(ctx, new BlobView(reader.descriptor), opts.format);
    });
  blob.command("head")
    .alias("digest")
    .description("Print a blob's headers (size, digest)")
    .argument("<repository>", "repository", refArg)
    .argument("<digest>", "blob digest", digestArg)
    .option("--format <format>", "output format", "raw-headers")
    .addHelpText("after", `\nExample:\n  ocictl blob head ocidir://layout sha256:…\n`)
    .action(async (ref, digest, opts) => {
      const desc = await ctx.client.blobHead(withoutReference(ref), digest);
      await writeFormatted(ctx, new BlobView(desc), opts.format);
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

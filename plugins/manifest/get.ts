/**
 * `ocictl manifest get` (alias `pull`; `image manifest`): prints a manifest,
 * and the manifest reading that `manifest head` shares when it needs more
 * than the digest.
 *
 * @module
 */
import { Command, Option } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { Client } from "../../src/client.ts";
import { UnsupportedMediaTypeError } from "../../src/errors.ts";
import type { Platform } from "../../src/types/platform.ts";
import type { Ref } from "../../src/types/ref.ts";
import { platformArg, refArg } from "../../src/cli/arguments.ts";
import type { CliContext } from "../../src/cli/context.ts";
import type { ManifestView } from "../../src/cli/manifest_view.ts";
import { FORMAT_PRETTY, writeFormatted } from "../../src/cli/output.ts";
import { captureHeaders, withReceivedHeaders } from "../../src/cli/response_headers.ts";

/** Names of a shared command. */
export interface CommandNames {
  /** Command name. */
  name: string;
  /** Aliases. */
  aliases: string[];
}

/**
 * Builds `manifest get` (`image manifest`): prints a manifest, regctl's human
 * view by default, exact bytes with `--format raw-body`.
 *
 * @param ctx command context
 * @param names command name and aliases
 * @returns the command
 * @throws never
 */
export function createManifestGetCommand(ctx: CliContext, names: CommandNames): CommandUnknownOpts {
  return new Command(names.name)
    .aliases(names.aliases)
    .description("Retrieve a manifest")
    .argument("<image_ref>", "image reference (ocidir://path:tag, registry/repo:tag)", refArg)
    .option("--format <format>", "output format (raw-body for the exact bytes)", FORMAT_PRETTY)
    .option(
      "-p, --platform <platform>",
      "resolve an index to this platform (os/arch[/variant], local)",
      platformArg(ctx.platform),
    )
    .addOption(new Option("--list", "deprecated: output the index as-is").hideHelp())
    .addOption(new Option("--require-list", "fail unless the manifest is an index").hideHelp())
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl ${
        names.name === "get" ? "manifest get" : "image manifest"
      } ocidir://layout:v1\n` +
        `  ocictl manifest get ocidir://layout:v1 --platform linux/arm64 --format raw-body\n`,
    )
    .action(async (ref, opts) => {
      const capture = captureHeaders(ctx);
      let view: ManifestView;
      try {
        view = await getManifestView(ctx, ref, opts.platform, capture.client);
        view = withReceivedHeaders(view, capture.headers());
      } finally {
        await capture.close();
      }
      if (opts.requireList) requireList(view);
      await writeFormatted(ctx, view, opts.format);
    }) as unknown as CommandUnknownOpts;
}

/**
 * Reads a manifest, resolving an index to a platform when one is given.
 *
 * @param ctx command context
 * @param ref reference
 * @param platform platform wanted, if any
 * @param client the client to read with
 * @returns the view of the manifest read
 * @throws {NotFoundError} when the manifest or platform is missing
 */
export async function getManifestView(
  ctx: CliContext,
  ref: Ref,
  platform: Platform | undefined,
  client: Client = ctx.client,
): Promise<ManifestView> {
  const { ManifestView } = await import("../../src/cli/manifest_view.ts");
  if (platform) {
    const r = await client.resolvePlatform(ref, { platform });
    return ManifestView.fromManifest(r.ref, r.manifest);
  }
  const m = await client.manifestGet(ref);
  // a layout's descriptor is its index.json entry (annotations included), as in regclient
  const { layoutEntry } = await import("../../src/cli/layout_index.ts");
  const entry = layoutEntry(ref, m.digest, ctx.readFile ?? Deno.readTextFileSync);
  return entry ? new ManifestView(ref, entry, m) : ManifestView.fromManifest(ref, m);
}

/**
 * `--require-list`: only an index or manifest list will do.
 *
 * @param view the manifest read
 * @returns nothing
 * @throws {UnsupportedMediaTypeError} when it is not an index
 */
export function requireList(view: ManifestView): void {
  if (!view.IsList()) {
    throw new UnsupportedMediaTypeError(
      `Cannot get manifest list "${view.Name}": it is a ${view.MediaType}, not an index`,
    );
  }
}

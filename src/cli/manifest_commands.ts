/**
 * Commands shared by several verbs: `manifest get` (also `image manifest`),
 * `manifest head` (also `image digest`) and `manifest rm` (also `image delete`).
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "./run.ts";
import { NotFoundError, UnsupportedMediaTypeError, UsageError } from "../errors.ts";
import type { RegistryManifestDeleteOptions } from "../transport/registry/registry_transport.ts";
import type { Platform } from "../types/descriptor.ts";
import { commonName, type Ref, withDigest } from "../types/ref.ts";
import { platformArg, refArg } from "./arguments.ts";
import type { CliContext } from "./context.ts";
import { ManifestView } from "./manifest_view.ts";
import { FORMAT_PRETTY, writeFormatted } from "./output.ts";

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
      const view = await getManifestView(ctx, ref, opts.platform);
      if (opts.requireList && !view.IsList()) {
        throw new UnsupportedMediaTypeError(
          `Cannot get manifest list "${view.Name}": it is a ${view.MediaType}, not an index`,
        );
      }
      await writeFormatted(ctx, view, opts.format);
    }) as unknown as CommandUnknownOpts;
}

/**
 * Reads a manifest, resolving an index to a platform when one is given.
 *
 * @param ctx command context
 * @param ref reference
 * @param platform platform wanted, if any
 * @returns the view of the manifest read
 * @throws {NotFoundError} when the manifest or platform is missing
 */
export async function getManifestView(
  ctx: CliContext,
  ref: Ref,
  platform: Platform | undefined,
): Promise<ManifestView> {
  if (platform) {
    const r = await ctx.client.resolvePlatform(ref, { platform });
    return ManifestView.fromManifest(r.ref, r.manifest);
  }
  const m = await ctx.client.manifestGet(ref);
  return ManifestView.fromManifest(ref, m);
}

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
    .addHelpText("after", `\nExample:\n  ocictl manifest head ocidir://layout:v1\n`)
    .action(async (ref, opts) => {
      let view: ManifestView;
      if (opts.platform) {
        view = await getManifestView(ctx, ref, opts.platform);
      } else {
        const desc = await ctx.client.manifestHead(ref);
        view = new ManifestView(ref, desc);
      }
      if (opts.requireList && !view.IsList()) {
        throw new UnsupportedMediaTypeError(
          `Cannot get manifest list "${view.Name}": it is a ${view.MediaType}, not an index`,
        );
      }
      if (opts.format === "") {
        await ctx.out.write(`${view.Digest}\n`);
        return;
      }
      await writeFormatted(ctx, view, opts.format);
    }) as unknown as CommandUnknownOpts;
}

/**
 * Builds `manifest rm` (`image delete`): deletes a manifest by digest. With
 * `--referrers`, a manifest that has a subject is also removed from the
 * subject's referrers fallback tag on registries without the referrers API
 * (ocidir layouts maintain it on every delete).
 *
 * @param ctx command context
 * @param names command name and aliases
 * @returns the command
 * @throws never
 */
export function createManifestRmCommand(ctx: CliContext, names: CommandNames): CommandUnknownOpts {
  return new Command(names.name)
    .aliases(names.aliases)
    .description("Delete a manifest (by digest)")
    .argument("<image_ref>", "reference with a digest", refArg)
    .option(
      "--force-tag-dereference",
      "resolve a tag to its digest first (deletes every tag of that digest)",
    )
    .option("--ignore-missing", "succeed when the manifest does not exist")
    .option(
      "--referrers",
      "also remove the manifest from its subject's referrers fallback tag",
    )
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl manifest rm ocidir://layout@sha256:…\n` +
        `  ocictl manifest rm --referrers registry.example/repo@sha256:…\n`,
    )
    .action(async (ref, opts) => {
      try {
        let target = ref;
        if (ref.digest === "") {
          if (!opts.forceTagDereference) {
            throw new UsageError(
              `Cannot delete manifest "${
                commonName(ref)
              }": a digest is required (use ref@digest, or --force-tag-dereference)`,
            );
          }
          const desc = await ctx.client.manifestHead(ref);
          target = withDigest(ref, desc.digest);
        }
        const options: RegistryManifestDeleteOptions = { referrers: opts.referrers === true };
        await ctx.client.manifestDelete(target, options);
      } catch (err) {
        if (!(opts.ignoreMissing && err instanceof NotFoundError)) throw err;
        ctx.logger.info("manifest not found", { ref: commonName(ref) });
      }
    }) as unknown as CommandUnknownOpts;
}

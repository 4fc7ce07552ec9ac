/**
 * `ocictl index`: create an index or manifest list, add and delete entries.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import type { Platform, Ref } from "../src/mod.ts";
import { collectValue, digestArg, platformArg, refArg } from "../src/cli/arguments.ts";
import type { CliContext } from "../src/cli/context.ts";
import { writePushResult } from "../src/cli/manifest_result.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import {
  addToIndex,
  createIndex,
  deleteFromIndex,
  type IndexEntryOptions,
} from "../src/ops/index_edit.ts";
import { parseKeyValues } from "../src/ops/referrer_query.ts";

markPluginLoaded("index");

/** Options shared by `index create` and `index add`. */
interface _EntryFlags {
  descAnnotation: string[];
  descPlatform?: Platform | undefined;
  digest: string[];
  digestTags: boolean;
  platform: Platform[];
  ref: Ref[];
  referrers: boolean;
}

function _entryCommand(ctx: CliContext, name: string) {
  const platform = platformArg(ctx.platform);
  return new Command(name)
    .argument("<ref>", "the index (tag)", refArg)
    .option(
      "--desc-annotation <key=value>",
      "annotation on each added descriptor, repeatable",
      collectValue,
      [],
    )
    .option("--desc-platform <platform>", "platform of each added descriptor", platform)
    .option(
      "--digest <digest>",
      "manifest already in the repository, repeatable",
      (v: string, prev: string[]) => [...prev, digestArg(v)],
      [] as string[],
    )
    .option("--digest-tags", "copy digest tags with each --ref", false)
    .option(
      "--platform <platform>",
      "keep only this platform of the --ref indexes, repeatable",
      (v: string, prev: Platform[]) => [...prev, platform(v)],
      [] as Platform[],
    )
    .option(
      "--ref <ref>",
      "image to copy into the repository and add, repeatable",
      (v: string, prev: Ref[]) => [...prev, refArg(v)],
      [] as Ref[],
    )
    .option("--referrers", "copy referrers with each --ref", false);
}

function _entryOptions(ctx: CliContext, o: _EntryFlags): IndexEntryOptions {
  return {
    digests: o.digest,
    refs: o.ref,
    platforms: o.platform,
    descAnnotations: parseKeyValues(o.descAnnotation, "--desc-annotation"),
    descPlatform: o.descPlatform,
    digestTags: o.digestTags,
    referrers: o.referrers,
    signal: ctx.signal,
  };
}

/**
 * Builds the `index` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const index = new Command("index").description("Manage indexes and manifest lists");
  index.addCommand(
    _entryCommand(ctx, "create")
      .aliases(["init", "new", "put"])
      .description(
        "Create an index from manifests in the repository (--digest) and images copied in (--ref)",
      )
      .option("--annotation <key=value>", "index annotation, repeatable", collectValue, [])
      .option("--artifact-type <type>", "artifact type of the index (OCI only)")
      .option("--by-digest", "push by digest only and print the digest", false)
      .option("--format <format>", "output format of the pushed index", "")
      .option(
        "-m, --media-type <type>",
        "index media type (OCI index, or Docker manifest list)",
        "application/vnd.oci.image.index.v1+json",
      )
      .option("--subject <tag|digest>", "subject in the same repository (OCI only)")
      .addHelpText(
        "after",
        `\nExample:\n  ocictl index create ocidir://layout:multi --ref ocidir://other:v1 --platform linux/amd64\n`,
      )
      .action(async (ref, opts) => {
        const r = await createIndex(ctx.client, ref, {
          ..._entryOptions(ctx, opts),
          mediaType: opts.mediaType,
          annotations: parseKeyValues(opts.annotation, "--annotation"),
          artifactType: opts.artifactType,
          subject: opts.subject,
          byDigest: opts.byDigest,
        });
        await writePushResult(ctx, r, opts.format, opts.byDigest);
      }) as unknown as CommandUnknownOpts,
  );
  index.addCommand(
    _entryCommand(ctx, "add")
      .aliases(["append", "insert"])
      .description("Add descriptors to an index and push it to the same reference")
      .addHelpText(
        "after",
        `\nExample:\n  ocictl index add ocidir://layout:multi --digest sha256:…\n`,
      )
      .action(async (ref, opts) => {
        await addToIndex(ctx.client, ref, _entryOptions(ctx, opts));
      }) as unknown as CommandUnknownOpts,
  );
  const platform = platformArg(ctx.platform);
  index.addCommand(
    new Command("delete")
      .aliases(["del", "rm", "remove"])
      .description("Remove descriptors from an index and push it to the same reference")
      .argument("<ref>", "the index (tag)", refArg)
      .option(
        "--digest <digest>",
        "remove the entry with this digest, repeatable",
        (v: string, prev: string[]) => [...prev, digestArg(v)],
        [] as string[],
      )
      .option(
        "--platform <platform>",
        "remove the entries of this platform, repeatable",
        (v: string, prev: Platform[]) => [...prev, platform(v)],
        [] as Platform[],
      )
      .addHelpText(
        "after",
        `\nExample:\n  ocictl index delete ocidir://layout:multi --platform linux/arm64\n`,
      )
      .action(async (ref, opts) => {
        await deleteFromIndex(ctx.client, ref, {
          digests: opts.digest,
          platforms: opts.platform,
          signal: ctx.signal,
        });
      }) as unknown as CommandUnknownOpts,
  );
  return index as unknown as CommandUnknownOpts;
}

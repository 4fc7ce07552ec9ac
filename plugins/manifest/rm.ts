/**
 * `ocictl manifest rm` (aliases `delete`, `del`, `remove`): deletes a
 * manifest by digest.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import { NotFoundError, UsageError } from "../../src/errors.ts";
import { commonName, withDigest } from "../../src/types/ref.ts";
import type { RegistryManifestDeleteOptions } from "../../src/transport/registry/registry_transport.ts";
import { refArg } from "../../src/cli/arguments.ts";
import type { CliContext } from "../../src/cli/context.ts";
import type { CommandNames } from "./get.ts";

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

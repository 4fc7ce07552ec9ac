/**
 * `ocictl image create` (aliases `init`, `new`): pushes a scratch image.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { collectValue, platformArg, refArg } from "../../src/cli/arguments.ts";

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
 * import { createImageCreateCommand } from "./create.ts";
 * import type { CliContext } from "../../src/cli/context.ts";
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
    .option("--annotation <key=value>", "manifest annotation, repeatable", collectValue, [])
    .option("--by-digest", "push by digest only and print the digest", false)
    .option("--created <time>", '"now" or an RFC 3339 time written in the config')
    .option("--format <format>", "output format of the pushed manifest", "")
    .option("--label <key=value>", "config label, repeatable", collectValue, [])
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
          import("../../src/ops/image_create.ts"),
          import("../../src/ops/referrer_query.ts"),
          import("../../src/cli/manifest_result.ts"),
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

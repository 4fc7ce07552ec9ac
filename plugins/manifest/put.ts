/**
 * `ocictl manifest put` (alias `push`): pushes a manifest read from stdin.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import { DigestMismatchError } from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MANIFEST_WRITE_LIMIT, parseManifest } from "../../src/types/manifest.ts";
import { commonName, withDigest } from "../../src/types/ref.ts";
import { refArg } from "../../src/cli/arguments.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { readCapped } from "../../src/read_capped.ts";

/**
 * Builds `manifest put` (alias `push`): a manifest from stdin.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createManifestPutCommand(ctx: CliContext): CommandUnknownOpts {
  const cmd = new Command("put")
    .alias("push")
    .description("Push a manifest read from stdin (at most 4 MiB)")
    .argument("<image_ref>", "reference to push to", refArg)
    .option("--by-digest", "push by digest only (no tag) and print the digest")
    .option("-t, --content-type <type>", "media type (default: the body's mediaType)")
    .option("--format <format>", "output format of the pushed manifest")
    .addHelpText(
      "after",
      `\nExample:\n  ocictl manifest put ocidir://layout:v2 < manifest.json\n`,
    )
    .action(async (ref, opts) => {
      const raw = await readCapped(ctx.stdin, MANIFEST_WRITE_LIMIT, "manifest from stdin");
      const m = await parseManifest(raw, {
        mediaType: opts.contentType,
        limit: MANIFEST_WRITE_LIMIT,
        ...(ref.digest !== "" ? { digest: ref.digest } : {}),
      });
      let target = ref;
      if (opts.byDigest) target = withDigest(ref, await digestOf(raw));
      if (target.digest !== "" && target.digest !== m.digest) {
        throw new DigestMismatchError(
          `manifest "${commonName(ref)}" from stdin`,
          target.digest,
          m.digest,
        );
      }
      await ctx.client.manifestPut(target, raw, { mediaType: m.mediaType });
      const { writePushResult } = await import("../../src/cli/manifest_result.ts");
      await writePushResult(ctx, { ref: target, manifest: m }, opts.format, opts.byDigest === true);
    });
  return cmd as unknown as CommandUnknownOpts;
}

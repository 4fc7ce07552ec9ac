/**
 * `ocictl digest` (hidden, as in regctl): the digest of stdin.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import type { CliContext } from "../src/cli/context.ts";
import { writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { UsageError } from "../src/errors.ts";
import type { DigestAlgorithm } from "../src/types/digest.ts";
import { createHasher } from "../src/types/hasher.ts";

markPluginLoaded("digest");

const ALGORITHMS: readonly DigestAlgorithm[] = ["sha256", "sha512"];

/** A digest with go-digest's methods, for `--format`. */
export interface DigestView {
  /** The whole digest, `algorithm:encoded`. @returns the digest */
  String(): string;
  /** The algorithm part. @returns e.g. `sha256` */
  Algorithm(): string;
  /** The encoded part. @returns the hex */
  Encoded(): string;
  /** Same as {@link Encoded}. @returns the hex */
  Hex(): string;
  /** regctl's pretty form: the digest. @returns the digest */
  marshalPretty(): string;
  /** JSON form: the digest string. @returns the digest */
  toJSON(): string;
}

/**
 * Wraps a digest string with go-digest's methods.
 *
 * @param digest `algorithm:encoded`
 * @returns the view
 * @throws never
 */
export function digestView(digest: string): DigestView {
  const colon = digest.indexOf(":");
  return {
    String: () => digest,
    Algorithm: () => digest.slice(0, colon),
    Encoded: () => digest.slice(colon + 1),
    Hex: () => digest.slice(colon + 1),
    marshalPretty: () => digest,
    toJSON: () => digest,
  };
}

/**
 * Builds the hidden `digest` command.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("digest")
    .description("Print the digest of what is read on stdin (regctl's hidden helper)")
    .option("--algorithm <name>", "digest algorithm (sha256, sha512)", "sha256")
    .option("--format <format>", "Go template over the digest", "{{.String}}")
    .addHelpText("after", `\nExample:\n  echo hello world | ocictl digest\n`)
    .action(async (opts) => {
      const algorithm = ALGORITHMS.find((a) => a === opts.algorithm);
      if (algorithm === undefined) {
        throw new UsageError(
          `Cannot compute a digest: algorithm "${opts.algorithm}" is not available (use sha256 or sha512)`,
        );
      }
      const hasher = createHasher(algorithm);
      for await (const chunk of ctx.stdin) hasher.update(chunk);
      await writeFormatted(ctx, digestView(hasher.digest()), opts.format);
    }) as unknown as CommandUnknownOpts;
}

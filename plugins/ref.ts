/**
 * `ocictl ref` (hidden, as in regctl): parses a reference and prints its
 * parts through a template (`{{.Registry}}`, `{{.Repository}}`, …).
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import type { CliContext } from "../src/cli/context.ts";
import { refArg } from "../src/cli/arguments.ts";
import { writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { RefView } from "../src/cli/ref_template.ts";

markPluginLoaded("ref");

/**
 * Builds the hidden `ref` command.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("ref")
    .description("Parse a reference and print its parts (regctl's hidden helper)")
    .argument("<ref>", "image reference")
    .option("--format <format>", "Go template over the reference", "{{.CommonName}}")
    .addHelpText("after", `\nExample:\n  ocictl ref nginx --format '{{ .Registry }}'\n`)
    .action(async (arg, opts) => {
      await writeFormatted(ctx, RefView.from(refArg(arg), arg), opts.format);
    }) as unknown as CommandUnknownOpts;
}

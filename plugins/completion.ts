/**
 * `ocictl completion bash|zsh|fish|powershell` and the hidden `__complete` command the
 * scripts call.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts, VerbEntry } from "../src/cli/run.ts";
import type { CliContext } from "../src/cli/context.ts";
import { completeWords, completionScript, SHELLS } from "../src/cli/completion.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { commanderTree, createRootCommand } from "../src/cli/run.ts";

markPluginLoaded("completion");

/**
 * Builds the `completion` verb.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const completion = new Command("completion").description("Generate shell completion scripts");
  for (const shell of SHELLS) {
    completion.command(shell)
      .description(`Completion script for ${shell}`)
      .addHelpText(
        "after",
        `\nExample:\n  source <(ocictl completion ${shell})\n`,
      )
      .action(async () => {
        await ctx.out.write(completionScript(shell, "ocictl"));
      });
  }
  return completion as unknown as CommandUnknownOpts;
}

/**
 * Builds the hidden `__complete` command: prints one candidate per line for
 * the words after `--`. It loads every verb to see the whole tree.
 *
 * @param ctx command context
 * @param verbs the verb manifest (`plugins/mod.ts` passes its own list)
 * @returns the command
 * @throws never
 */
export function createCompleteCommand(
  ctx: CliContext,
  verbs: readonly VerbEntry[],
): CommandUnknownOpts {
  return new Command("__complete")
    .description("Propose completions (used by the completion scripts)")
    .argument("[words...]", "words typed so far, after --")
    .allowUnknownOption()
    .action(async (words) => {
      const root = createRootCommand();
      for (const verb of verbs) {
        if (verb.hidden) continue;
        root.addCommand((await verb.load()).createCommand(ctx));
      }
      // commander's Help decides what is visible: the tree is replayed onto commander
      const real = await commanderTree(root, ctx.out, ctx.err);
      const found = completeWords(real, words.length > 0 ? words : [""]);
      await ctx.out.write(found.map((c) => `${c}\n`).join(""));
    }) as unknown as CommandUnknownOpts;
}

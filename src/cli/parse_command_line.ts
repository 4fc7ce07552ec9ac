/**
 * Parses and runs a command line on a command tree: the fast parser
 * ({@link file://./fast_parse.ts}) when it takes the line, else the tree
 * replayed onto commander ({@link file://./commander_tree.ts}), which prints
 * help and usage errors as it always did.
 *
 * @module
 */
import { CommandSpec, type CommandUnknownOpts } from "./command.ts";
import { toCommander } from "./commander_tree.ts";
import { fastParse } from "./fast_parse.ts";

/** Options of {@link parseCommandLine}. */
export interface ParseCommandLineOptions {
  /** Configures the commander tree before it parses (output, exit override). */
  configure?: ((real: CommandUnknownOpts) => void) | undefined;
  /** Hears which parser took the line. */
  onParser?: ((parser: "fast" | "commander") => void) | undefined;
}

/**
 * Parses `argv` on `root` and runs the chosen command's action.
 *
 * @param root the root command (a recorded tree, or a commander command)
 * @param argv the arguments after the program name
 * @param options commander set-up, parser report
 * @returns the root that parsed the line (its `opts()` hold the root's values)
 * @throws {Error} what the action or commander throws
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandSpec } from "./command.ts";
 * import { parseCommandLine } from "./parse_command_line.ts";
 * let who = "";
 * const root = new CommandSpec("x");
 * root.command("hi").argument("<who>").action((w: string) => {
 *   who = w;
 * });
 * const used: string[] = [];
 * await parseCommandLine(root, ["hi", "you"], { onParser: (p) => used.push(p) });
 * assert.deepEqual([who, used], ["you", ["fast"]]);
 * ```
 */
export async function parseCommandLine(
  root: CommandSpec | CommandUnknownOpts,
  argv: readonly string[],
  options: ParseCommandLineOptions = {},
): Promise<CommandSpec | CommandUnknownOpts> {
  // subcommands whose module loads on use: those the line names, before either parser walks the tree
  if (root instanceof CommandSpec) await root.load(argv);
  const fast = root instanceof CommandSpec ? fastParse(root, argv) : undefined;
  if (fast !== undefined) {
    options.onParser?.("fast");
    await fast.run();
    return root;
  }
  options.onParser?.("commander");
  const real = await toCommander(root);
  options.configure?.(real);
  await real.parseAsync([...argv], { from: "user" });
  return real;
}

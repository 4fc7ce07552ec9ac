/**
 * The command builder the verbs use: commander's `Command` and `Option` API
 * (the part ocictl uses), without loading commander. Every builder call is
 * recorded, so {@link file://./commander_tree.ts} can replay the tree onto
 * real commander objects when help, completion or an error message is needed,
 * and {@link file://./fast_parse.ts} can parse a well-formed command line
 * with commander's own rules on the recorded model. Importing commander
 * starts Deno's Node layer (about 40 ms); a short command never pays it.
 *
 * The types are commander's (from `@commander-js/extra-typings`, imported
 * for types only), so option and argument types are still inferred.
 *
 * @module
 */
import type {
  Command as CommanderCommand,
  CommandUnknownOpts as CommanderUnknownOpts,
  Option as CommanderOption,
} from "@commander-js/extra-typings";

export { CommandLineError, type ErrorOptions } from "./command_line_error.ts";
export { type ArgumentSpec, CommandSpec, type OptionListener } from "./command_spec.ts";
export { type BuilderCall, OptionSpec, type ParseFn } from "./option_spec.ts";
import { CommandSpec } from "./command_spec.ts";
import { OptionSpec } from "./option_spec.ts";

/**
 * A command whose argument and option types are not tracked: what every
 * verb builder returns and every runner helper takes.
 */
export type CommandUnknownOpts = CommanderUnknownOpts;

/** The commander `Command` type, for annotations. */
export type Command = CommanderUnknownOpts;

/** The commander `Option` type, for annotations. */
export type Option = CommanderOption;

/**
 * The constructor type of commander's typed `Command` class.
 *
 * @ignore commander's own class is documented by commander
 */
export type CommandClass = new (name?: string) => CommanderCommand;

/**
 * The constructor type of commander's typed `Option` class (the flags type the option values).
 *
 * @ignore commander's own class is documented by commander
 */
export type OptionClass = new <Usage extends string = "">(
  flags: Usage,
  description?: string,
) => CommanderOption<Usage>;

/** Builds commands with commander's typed API; parsed by ocictl's fast parser or commander. */
export const Command: CommandClass = CommandSpec as unknown as CommandClass;

/** Builds options with commander's typed API. */
export const Option: OptionClass = OptionSpec as unknown as OptionClass;

/**
 * Adds a subcommand that is built only when it is chosen, or when every
 * subcommand is listed (help, completions): a verb with many subcommands
 * then builds one per run ({@link CommandSpec.lazyCommand}). A real
 * commander parent gets it built now. `build` may return a promise (it
 * imports the subcommand's own module): {@link CommandSpec.load} settles it
 * before a parse; only a {@link CommandSpec} parent takes such a subcommand.
 *
 * @param parent the verb
 * @param name the subcommand's name
 * @param aliases its other names, as `build` sets them
 * @param build makes the subcommand, now or through a promise
 * @param opts `{ hidden: true }` leaves it out of help
 * @returns nothing
 * @throws {Error} when a name is taken, or when a commander parent is given a
 *   subcommand that loads on use
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addLazyCommand, Command, CommandSpec, type CommandUnknownOpts } from "./command.ts";
 * let built = 0;
 * const verb = new CommandSpec("verb");
 * addLazyCommand(verb as unknown as CommandUnknownOpts, "sub", ["s"], () => {
 *   built++;
 *   return new Command("sub").alias("s") as unknown as CommandUnknownOpts;
 * });
 * assert.equal(built, 0);
 * assert.equal(verb.findCommand("s")?.name(), "sub");
 * assert.equal(built, 1);
 * ```
 */
export function addLazyCommand(
  parent: CommandUnknownOpts,
  name: string,
  aliases: readonly string[],
  build: () => CommandUnknownOpts | Promise<CommandUnknownOpts>,
  opts: { hidden?: boolean } = {},
): void {
  const spec: unknown = parent;
  if (spec instanceof CommandSpec) {
    spec.lazyCommand(name, aliases, build as unknown as () => CommandSpec, opts);
  } else {
    const cmd = build();
    if (cmd instanceof Promise) {
      throw new Error(`Cannot add "${name}" to a commander command: its module loads on use`);
    }
    parent.addCommand(cmd, opts);
  }
}

/**
 * Whether a value is a command built here (not a real commander object).
 *
 * @param cmd a command
 * @returns true for a {@link CommandSpec}
 */
export function isCommandSpec(cmd: unknown): cmd is CommandSpec {
  return cmd instanceof CommandSpec;
}

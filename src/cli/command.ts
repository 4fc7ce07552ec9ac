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
 * Whether a value is a command built here (not a real commander object).
 *
 * @param cmd a command
 * @returns true for a {@link CommandSpec}
 */
export function isCommandSpec(cmd: unknown): cmd is CommandSpec {
  return cmd instanceof CommandSpec;
}

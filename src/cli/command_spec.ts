/**
 * A command as commander's `Command` reads it: the builder calls ocictl uses,
 * recorded for the replay onto commander, and the parse results an action
 * reads. Part of the command layer of {@link file://./command.ts}.
 *
 * @module
 */
import { CommandLineError, type ErrorOptions } from "./command_line_error.ts";
import { type BuilderCall, OptionSpec, type ParseFn } from "./option_spec.ts";

/** A positional argument, as commander's `Argument`. */
export interface ArgumentSpec {
  /** Name without brackets or dots. */
  readonly name: string;
  /** `<name>`: must be given. */
  readonly required: boolean;
  /** `name...`: takes the rest. */
  readonly variadic: boolean;
  /** Custom parser. */
  readonly parseArg: ParseFn | undefined;
  /** Default value. */
  readonly defaultValue: unknown;
}

/** An `option:<name>` listener added with `on()`. */
export type OptionListener = (value: unknown) => void;

/**
 * A subcommand known by its names until it is chosen or listed
 * ({@link CommandSpec.lazyCommand}).
 */
interface _Deferred {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly build: () => CommandSpec | Promise<CommandSpec>;
  /** What `build` made, once asked: a promise until {@link CommandSpec.load} settles it. */
  made?: CommandSpec | Promise<CommandSpec>;
  /** The recorded `addCommand` call; its first argument becomes the built command. */
  readonly call: { method: string; args: unknown[] };
}

/**
 * A command, as commander's `Command`: the builder calls ocictl uses, the
 * parse results an action reads (`opts()`, `args`, `getOptionValueSource`)
 * and `error()`.
 */
export class CommandSpec {
  /** The name given to the constructor. */
  readonly ctorName: string;
  /** Subcommands, those added with {@link lazyCommand} still unbuilt. */
  readonly #commands: (CommandSpec | _Deferred)[] = [];
  /** Options, in definition order. */
  readonly options: OptionSpec[] = [];
  /** Positional arguments. */
  readonly registeredArguments: ArgumentSpec[] = [];
  /** Parent command once added. */
  parent: CommandSpec | null = null;
  /** Words left after options were taken (set by a parse). */
  args: string[] = [];
  /** Arguments after their parsers ran (set by a parse). */
  processedArgs: unknown[] = [];
  /** Recorded builder calls after the constructor. */
  readonly #calls: BuilderCall[] = [];
  /** The action. */
  actionHandler: ((...args: unknown[]) => unknown) | undefined = undefined;
  /** `option:<name>` listeners, in the order added. */
  readonly listeners: { readonly event: string; readonly fn: OptionListener }[] = [];
  /** Unknown options are passed to the action instead of failing. */
  allowUnknown = false;
  /** More words than arguments are allowed. */
  allowExcess = false;
  /** A builder call or child the fast parser does not model. */
  unsupported: string | undefined = undefined;
  /** Commands added that are not specs (real commander objects). */
  readonly foreign: unknown[] = [];
  #name: string;
  readonly #aliases: string[] = [];
  #description = "";
  readonly #values: Record<string, unknown> = {};
  readonly #sources: Record<string, string | undefined> = {};

  /**
   * Creates a command.
   *
   * @param name the command's name
   */
  constructor(name?: string) {
    this.ctorName = name ?? "";
    this.#name = this.ctorName;
  }

  #record(method: string, args: readonly unknown[], child?: CommandSpec): void {
    this.#calls.push(child === undefined ? { method, args } : { method, args, child });
  }

  /** Subcommands, in the order added (builds those added with {@link lazyCommand}). */
  get commands(): CommandSpec[] {
    this.#buildAll();
    return this.#commands as CommandSpec[];
  }

  /** Whether it has subcommands (builds none). */
  get hasCommands(): boolean {
    return this.#commands.length > 0;
  }

  /** Recorded builder calls after the constructor (builds every lazy subcommand). */
  get calls(): BuilderCall[] {
    this.#buildAll();
    return this.#calls;
  }

  #buildAll(): void {
    for (let i = 0; i < this.#commands.length; i++) this.#built(i);
  }

  /**
   * Gets the name.
   *
   * @returns the name
   */
  name(): string;
  /**
   * Sets the name.
   *
   * @param str the new name
   * @returns this command
   */
  name(str: string): this;
  name(str?: string): string | this {
    if (str === undefined) return this.#name;
    this.#record("name", [str]);
    this.#name = str;
    return this;
  }

  /**
   * Gets the description.
   *
   * @returns the description
   */
  description(): string;
  /**
   * Sets the description.
   *
   * @param str the description
   * @returns this command
   */
  description(str: string): this;
  description(str?: string): string | this {
    if (str === undefined) return this.#description;
    this.#record("description", [str]);
    this.#description = str;
    return this;
  }

  /**
   * Sets the summary shown in a parent's command list.
   *
   * @param str the summary
   * @returns this command
   */
  summary(str: string): this {
    this.#record("summary", [str]);
    return this;
  }

  /**
   * Adds another name.
   *
   * @param alias the name
   * @returns this command
   */
  alias(alias: string): this {
    this.#record("alias", [alias]);
    this.#aliases.push(alias);
    return this;
  }

  /**
   * Gets the other names.
   *
   * @returns the names
   */
  aliases(): string[];
  /**
   * Adds other names.
   *
   * @param aliases names to add
   * @returns this command
   */
  aliases(aliases: readonly string[]): this;
  aliases(aliases?: readonly string[]): string[] | this {
    if (aliases === undefined) return [...this.#aliases];
    this.#record("aliases", [aliases]);
    this.#aliases.push(...aliases);
    return this;
  }

  /**
   * Declares a positional argument.
   *
   * @param spec `<name>`, `[name]`, with `...` for the rest
   * @param description help text
   * @param parseArg parser, or the default value
   * @param defaultValue default value when a parser is given
   * @returns this command
   */
  argument(spec: string, description?: string, parseArg?: unknown, defaultValue?: unknown): this {
    this.#record(
      "argument",
      [spec, description, parseArg, defaultValue].slice(0, arguments.length),
    );
    this.#addArgument(spec, parseArg, defaultValue);
    return this;
  }

  #addArgument(spec: string, parseArg?: unknown, defaultValue?: unknown): void {
    const bracket = spec[0] === "<" || spec[0] === "[";
    let name = bracket ? spec.slice(1, -1) : spec;
    const variadic = name.endsWith("...");
    if (variadic) name = name.slice(0, -3);
    const fn = typeof parseArg === "function" ? parseArg as ParseFn : undefined;
    this.registeredArguments.push({
      name,
      required: spec[0] !== "[",
      variadic,
      parseArg: fn,
      defaultValue: fn !== undefined ? defaultValue : parseArg,
    });
  }

  /**
   * Declares an option.
   *
   * @param flags e.g. `--format <format>`
   * @param description help text
   * @param parseArg parser, or the default value
   * @param defaultValue default value when a parser is given
   * @returns this command
   */
  option(flags: string, description?: string, parseArg?: unknown, defaultValue?: unknown): this {
    this.#record("option", [flags, description, parseArg, defaultValue].slice(0, arguments.length));
    this.#addOption(this.#makeOption(flags, description, parseArg, defaultValue, false));
    return this;
  }

  /**
   * Declares an option that must have a value after parsing.
   *
   * @param flags e.g. `--dir <dir>`
   * @param description help text
   * @param parseArg parser, or the default value
   * @param defaultValue default value when a parser is given
   * @returns this command
   */
  requiredOption(
    flags: string,
    description?: string,
    parseArg?: unknown,
    defaultValue?: unknown,
  ): this {
    this.#record(
      "requiredOption",
      [flags, description, parseArg, defaultValue].slice(0, arguments.length),
    );
    this.#addOption(this.#makeOption(flags, description, parseArg, defaultValue, true));
    return this;
  }

  #makeOption(
    flags: string,
    description: string | undefined,
    parseArg: unknown,
    defaultValue: unknown,
    mandatory: boolean,
  ): OptionSpec {
    const o = new OptionSpec(flags, description);
    o.mandatory = mandatory;
    if (typeof parseArg === "function") {
      o.defaultValue = defaultValue;
      o.parseArg = parseArg as ParseFn;
    } else if (parseArg instanceof RegExp) {
      o.unsupported = "a RegExp parser";
    } else {
      o.defaultValue = parseArg;
    }
    return o;
  }

  /**
   * Adds an option made with `new Option(…)`.
   *
   * @param option the option
   * @returns this command
   */
  addOption(option: OptionSpec): this {
    this.#record("addOption", [option]);
    this.#addOption(option);
    return this;
  }

  #addOption(option: OptionSpec): void {
    if (!(option instanceof OptionSpec)) {
      this.unsupported = "an option not made by src/cli/command.ts";
      return;
    }
    const clash = this.options.find((o) =>
      (option.short !== undefined && o.is(option.short)) ||
      (option.long !== undefined && o.is(option.long))
    );
    if (clash) {
      throw new Error(`Cannot add option "${option.flags}": it clashes with "${clash.flags}"`);
    }
    if (option.unsupported !== undefined) this.unsupported = option.unsupported;
    this.options.push(option);
    if (option.defaultValue !== undefined) {
      this.setOptionValueWithSource(option.attributeName(), option.defaultValue, "default");
    }
  }

  /**
   * Creates and adds a subcommand; it inherits this command's
   * excess-arguments setting, as in commander.
   *
   * @param nameAndArgs the name, optionally followed by argument specs
   * @returns the new subcommand
   */
  command(nameAndArgs: string): CommandSpec {
    const m = /([^ ]+) *(.*)/.exec(nameAndArgs);
    const child = new CommandSpec(m?.[1] ?? nameAndArgs);
    child.allowExcess = this.allowExcess;
    for (const a of (m?.[2] ?? "").trim().split(/ +/)) if (a !== "") child.#addArgument(a);
    this.#register(child);
    this.#record("command", [nameAndArgs], child);
    return child;
  }

  /**
   * Adds a subcommand built separately.
   *
   * @param cmd the subcommand
   * @param opts `{ hidden: true }` leaves it out of help
   * @returns this command
   */
  addCommand(cmd: CommandSpec, opts?: { hidden?: boolean }): this {
    if (cmd instanceof CommandSpec) this.#register(cmd);
    this.#record("addCommand", opts === undefined ? [cmd] : [cmd, opts]);
    if (!(cmd instanceof CommandSpec)) {
      this.foreign.push(cmd);
      this.unsupported = "a command not made by src/cli/command.ts";
    }
    return this;
  }

  /**
   * Adds a subcommand that is built only when it is chosen, or when every
   * subcommand is needed (help, commander, completions): a verb with many
   * subcommands then builds one per run. `build` must make a command with
   * exactly these name and aliases. A `build` that returns a promise (one
   * that imports the subcommand's module) is awaited by {@link load}, which
   * the parser and the commander replay call first.
   *
   * @param name the subcommand's name
   * @param aliases its other names
   * @param build makes it, now or through a promise
   * @param opts `{ hidden: true }` leaves it out of help
   * @returns this command
   * @throws {Error} when a name is taken
   */
  lazyCommand(
    name: string,
    aliases: readonly string[],
    build: () => CommandSpec | Promise<CommandSpec>,
    opts?: { hidden?: boolean },
  ): this {
    this.#checkFree(name, [name, ...aliases]);
    const call = { method: "addCommand", args: opts === undefined ? [] : [undefined, opts] };
    this.#calls.push(call);
    this.#commands.push({ name, aliases: [...aliases], build, call });
    return this;
  }

  #checkFree(name: string, names: readonly string[]): void {
    const taken = names.find((n) => this.#indexOf(n) >= 0);
    if (taken !== undefined) {
      throw new Error(`Cannot add command "${name}": "${taken}" is taken`);
    }
  }

  #register(cmd: CommandSpec): void {
    this.#checkFree(cmd.name(), [cmd.name(), ...cmd.aliases()]);
    cmd.parent = this;
    this.#commands.push(cmd);
  }

  /** Index of the subcommand with this name or alias, built or not; -1 when none. */
  #indexOf(name: string): number {
    return this.#commands.findIndex((c) =>
      c instanceof CommandSpec
        ? c.name() === name || c.#aliases.includes(name)
        : c.name === name || c.aliases.includes(name)
    );
  }

  /** The subcommand at `i`, built now if it was added with {@link lazyCommand}. */
  #built(i: number): CommandSpec {
    const entry = this.#commands[i]!;
    if (entry instanceof CommandSpec) return entry;
    const cmd = entry.made ??= entry.build();
    if (cmd instanceof Promise) {
      throw new Error(`Lazy command "${entry.name}" is still loading: await load() first`);
    }
    const want = [entry.name, ...entry.aliases].join(",");
    const got = [cmd.name(), ...cmd.aliases()].join(",");
    if (got !== want) {
      throw new Error(`Lazy command "${entry.name}" was built as "${got}", not "${want}"`);
    }
    cmd.parent = this;
    entry.call.args[0] = cmd;
    this.#commands[i] = cmd;
    return cmd;
  }

  /**
   * Settles the subcommands whose `build` returns a promise (see
   * {@link lazyCommand}), at every depth: those named by one of `words` (the
   * command line; a word that is an option's value may load one more than
   * needed), or all of them when `words` is undefined (help, commander,
   * completions).
   *
   * @param words the command line's words, or undefined for every subcommand
   * @returns when they are built
   * @throws {Error} what a `build` throws
   *
   * @example A subcommand built from a promise
   * ```ts
   * import assert from "node:assert/strict";
   * import { CommandSpec } from "./command_spec.ts";
   * const verb = new CommandSpec("verb");
   * verb.lazyCommand("sub", [], () => Promise.resolve(new CommandSpec("sub")));
   * assert.throws(() => verb.findCommand("sub"), /still loading/);
   * await verb.load(["sub"]);
   * assert.equal(verb.findCommand("sub")?.name(), "sub");
   * ```
   */
  async load(words?: readonly string[]): Promise<void> {
    for (let i = 0; i < this.#commands.length; i++) {
      const entry = this.#commands[i]!;
      if (entry instanceof CommandSpec) {
        if (entry.hasCommands) await entry.load(words);
        continue;
      }
      const named = words === undefined ||
        words.some((w) => w === entry.name || entry.aliases.includes(w));
      if (!named) continue;
      entry.made = await (entry.made ?? entry.build());
      const cmd = this.#built(i);
      if (cmd.hasCommands) await cmd.load(words);
    }
  }

  /**
   * Finds a subcommand by name or alias (building it if it was added with
   * {@link lazyCommand}).
   *
   * @param name a word
   * @returns the subcommand, if any
   * @throws {Error} when its `build` returned a promise that {@link load} has not settled
   */
  findCommand(name: string | undefined): CommandSpec | undefined {
    if (!name) return undefined;
    const i = this.#indexOf(name);
    return i < 0 ? undefined : this.#built(i);
  }

  /**
   * Sets the action.
   *
   * @param fn called with the arguments, `opts()` and the command
   * @returns this command
   */
  action(fn: (...args: never[]) => unknown): this {
    this.#record("action", [fn]);
    this.actionHandler = fn as (...args: unknown[]) => unknown;
    return this;
  }

  /**
   * Listens to an option being parsed (`option:<name>`).
   *
   * @param event the event name
   * @param fn called with the raw value
   * @returns this command
   */
  on(event: string, fn: OptionListener): this {
    this.#record("on", [event, fn]);
    if (event.startsWith("option:")) this.listeners.push({ event, fn });
    else this.unsupported = `a "${event}" listener`;
    return this;
  }

  /**
   * Adds help text.
   *
   * @param position `before`, `after`, …
   * @param text the text
   * @returns this command
   */
  addHelpText(position: string, text: string): this {
    this.#record("addHelpText", [position, text]);
    return this;
  }

  /**
   * Enables or disables the help option (`-h, --help`).
   *
   * @param flags false to disable
   * @param description help text
   * @returns this command
   */
  helpOption(flags?: string | boolean, description?: string): this {
    this.#record("helpOption", [flags, description].slice(0, arguments.length));
    return this;
  }

  /**
   * Enables or disables the implicit `help` subcommand.
   *
   * @param enable whether it exists
   * @returns this command
   */
  helpCommand(enable: boolean): this {
    this.#record("helpCommand", [enable]);
    return this;
  }

  /**
   * Lets unknown options through to the action.
   *
   * @param allow whether to allow them
   * @returns this command
   */
  allowUnknownOption(allow = true): this {
    this.#record("allowUnknownOption", [allow]);
    this.allowUnknown = allow;
    return this;
  }

  /**
   * Lets more words than declared arguments through.
   *
   * @param allow whether to allow them
   * @returns this command
   */
  allowExcessArguments(allow = true): this {
    this.#record("allowExcessArguments", [allow]);
    this.allowExcess = allow;
    return this;
  }

  /**
   * Declares several positional arguments at once (`"<a> [b]"`).
   *
   * @param names argument specs separated by spaces
   * @returns this command
   */
  arguments(names: string): this {
    for (const n of names.trim().split(/ +/)) if (n !== "") this.argument(n);
    return this;
  }

  /**
   * Records one of commander's settings (see {@link SETTINGS}). One the fast
   * parser does not model sends every line through this command to commander.
   *
   * @param method the commander method
   * @param args its arguments
   * @param modelled false for a setting that changes parsing rules
   * @returns this command
   */
  recordSetting(method: string, args: readonly unknown[], modelled: boolean): this {
    this.#record(method, args);
    if (!modelled) this.unsupported = `commander's ${method}()`;
    return this;
  }

  /**
   * The parsed option values (the object the action receives).
   *
   * @returns the values by attribute name
   */
  opts(): Record<string, unknown> {
    return this.#values;
  }

  /**
   * The parsed option values of this command and its ancestors (ancestors win).
   *
   * @returns the merged values
   */
  optsWithGlobals(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const chain: CommandSpec[] = [];
    chain.push(this);
    for (let c = this.parent; c !== null; c = c.parent) chain.push(c);
    for (const c of chain) Object.assign(out, c.opts());
    return out;
  }

  /**
   * One parsed option value.
   *
   * @param key the attribute name
   * @returns the value
   */
  getOptionValue(key: string): unknown {
    return this.#values[key];
  }

  /**
   * Where an option's value came from.
   *
   * @param key the attribute name
   * @returns `default`, `cli`, or undefined
   */
  getOptionValueSource(key: string): string | undefined {
    return this.#sources[key];
  }

  /**
   * Stores an option value and its source.
   *
   * @param key the attribute name
   * @param value the value
   * @param source `default`, `cli`, …
   * @returns this command
   */
  setOptionValueWithSource(key: string, value: unknown, source: string | undefined): this {
    this.#values[key] = value;
    this.#sources[key] = source;
    return this;
  }

  /**
   * Parses and runs a command line on this command as the root (commander's
   * `parseAsync` with `{ from: "user" }`): the fast parser when it takes the
   * line, else commander.
   *
   * @param argv the arguments, without the program name
   * @param _options only `{ from: "user" }` is supported
   * @returns this command
   * @throws {Error} what the action or commander throws
   */
  async parseAsync(argv: readonly string[], _options?: { from: "user" }): Promise<this> {
    await (await import("./parse_command_line.ts")).parseCommandLine(this, argv);
    return this;
  }

  /**
   * Fails the command line, as commander's `error()` does under `exitOverride`.
   *
   * @param message what is wrong
   * @param options code and exit code
   * @returns never
   * @throws {CommandLineError} always
   */
  error(message: string, options: ErrorOptions = {}): never {
    throw new CommandLineError(message, options.code ?? "commander.error", options.exitCode ?? 1);
  }
}

/**
 * commander's settings, recorded for the replay by {@link CommandSpec.recordSetting}:
 * true for those that change only help and error output (the runner sets
 * `exitOverride` and `configureOutput` on the commander tree itself), false
 * for those whose parsing rules the fast parser does not model.
 */
export const SETTINGS: Readonly<Record<string, boolean>> = {
  exitOverride: true,
  configureOutput: true,
  configureHelp: true,
  showHelpAfterError: true,
  showSuggestionAfterError: true,
  usage: true,
  hook: false,
  enablePositionalOptions: false,
  passThroughOptions: false,
  combineFlagAndOptionalValue: false,
  version: false,
};

for (const [method, modelled] of Object.entries(SETTINGS)) {
  Object.defineProperty(CommandSpec.prototype, method, {
    value(this: CommandSpec, ...args: unknown[]) {
      return this.recordSetting(method, args, modelled);
    },
    writable: true,
    configurable: true,
  });
}

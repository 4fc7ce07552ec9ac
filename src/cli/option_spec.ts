/**
 * An option as commander's `Option` reads it (flags, value kind, default,
 * parser), with the builder calls recorded for the replay onto commander.
 * Part of the command layer of {@link file://./command.ts}.
 *
 * @module
 */
import type { CommandSpec } from "./command_spec.ts";

/** A parse function of an option or argument: value and previous value in, new value out. */
export type ParseFn = (value: string, previous: unknown) => unknown;

/** One recorded builder call. */
export interface BuilderCall {
  /** Method name on the commander object. */
  readonly method: string;
  /** Arguments as given (specs are translated when replayed). */
  readonly args: readonly unknown[];
  /** For `command()`: the subcommand it created. */
  readonly child?: CommandSpec;
}

/** commander's flag splitting: a short flag, a long flag, or two long flags. */
function _splitFlags(flags: string): { short?: string; long?: string } {
  const parts = flags.split(/[ |,]+/);
  let short: string | undefined;
  let long: string | undefined;
  if (/^-[^-]$/.test(parts[0] ?? "")) short = parts.shift();
  if (/^--[^-]/.test(parts[0] ?? "")) long = parts.shift();
  if (short === undefined && /^-[^-]$/.test(parts[0] ?? "")) short = parts.shift();
  if (short === undefined && /^--[^-]/.test(parts[0] ?? "")) {
    short = long;
    long = parts.shift();
  }
  if ((parts[0] ?? "").startsWith("-") || (short === undefined && long === undefined)) {
    throw new Error(`Cannot define option "${flags}": unsupported flag format`);
  }
  return { ...(short !== undefined ? { short } : {}), ...(long !== undefined ? { long } : {}) };
}

function _camelcase(s: string): string {
  return s.split("-").reduce((acc, word) => acc + (word[0] ?? "").toUpperCase() + word.slice(1));
}

/**
 * An option, as commander's `Option`: flags, description, default, parser.
 */
export class OptionSpec {
  /** The flags as written, e.g. `-v, --verbosity <level>`. */
  readonly flags: string;
  /** Help text. */
  readonly description: string;
  /** A value must follow the flag. */
  readonly required: boolean;
  /** A value may follow the flag. */
  readonly optional: boolean;
  /** The option takes several values. */
  readonly variadic: boolean;
  /** The short flag (or the first of two long flags). */
  readonly short: string | undefined;
  /** The long flag. */
  readonly long: string | undefined;
  /** A `--no-` option. */
  readonly negate: boolean;
  /** Must have a value after parsing. */
  mandatory = false;
  /** Left out of help. */
  hidden = false;
  /** Default value. */
  defaultValue: unknown = undefined;
  /** Custom parser. */
  parseArg: ParseFn | undefined = undefined;
  /** A builder call the fast parser does not model (it then leaves the line to commander). */
  unsupported: string | undefined = undefined;
  /** Recorded builder calls after the constructor. */
  readonly calls: BuilderCall[] = [];

  /**
   * Creates an option.
   *
   * @param flags flags, e.g. `--format <format>`
   * @param description help text
   */
  constructor(flags: string, description?: string) {
    this.flags = flags;
    this.description = description ?? "";
    this.required = flags.includes("<");
    this.optional = flags.includes("[");
    // commander's rule; the Unicode class is built (about 1 ms) only for a flag that ends in "...>"
    this.variadic = (flags.endsWith("...>") || flags.endsWith("...]")) &&
      /\p{ID_Continue}\.\.\.[>\]]$/u.test(flags);
    const f = _splitFlags(flags);
    this.short = f.short;
    this.long = f.long;
    this.negate = f.long?.startsWith("--no-") ?? false;
  }

  /**
   * Sets the default value.
   *
   * @param value the default
   * @param description how help shows it
   * @returns this option
   */
  default(value: unknown, description?: string): this {
    this.calls.push({ method: "default", args: [value, description] });
    this.defaultValue = value;
    return this;
  }

  /**
   * Sets the parser.
   *
   * @param fn value and previous value in, new value out
   * @returns this option
   */
  argParser(fn: ParseFn): this {
    this.calls.push({ method: "argParser", args: [fn] });
    this.parseArg = fn;
    return this;
  }

  /**
   * Hides the option from help.
   *
   * @param hide whether to hide it
   * @returns this option
   */
  hideHelp(hide = true): this {
    this.calls.push({ method: "hideHelp", args: [hide] });
    this.hidden = hide;
    return this;
  }

  /**
   * Requires a value after parsing.
   *
   * @param mandatory whether it is required
   * @returns this option
   */
  makeOptionMandatory(mandatory = true): this {
    this.calls.push({ method: "makeOptionMandatory", args: [mandatory] });
    this.mandatory = mandatory;
    return this;
  }

  /**
   * Limits the values to a list.
   *
   * @param values the allowed values
   * @returns this option
   */
  choices(values: readonly string[]): this {
    this.calls.push({ method: "choices", args: [values] });
    const allowed = [...values];
    this.parseArg = (value, previous) => {
      // A value outside the list is commander's error to word: the fast parser gives up.
      if (!allowed.includes(value)) throw new Error(`invalid choice "${value}"`);
      return this.variadic ? this.collect(value, previous) : value;
    };
    return this;
  }

  /**
   * The option's name: the long flag without dashes, else the short one.
   *
   * @returns the name, e.g. `no-delete`
   */
  name(): string {
    return (this.long ?? this.short ?? "").replace(/^--?/, "");
  }

  /**
   * The key of the option's value in `opts()`.
   *
   * @returns the camel-cased name, without `no-` for a negated option
   */
  attributeName(): string {
    return _camelcase(this.negate ? this.name().replace(/^no-/, "") : this.name());
  }

  /**
   * Whether `arg` is one of the option's flags.
   *
   * @param arg a command-line word
   * @returns true when it is
   */
  is(arg: string): boolean {
    return this.short === arg || this.long === arg;
  }

  /**
   * Whether the option takes no value and is not negated.
   *
   * @returns true for a plain flag
   */
  isBoolean(): boolean {
    return !this.required && !this.optional && !this.negate;
  }

  /**
   * Appends a value of a variadic option (commander's rule: the default is replaced).
   *
   * @param value the new value
   * @param previous the value so far
   * @returns the values
   */
  collect(value: unknown, previous: unknown): unknown[] {
    if (previous === this.defaultValue || !Array.isArray(previous)) return [value];
    previous.push(value);
    return previous;
  }
}

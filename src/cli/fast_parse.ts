/**
 * Parses a well-formed command line on a {@link CommandSpec} tree with
 * commander 15's rules (options anywhere, `--opt=value`, `-abc` groups,
 * `--`, variadic values, negated flags, defaults, value parsers, subcommand
 * dispatch), without loading commander. Anything commander would answer with
 * help or an error (`-h`/`--help`, `help`, an unknown option or command, a
 * missing or excess argument, a value a parser refuses, a missing required
 * option) makes it give up and return `undefined`: the caller then replays
 * the tree onto commander, which prints exactly what it always printed.
 *
 * `tests/cli/fast_parse_test.ts` runs both parsers over the same command lines
 * on every verb's tree and requires the same result.
 *
 * @module
 */
import type { CommandSpec, OptionSpec } from "./command.ts";

/** A parsed command line, ready to run. */
export interface FastParseResult {
  /** The command whose action runs. */
  readonly command: CommandSpec;
  /**
   * Runs the queued `option:` listeners, then the action.
   *
   * @returns what the action returns
   */
  run(): Promise<void>;
}

class _GiveUp extends Error {}

function _giveUp(why: string): never {
  throw new _GiveUp(why);
}

/**
 * Parses `argv` on `root`; nothing runs until `run()`.
 *
 * @param root the root command
 * @param argv the arguments after the program name
 * @returns the parse, or undefined when commander must handle the line
 * @throws never (a parser that throws makes it give up too)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandSpec } from "./command.ts";
 * import { fastParse } from "./fast_parse.ts";
 * let got = "";
 * const root = new CommandSpec("x");
 * root.command("hello").argument("<who>").option("--loud").action((who: string) => {
 *   got = who;
 * });
 * await fastParse(root, ["hello", "world"])?.run();
 * assert.equal(got, "world");
 * assert.equal(fastParse(root, ["hello", "--help"]), undefined);
 * ```
 */
export function fastParse(root: CommandSpec, argv: readonly string[]): FastParseResult | undefined {
  if (argv.some((a) => a === "-h" || a === "--help")) return undefined;
  const queue: (() => void)[] = [];
  try {
    const leaf = _parseCommand(root, [], [...argv], queue);
    return {
      command: leaf,
      async run() {
        for (const q of queue) q();
        const n = leaf.registeredArguments.length;
        const args: unknown[] = leaf.processedArgs.slice(0, n);
        args[n] = leaf.opts();
        args.push(leaf);
        await leaf.actionHandler?.apply(leaf, args);
      },
    };
  } catch {
    return undefined;
  }
}

function _ancestors(cmd: CommandSpec): CommandSpec[] {
  const out: CommandSpec[] = [];
  for (let c: CommandSpec | null = cmd; c !== null; c = c.parent) out.push(c);
  return out;
}

function _parseCommand(
  cmd: CommandSpec,
  operandsIn: string[],
  unknownIn: string[],
  queue: (() => void)[],
): CommandSpec {
  if (cmd.unsupported !== undefined) _giveUp(cmd.unsupported);
  _defaultLoneNegated(cmd);
  const parsed = _parseOptions(cmd, unknownIn, queue);
  const operands = operandsIn.concat(parsed.operands);
  const unknown = parsed.unknown;
  cmd.args = operands.concat(unknown);
  const sub = cmd.findCommand(operands[0]);
  if (sub !== undefined) return _parseCommand(sub, operands.slice(1), unknown, queue);
  if (cmd.hasCommands && operands[0] === "help") _giveUp("help command");
  if (cmd.actionHandler === undefined) _giveUp("no action");
  for (const c of _ancestors(cmd)) {
    for (const o of c.options) {
      if (o.mandatory && c.opts()[o.attributeName()] === undefined) _giveUp("missing option");
    }
  }
  if (unknown.length > 0 && !cmd.allowUnknown) _giveUp("unknown option");
  _processArguments(cmd);
  return cmd;
}

/** A lone `--no-x` (no `--x` beside it) defaults x to true, as commander does before parsing. */
function _defaultLoneNegated(cmd: CommandSpec): void {
  for (const o of cmd.options) {
    if (!o.negate || o.defaultValue !== undefined) continue;
    if (cmd.opts()[o.attributeName()] !== undefined) continue;
    const positive = (o.long ?? "").replace(/^--no-/, "--");
    if (!cmd.options.some((p) => p.is(positive))) {
      cmd.setOptionValueWithSource(o.attributeName(), true, "default");
    }
  }
}

function _maybeOption(arg: string): boolean {
  return arg.length > 1 && arg[0] === "-";
}

function _negativeNumber(cmd: CommandSpec, arg: string): boolean {
  if (!/^-(\d+|\d*\.\d+)([eE][+-]?\d+)?$/.test(arg)) return false;
  return !_ancestors(cmd).some((c) => c.options.some((o) => /^-\d$/.test(o.short ?? "")));
}

function _parseOptions(
  cmd: CommandSpec,
  args: readonly string[],
  queue: (() => void)[],
): { operands: string[]; unknown: string[] } {
  const operands: string[] = [];
  const unknown: string[] = [];
  let dest = operands;
  let variadic: OptionSpec | undefined;
  let group: string | undefined;
  let i = 0;
  while (i < args.length || group !== undefined) {
    const arg = group ?? args[i++] ?? "";
    group = undefined;
    if (arg === "--") {
      if (dest === unknown) dest.push(arg);
      dest.push(...args.slice(i));
      break;
    }
    if (variadic !== undefined && (!_maybeOption(arg) || _negativeNumber(cmd, arg))) {
      _emit(cmd, variadic, arg, queue);
      continue;
    }
    variadic = undefined;
    if (_maybeOption(arg)) {
      const option = cmd.options.find((o) => o.is(arg));
      if (option !== undefined) {
        if (option.required) {
          const value = args[i++];
          if (value === undefined) _giveUp("missing option value");
          _emit(cmd, option, value, queue);
        } else if (option.optional) {
          let value: string | null = null;
          const next = args[i];
          if (next !== undefined && (!_maybeOption(next) || _negativeNumber(cmd, next))) {
            value = next;
            i++;
          }
          _emit(cmd, option, value, queue);
        } else {
          _emit(cmd, option, undefined, queue);
        }
        variadic = option.variadic ? option : undefined;
        continue;
      }
    }
    if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
      const option = cmd.options.find((o) => o.is(`-${arg[1]}`));
      if (option !== undefined) {
        if (option.required || option.optional) {
          _emit(cmd, option, arg.slice(2), queue);
        } else {
          _emit(cmd, option, undefined, queue);
          group = `-${arg.slice(2)}`;
        }
        continue;
      }
    }
    if (/^--[^=]+=/.test(arg)) {
      const eq = arg.indexOf("=");
      const option = cmd.options.find((o) => o.is(arg.slice(0, eq)));
      if (option !== undefined && (option.required || option.optional)) {
        _emit(cmd, option, arg.slice(eq + 1), queue);
        continue;
      }
    }
    if (
      dest === operands && _maybeOption(arg) &&
      !(!cmd.hasCommands && _negativeNumber(cmd, arg))
    ) {
      dest = unknown;
    }
    dest.push(arg);
  }
  return { operands, unknown };
}

/** commander's handling of one option occurrence (`undefined`: a flag, `null`: no optional value). */
function _emit(
  cmd: CommandSpec,
  option: OptionSpec,
  raw: string | null | undefined,
  queue: (() => void)[],
): void {
  const key = option.attributeName();
  const old = cmd.opts()[key];
  let val: unknown = raw;
  if (raw !== null && option.parseArg !== undefined) {
    val = option.parseArg(raw as string, old);
  } else if (raw !== null && option.variadic) {
    val = option.collect(raw, old);
  }
  if (val === null || val === undefined) {
    val = option.negate ? false : option.isBoolean() || option.optional ? true : "";
  }
  cmd.setOptionValueWithSource(key, val, "cli");
  const event = `option:${option.name()}`;
  for (const l of cmd.listeners) if (l.event === event) queue.push(() => l.fn(raw));
}

function _processArguments(cmd: CommandSpec): void {
  const declared = cmd.registeredArguments;
  declared.forEach((a, i) => {
    if (a.required && cmd.args[i] == null) _giveUp("missing argument");
  });
  const last = declared.at(-1);
  if (!(last?.variadic ?? false) && cmd.args.length > declared.length && !cmd.allowExcess) {
    _giveUp("excess arguments");
  }
  cmd.processedArgs = declared.map((a, index) => {
    if (a.variadic) {
      if (index < cmd.args.length) {
        const rest: unknown[] = cmd.args.slice(index);
        const parse = a.parseArg;
        return parse === undefined
          ? rest
          : rest.reduce((prev: unknown, v) => parse(v as string, prev), a.defaultValue);
      }
      return a.defaultValue === undefined ? [] : a.defaultValue;
    }
    if (index < cmd.args.length) {
      const v = cmd.args[index] as string;
      return a.parseArg === undefined ? v : a.parseArg(v, a.defaultValue);
    }
    return a.defaultValue;
  });
}

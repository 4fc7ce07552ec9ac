/**
 * Replays a recorded {@link CommandSpec} tree onto real commander objects,
 * for what only commander does: help, "did you mean", usage errors and
 * completion. commander is imported here, on first use.
 *
 * @module
 */
import {
  type BuilderCall,
  CommandSpec,
  type CommandUnknownOpts,
  type Option as CommanderOption,
  OptionSpec,
} from "./command.ts";

type _Commander = typeof import("@commander-js/extra-typings");
type _Callable = Record<string, (...args: unknown[]) => unknown>;

/**
 * Builds the commander tree of a spec tree (a real commander command is
 * returned as it is).
 *
 * @param spec the root spec
 * @returns the commander root, with the same names, options, help texts,
 *   actions and listeners
 * @throws {Error} when commander refuses a definition (a programming error)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandSpec } from "./command.ts";
 * import { toCommander } from "./commander_tree.ts";
 * const root = new CommandSpec("x");
 * root.command("hello").description("Say hello");
 * const real = await toCommander(root);
 * assert.match(real.helpInformation(), /hello\s+Say hello/);
 * ```
 */
export async function toCommander(
  spec: CommandSpec | CommandUnknownOpts,
): Promise<CommandUnknownOpts> {
  if (!(spec instanceof CommandSpec)) return spec;
  // commander needs the whole tree: every subcommand whose module loads on use
  const [commander] = await Promise.all([
    import("@commander-js/extra-typings") as Promise<_Commander>,
    spec.load(),
  ]);
  return _build(
    commander,
    spec,
    new commander.Command(spec.ctorName) as unknown as CommandUnknownOpts,
  );
}

function _build(c: _Commander, spec: CommandSpec, real: CommandUnknownOpts): CommandUnknownOpts {
  for (const call of spec.calls) _apply(c, real, call);
  return real;
}

function _apply(c: _Commander, real: CommandUnknownOpts, call: BuilderCall): void {
  const target = real as unknown as _Callable;
  if (call.method === "command" && call.child !== undefined) {
    const child = target.command?.(...call.args) as CommandUnknownOpts;
    _build(c, call.child, child);
    return;
  }
  const args = call.args.map((a) => _translate(c, a));
  const fn = target[call.method];
  if (typeof fn !== "function") throw new Error(`commander has no method "${call.method}"`);
  fn.apply(real, args);
}

function _translate(c: _Commander, a: unknown): unknown {
  if (a instanceof CommandSpec) {
    return _build(c, a, new c.Command(a.ctorName) as unknown as CommandUnknownOpts);
  }
  if (a instanceof OptionSpec) {
    const o = new c.Option(a.flags, a.description) as unknown as CommanderOption;
    for (const call of a.calls) {
      const fn = (o as unknown as _Callable)[call.method];
      if (typeof fn !== "function") throw new Error(`commander has no method "${call.method}"`);
      fn.apply(o, call.args.map((x) => _translate(c, x)));
    }
    return o;
  }
  return a;
}

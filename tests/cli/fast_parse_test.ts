/**
 * The fast parser against commander itself, on every verb's real command
 * tree: for random command lines built from each tree's own commands,
 * aliases, options and argument slots (plus unknown options, `--`, `-h`,
 * excess words and option-like values), whenever the fast parser takes a
 * line, commander must run the same command with the same arguments, option
 * values, value sources and option events; whenever commander fails, the
 * fast parser must have given the line up. `FUZZ_SEED` replays a failure.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { VERBS } from "../../plugins/mod.ts";
import { type CommandSpec, isCommandSpec } from "../../src/cli/command.ts";
import { toCommander } from "../../src/cli/commander_tree.ts";
import { createCliContext } from "../../src/cli/context.ts";
import { fastParse } from "../../src/cli/fast_parse.ts";
import {
  addVerbStubs,
  configureCommand,
  createRootCommand,
  type VerbEntry,
} from "../../src/cli/run.ts";
import { StreamSink } from "../../src/cli/stream_sink.ts";
import { quietIo } from "../cli_harness.ts";
import { failureReport, fuzzSeed } from "../drills/_fuzz.ts";

const _out = new StreamSink(new WritableStream());
const _ctx = createCliContext(quietIo(), { verbosity: "warn", logopt: [], host: [] }, {
  out: _out,
  err: _out,
});

/** What one parse ran: the command path, its arguments, options and events. */
interface Outcome {
  path: string[];
  args: unknown[];
  opts: Record<string, unknown>;
  sources: Record<string, string | undefined>;
  rootOpts: Record<string, unknown>;
  events: [string, unknown][];
}

interface _Cmd {
  name(): string;
  parent: _Cmd | null;
  opts(): Record<string, unknown>;
  getOptionValueSource(key: string): string | undefined;
}

/** Replaces every action and option listener of a spec tree by recorders. */
function _instrument(spec: CommandSpec, sink: { outcome?: Outcome; events: [string, unknown][] }) {
  const record = (...a: unknown[]) => {
    const cmd = a.at(-1) as _Cmd;
    const opts = { ...(a.at(-2) as Record<string, unknown>) };
    const path: string[] = [];
    let root = cmd;
    for (let c: _Cmd | null = cmd; c !== null; c = c.parent) {
      path.unshift(c.name());
      root = c;
    }
    const sources: Record<string, string | undefined> = {};
    for (const k of Object.keys(opts)) sources[k] = cmd.getOptionValueSource(k);
    sink.outcome = {
      path,
      args: a.slice(0, -2),
      opts,
      sources,
      rootOpts: { ...root.opts() },
      events: [...sink.events],
    };
  };
  spec.calls.forEach((call, i) => {
    if (call.method === "action") {
      spec.calls[i] = { method: "action", args: [record] };
      spec.actionHandler = record;
    } else if (call.method === "on") {
      const event = String(call.args[0]);
      const fn = (v: unknown) => void sink.events.push([event, v]);
      spec.calls[i] = { method: "on", args: [event, fn] };
    }
  });
  spec.listeners.forEach((l, i) => {
    spec.listeners[i] = { event: l.event, fn: (v) => void sink.events.push([l.event, v]) };
  });
  for (const c of spec.commands) _instrument(c, sink);
}

/** A fresh root with one verb's real tree (or every verb's stub when `verb` is undefined). */
async function _tree(verb: VerbEntry | undefined): Promise<CommandSpec> {
  const root = createRootCommand() as unknown as CommandSpec;
  if (verb === undefined) addVerbStubs(root as never, VERBS, () => {});
  else root.addCommand((await verb.load()).createCommand(_ctx) as unknown as CommandSpec);
  // every subcommand module, so that the tree can be walked and instrumented
  await root.load();
  assert.ok(isCommandSpec(root));
  return root;
}

type _Result = { kind: "ran"; outcome: Outcome } | { kind: "failed"; error: unknown } | {
  kind: "gave-up";
};

async function _viaCommander(verb: VerbEntry | undefined, argv: string[]): Promise<_Result> {
  const spec = await _tree(verb);
  const sink: { outcome?: Outcome; events: [string, unknown][] } = { events: [] };
  _instrument(spec, sink);
  const real = await toCommander(spec);
  configureCommand(real, _out, _out);
  try {
    await real.parseAsync(argv, { from: "user" });
  } catch (error) {
    return { kind: "failed", error };
  }
  return sink.outcome === undefined
    ? { kind: "failed", error: new Error("no action ran") }
    : { kind: "ran", outcome: sink.outcome };
}

async function _viaFast(verb: VerbEntry | undefined, argv: string[]): Promise<_Result> {
  const spec = await _tree(verb);
  const sink: { outcome?: Outcome; events: [string, unknown][] } = { events: [] };
  _instrument(spec, sink);
  const parsed = fastParse(spec, argv);
  if (parsed === undefined) return { kind: "gave-up" };
  try {
    await parsed.run();
  } catch (error) {
    return { kind: "failed", error };
  }
  assert.ok(sink.outcome, "the fast parser ran no action");
  return { kind: "ran", outcome: sink.outcome };
}

const VALUES = [
  "ocidir://layout:v1",
  "registry.example/repo:tag",
  `localhost:5000/app@sha256:${"a".repeat(64)}`,
  `sha256:${"b".repeat(64)}`,
  "1",
  "0",
  "-1",
  "10",
  "linux/amd64",
  "{{json .}}",
  "a=b",
  "json",
  "raw",
  "debug",
  "reg=localhost:5000,tls=disabled",
  "",
  "-x",
  "v1",
  "--",
  "x.tar",
];

/** Values the global options accept, so that lines reach the verbs. */
const GOOD_VALUES: Record<string, readonly string[]> = {
  verbosity: ["debug", "info", "warn", "error"],
  logopt: ["json"],
  host: ["reg=localhost:5000,tls=disabled", "reg=example.com,user=u,pass=p"],
};

interface _Generated {
  verb: VerbEntry;
  argv: string[];
}

/** Command lines built from a verb's own tree. */
function _line(trees: Map<string, CommandSpec>): fc.Arbitrary<_Generated> {
  return fc.gen().map((g) => {
    const verb = VERBS[g(fc.nat, { max: VERBS.length - 1 })] as VerbEntry;
    const root = trees.get(verb.name) as CommandSpec;
    const pick = <T>(xs: readonly T[]): T => xs[g(fc.nat, { max: xs.length - 1 })] as T;
    const words: string[][] = [];
    let cmd = root;
    while (cmd.commands.length > 0 && (cmd.actionHandler === undefined || g(fc.boolean))) {
      const sub = pick(cmd.commands);
      words.push([pick([sub.name(), ...sub.aliases()])]);
      cmd = sub;
    }
    const slots: string[][] = [];
    for (const a of cmd.registeredArguments) {
      const n = a.variadic ? g(fc.nat, { max: 3 }) : a.required || g(fc.boolean) ? 1 : 0;
      for (let i = 0; i < n; i++) slots.push([pick(VALUES)]);
    }
    const options = [];
    for (let c: CommandSpec | null = cmd; c !== null; c = c.parent) options.push(...c.options);
    const count = g(fc.nat, { max: 4 });
    const chosen = options.filter((o) => o.mandatory);
    for (let i = 0; i < count && options.length > 0; i++) chosen.push(pick(options));
    for (const o of chosen) {
      const flag = o.long !== undefined && (o.short === undefined || g(fc.boolean))
        ? o.long
        : o.short as string;
      const good = GOOD_VALUES[o.attributeName()];
      const value = good !== undefined && g(fc.nat, { max: 4 }) > 0 ? pick(good) : pick(VALUES);
      if (o.required || (o.optional && g(fc.boolean))) {
        const form = g(fc.nat, { max: 2 });
        const long = flag.startsWith("--");
        const words = form === 0
          ? [flag, value]
          : long
          ? [`${flag}=${value}`]
          : [`${flag}${value}`];
        slots.splice(g(fc.nat, { max: slots.length }), 0, words);
      } else slots.splice(g(fc.nat, { max: slots.length }), 0, [flag]);
    }
    const noise = g(fc.nat, { max: 24 });
    const extra = ["--bogus", "-h", "--", "extra", "help", "-1", "-zq", "--format"];
    if (noise < extra.length) {
      slots.splice(g(fc.nat, { max: slots.length }), 0, [extra[noise] as string]);
    }
    // Options may also come before the subcommand words.
    const before = g(fc.nat, { max: Math.min(slots.length, 2) });
    const front = g(fc.nat, { max: 3 }) === 0 ? slots.splice(0, before) : [];
    return { verb, argv: [verb.name, ...front.flat(), ...words.flat(), ...slots.flat()] };
  });
}

async function _trees(): Promise<Map<string, CommandSpec>> {
  const trees = new Map<string, CommandSpec>();
  for (const v of VERBS) {
    const root = await _tree(v);
    trees.set(v.name, root.commands[0] as CommandSpec);
  }
  return trees;
}

function _same(fast: _Result, slow: _Result, argv: string[]): void {
  if (fast.kind === "gave-up") return;
  const line = JSON.stringify(argv);
  if (slow.kind === "failed") {
    assert.equal(fast.kind, "failed", `${line}: commander failed but the fast parser ran`);
    return;
  }
  assert.equal(fast.kind, "ran", `${line}: the fast parser failed where commander ran`);
  if (fast.kind === "ran" && slow.kind === "ran") {
    assert.deepEqual(fast.outcome, slow.outcome, line);
  }
}

Deno.test("fast parser: the same result as commander on every verb's tree", async () => {
  const trees = await _trees();
  let taken = 0;
  let runs = 0;
  const details = await fc.check(
    fc.asyncProperty(_line(trees), async ({ verb, argv }) => {
      runs++;
      const fast = await _viaFast(verb, argv);
      if (fast.kind === "ran") taken++;
      _same(fast, await _viaCommander(verb, argv), argv);
    }),
    { numRuns: 600, seed: fuzzSeed() },
  );
  const failure = failureReport(details);
  assert.equal(failure, undefined, failure);
  // The property means little if the fast parser gives up on everything.
  assert.ok(taken > runs / 5, `the fast parser took only ${taken} of ${runs} lines`);
});

Deno.test("fast parser: the verb stubs choose the same verb and root options as commander", async () => {
  const trees = await _trees();
  const details = await fc.check(
    fc.asyncProperty(_line(trees), async ({ argv }) => {
      _same(await _viaFast(undefined, argv), await _viaCommander(undefined, argv), argv);
    }),
    { numRuns: 300, seed: fuzzSeed() },
  );
  const failure = failureReport(details);
  assert.equal(failure, undefined, failure);
});

Deno.test("fast parser: takes the common short command lines", async () => {
  const lines: [string, string[]][] = [
    ["version", ["version"]],
    ["tag", ["tag", "ls", "ocidir://layout"]],
    ["tag", ["-v", "debug", "tag", "ls", "--include", "v1.*", "registry.example/repo"]],
    ["manifest", ["manifest", "head", "registry.example/repo:v1", "--platform", "linux/amd64"]],
    ["manifest", ["manifest", "get", "--format={{json .}}", "ocidir://layout:v1"]],
    ["image", ["image", "copy", "registry.example/a:v1", "ocidir://b:v1", "--digest-tags"]],
    ["image", ["--host", "reg=localhost:5000,tls=disabled", "image", "digest", "localhost:5000/a"]],
    ["blob", ["layer", "get", "ocidir://layout", `sha256:${"c".repeat(64)}`]],
  ];
  for (const [name, argv] of lines) {
    const verb = VERBS.find((v) => v.name === name) as VerbEntry;
    const fast = await _viaFast(verb, argv);
    assert.equal(fast.kind, "ran", `gave up on ${JSON.stringify(argv)}`);
    _same(fast, await _viaCommander(verb, argv), argv);
  }
});

Deno.test("fast parser: gives help, usage errors and suggestions to commander", async () => {
  const verb = VERBS.find((v) => v.name === "tag") as VerbEntry;
  for (
    const argv of [
      ["tag", "ls", "--help"],
      ["tag", "-h"],
      ["tag"],
      ["tag", "lx", "x"],
      ["tag", "ls"],
      ["tag", "ls", "a", "b"],
      ["tag", "ls", "--bogus", "x"],
      ["tag", "ls", "x", "--limit"],
      ["tag", "help", "ls"],
    ]
  ) {
    assert.equal((await _viaFast(verb, argv)).kind, "gave-up", JSON.stringify(argv));
  }
});

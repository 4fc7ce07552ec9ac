import assert from "node:assert/strict";
import { VERBS } from "../../plugins/mod.ts";
import { quietIo } from "../../tests/cli_harness.ts";
import { CommandLineError, CommandSpec, OptionSpec } from "./command.ts";
import { fastParse } from "./fast_parse.ts";
import { toCommander } from "./commander_tree.ts";
import { createCliContext } from "./context.ts";
import { StreamSink } from "./stream_sink.ts";

interface _Shape {
  name: string;
  aliases: string[];
  options: string[];
  commands: _Shape[];
}

interface _Named {
  name(): string;
  aliases(): string[];
  options: readonly { flags: string }[];
  commands: readonly _Named[];
}

function _shape(c: _Named): _Shape {
  return {
    name: c.name(),
    aliases: c.aliases(),
    options: c.options.map((o) => o.flags),
    commands: c.commands.map(_shape),
  };
}

Deno.test("every verb's recorded tree replays onto commander with the same commands, aliases and options", async () => {
  const sink = new StreamSink(new WritableStream());
  const ctx = createCliContext(quietIo(), { verbosity: "warn", logopt: [], host: [] }, {
    out: sink,
    err: sink,
  });
  for (const verb of VERBS) {
    const spec = (await verb.load()).createCommand(ctx) as unknown as CommandSpec;
    assert.ok(spec instanceof CommandSpec, verb.name);
    const real = await toCommander(spec);
    assert.deepEqual(_shape(real as unknown as _Named), _shape(spec), verb.name);
    assert.ok(real.helpInformation().includes(`Usage: ${verb.name}`), verb.name);
  }
});

Deno.test("OptionSpec reads flags, value kinds and attribute names as commander does", () => {
  const o = new OptionSpec("-p, --platform <platform>", "platform");
  assert.deepEqual([o.short, o.long, o.required, o.optional, o.attributeName()], [
    "-p",
    "--platform",
    true,
    false,
    "platform",
  ]);
  const n = new OptionSpec("--no-delete");
  assert.deepEqual([n.negate, n.isBoolean(), n.attributeName()], [true, false, "delete"]);
  const v = new OptionSpec("--label-add [value...]");
  assert.deepEqual([v.optional, v.variadic, v.attributeName()], [true, true, "labelAdd"]);
  assert.throws(() => new OptionSpec("-abc"), /unsupported flag format/);
});

Deno.test("OptionSpec marks variadic flags as commander does, Unicode names included", async () => {
  const { Option } = await import("commander");
  for (
    const flags of [
      "--label-add [value...]",
      "--tag <tag...>",
      "--naïve <värde...>",
      "--x <...>",
      "--x <a..>",
      "--x <a...>z",
      "--x <a>",
      "--x",
    ]
  ) {
    assert.equal(new OptionSpec(flags).variadic, new Option(flags).variadic, flags);
  }
});

Deno.test("CommandSpec refuses clashing options and commands, and error() throws a usage error", () => {
  const c = new CommandSpec("x").option("--a <v>");
  assert.throws(() => c.option("--a"), /clashes/);
  c.command("sub").alias("s");
  assert.throws(() => c.command("s"), /is taken/);
  assert.throws(
    () => c.error("bad", { code: "commander.invalid" }),
    (e: unknown) => e instanceof CommandLineError && e.code === "commander.invalid",
  );
});

Deno.test("CommandSpec.lazyCommand builds a subcommand only when it is chosen or listed", async () => {
  const built: string[] = [];
  let ran = "";
  const root = new CommandSpec("x");
  root.lazyCommand("a", ["al"], () => {
    built.push("a");
    return new CommandSpec("a").alias("al").argument("<v>").action((v: string) => {
      ran = v;
    });
  });
  root.lazyCommand("b", [], () => {
    built.push("b");
    return new CommandSpec("b").action(() => {});
  }, { hidden: true });
  assert.equal(root.hasCommands, true);
  assert.deepEqual(built, []);
  // names are taken before anything is built
  assert.throws(() => root.command("al"), /"al" is taken/);
  assert.throws(() => root.lazyCommand("b", [], () => new CommandSpec("b")), /"b" is taken/);
  assert.deepEqual(built, []);
  const parsed = fastParse(root, ["al", "v1"]);
  assert.ok(parsed !== undefined);
  await parsed.run();
  assert.equal(ran, "v1");
  assert.deepEqual(built, ["a"]);
  assert.equal(parsed.command.parent, root);
  // listing builds the rest, in the order added, each once
  assert.deepEqual(root.commands.map((c) => c.name()), ["a", "b"]);
  assert.equal(root.findCommand("a"), parsed.command);
  assert.deepEqual(built, ["a", "b"]);
  const adds = root.calls.filter((c) => c.method === "addCommand");
  assert.deepEqual(adds.map((c) => (c.args[0] as CommandSpec).name()), ["a", "b"]);
  assert.deepEqual(adds[1]?.args[1], { hidden: true });
  const help = (await toCommander(root)).helpInformation();
  assert.match(help, /^ {2}a\|al <v>/m);
  assert.doesNotMatch(help, /^ {2}b\b/m);
});

Deno.test("CommandSpec.load settles the asynchronous subcommands a line names, at every depth", async () => {
  const built: string[] = [];
  const later = (name: string, make: () => CommandSpec) => () => {
    built.push(name);
    return Promise.resolve().then(make);
  };
  const root = new CommandSpec("x");
  const verb = root.command("verb");
  let ran = "";
  verb.lazyCommand(
    "a",
    ["al"],
    later("a", () =>
      new CommandSpec("a").alias("al").argument("<v>").action((v: string) => {
        ran = v;
      })),
  );
  verb.lazyCommand(
    "b",
    [],
    later("b", () => {
      const b = new CommandSpec("b");
      b.lazyCommand("deep", [], later("deep", () => new CommandSpec("deep").action(() => {})));
      return b;
    }),
  );
  await root.load(["verb", "al", "v1"]);
  assert.deepEqual(built, ["a"]);
  const parsed = fastParse(root, ["verb", "al", "v1"]);
  assert.ok(parsed !== undefined);
  await parsed.run();
  assert.equal(ran, "v1");
  assert.equal(parsed.command.parent, verb);
  // chosen before it is settled: a clear error (its build has started, once)
  assert.throws(
    () => verb.findCommand("b"),
    /Lazy command "b" is still loading: await load\(\) first/,
  );
  assert.throws(() => verb.commands, /still loading/);
  assert.deepEqual(built, ["a", "b"]);
  // a word naming a nested subcommand settles the chain down to it
  await root.load(["verb", "b", "deep"]);
  assert.deepEqual(built, ["a", "b", "deep"]);
  // everything (help, commander): each build ran once
  await root.load();
  assert.deepEqual(verb.commands.map((c) => c.name()), ["a", "b"]);
  assert.deepEqual(built, ["a", "b", "deep"]);
});

Deno.test("parseCommandLine and toCommander load subcommand modules on use", async () => {
  const { parseCommandLine } = await import("./parse_command_line.ts");
  const built: string[] = [];
  let ran = false;
  const make = () => {
    const root = new CommandSpec("x");
    for (const name of ["one", "two"]) {
      root.lazyCommand(name, [], () => {
        built.push(name);
        return Promise.resolve(
          new CommandSpec(name).description(`the ${name}`).action(() => {
            ran = true;
          }),
        );
      });
    }
    return root;
  };
  const used: string[] = [];
  await parseCommandLine(make(), ["two"], { onParser: (p) => used.push(p) });
  assert.deepEqual([ran, built, used], [true, ["two"], ["fast"]]);
  const help = (await toCommander(make())).helpInformation();
  assert.match(help, /one\s+the one/);
  assert.match(help, /two\s+the two/);
});

Deno.test("addLazyCommand refuses a subcommand that loads on use under a commander parent", async () => {
  const { Command: Commander } = await import("@commander-js/extra-typings");
  const { addLazyCommand } = await import("./command.ts");
  const parent = new Commander("x");
  assert.throws(
    () =>
      addLazyCommand(
        parent as never,
        "sub",
        [],
        () => Promise.resolve(new Commander("sub")) as never,
      ),
    /Cannot add "sub" to a commander command: its module loads on use/,
  );
  assert.deepEqual(parent.commands.map((c) => c.name()), []);
});

Deno.test("CommandSpec.lazyCommand refuses a build whose names differ from the declared ones", () => {
  const root = new CommandSpec("x");
  root.lazyCommand("a", ["b"], () => new CommandSpec("a"));
  assert.throws(() => root.findCommand("b"), /Lazy command "a" was built as "a", not "a,b"/);
});

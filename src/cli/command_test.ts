import assert from "node:assert/strict";
import { VERBS } from "../../plugins/mod.ts";
import { quietIo } from "../../tests/cli_harness.ts";
import { CommandLineError, CommandSpec, OptionSpec } from "./command.ts";
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

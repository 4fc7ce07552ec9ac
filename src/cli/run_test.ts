import assert from "node:assert/strict";
import { Command, type CommandUnknownOpts } from "./command.ts";
import { quietIo } from "../../tests/cli_harness.ts";
import { NotFoundError } from "../errors.ts";
import type { CliIo } from "./context.ts";
import { runCli, type VerbEntry } from "./run.ts";

function io(out: string[]): CliIo {
  const dec = new TextDecoder();
  return quietIo({
    stdout: new WritableStream({ write: (c) => void out.push(dec.decode(c)) }),
    stderr: new WritableStream({ write: (c) => void out.push("ERR:" + dec.decode(c)) }),
  });
}

function verbs(loaded: string[]): VerbEntry[] {
  return [{
    name: "hello",
    summary: "Say hello",
    aliases: ["hi"],
    load: () => {
      loaded.push("hello");
      return Promise.resolve({
        createCommand: (ctx) =>
          new Command("hello").alias("hi").argument("<who>").option("--fail").action(
            async (who, opts) => {
              if (opts.fail) throw new NotFoundError(`Cannot find "${who}"`);
              await ctx.out.write(`hello ${who}\n`);
            },
          ) as unknown as CommandUnknownOpts,
      });
    },
  }];
}

Deno.test("runCli() lists verbs in help without loading them", async () => {
  const out: string[] = [];
  const loaded: string[] = [];
  assert.equal(await runCli(["--help"], io(out), verbs(loaded)), 0);
  assert.match(out.join(""), /hello\|hi +Say hello/);
  assert.deepEqual(loaded, []);
});

Deno.test("runCli() loads and runs the chosen verb, by name or alias", async () => {
  for (const name of ["hello", "hi"]) {
    const out: string[] = [];
    const loaded: string[] = [];
    assert.equal(await runCli([name, "-v", "error", "world"], io(out), verbs(loaded)), 0);
    assert.equal(out.join(""), "hello world\n");
    assert.deepEqual(loaded, ["hello"]);
  }
});

Deno.test("runCli() maps failures to exit codes with one stderr line", async () => {
  const cases: [string[], number][] = [
    [["hello", "--fail", "x"], 1],
    [["hello"], 2],
    [["hello", "a", "b"], 2],
    [["nope"], 2],
    [["--nope"], 2],
  ];
  for (const [argv, code] of cases) {
    const out: string[] = [];
    assert.equal(await runCli(argv, io(out), verbs([])), code, argv.join(" "));
    const err = out.filter((s) => s.startsWith("ERR:")).join("");
    assert.equal(err.split("\n").filter((l) => l !== "").length, 1, err);
  }
});

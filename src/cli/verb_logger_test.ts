import assert from "node:assert/strict";
import { Command } from "./command.ts";
import type { CliContext } from "./context.ts";
import { createLogger } from "./logger.ts";
import type { CommandUnknownOpts } from "./run.ts";
import { StreamSink } from "./stream_sink.ts";
import { infoLogger } from "./verb_logger.ts";

async function setup(argv: string[]) {
  const lines: string[] = [];
  const root = new Command("ocictl")
    .option("-v, --verbosity <level>", "", "warn")
    .option("--logopt <opt>", "", (v: string, prev: string[] = []) => [...prev, v]);
  const sub = root.command("bot");
  sub.action(() => {});
  await root.parseAsync(argv, { from: "user" });
  const ctx = {
    logger: createLogger({ level: "debug", write: (l) => lines.push(l) }),
    err: new StreamSink(
      new WritableStream({ write: (c) => void lines.push(new TextDecoder().decode(c)) }),
    ),
  } as unknown as CliContext;
  return { ctx, sub: sub as unknown as CommandUnknownOpts, lines };
}

Deno.test("infoLogger() logs at info without -v, and keeps the context's logger with -v", async () => {
  const plain = await setup(["bot"]);
  const logger = infoLogger(plain.ctx, plain.sub);
  assert.equal(logger.level, "info");
  logger.info("hello", { script: "a" });
  logger.debug("hidden");
  await plain.ctx.err.flush();
  assert.equal(plain.lines.length, 1);
  assert.match(plain.lines[0] ?? "", /level=info msg=hello script=a/);

  const verbose = await setup(["-v", "debug", "bot"]);
  assert.equal(infoLogger(verbose.ctx, verbose.sub), verbose.ctx.logger);
});

Deno.test("infoLogger() writes JSON lines with --logopt json", async () => {
  const json = await setup(["--logopt", "json", "bot"]);
  infoLogger(json.ctx, json.sub).info("hello");
  await json.ctx.err.flush();
  assert.equal(JSON.parse(json.lines[0] ?? "{}").msg, "hello");
});

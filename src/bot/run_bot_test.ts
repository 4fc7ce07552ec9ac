import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { createLogger } from "../cli/logger.ts";
import { ScriptError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import { parseRef } from "../types/ref.ts";
import { parseBotConfig } from "./bot_config.ts";
import { type BotRunOptions, runBotOnce } from "./run_bot.ts";

function options(
  out: string[],
  logs: string[],
  signal = new AbortController().signal,
  memory = new MemoryTransport(),
) {
  const o: BotRunOptions = {
    createClient: () => ({
      client: new Client({ transports: () => memory }),
      lastHeaders: () => undefined,
    }),
    logger: createLogger({ level: "info", write: (l) => logs.push(l) }),
    signal,
    platform: { os: "linux", architecture: "amd64" },
    print: (s) => out.push(s),
  };
  return o;
}

function scripts(parallel: number, items: string): string {
  return `defaults:\n  parallel: ${parallel}\nscripts:\n${items}`;
}

const SLEEPERS = [1, 2, 3].map((i) =>
  `  - name: s${i}\n    script: |\n      print("start ${i}")\n      sleep(0.15)\n      print("end ${i}")\n`
).join("");

Deno.test("runBotOnce() runs scripts one at a time, or up to defaults.parallel at once", async () => {
  const one: string[] = [];
  await runBotOnce(parseBotConfig(scripts(0, SLEEPERS)), options(one, []));
  assert.deepEqual(one, ["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  const two: string[] = [];
  await runBotOnce(parseBotConfig(scripts(2, SLEEPERS)), options(two, []));
  assert.deepEqual(two.slice(0, 2).sort(), ["start 1", "start 2"]);
  assert.equal(two.indexOf("start 3") > Math.min(two.indexOf("end 1"), two.indexOf("end 2")), true);
});

Deno.test("runBotOnce() runs every script when one fails, then throws the first failure", async () => {
  const out: string[] = [];
  const logs: string[] = [];
  await assert.rejects(
    runBotOnce(
      parseBotConfig(
        scripts(
          0,
          `  - name: bad\n    script: error("boom")\n  - name: good\n    script: print("good")\n`,
        ),
      ),
      options(out, logs),
    ),
    (e) => e instanceof ScriptError && e.script === "bad" && e.line === 1,
  );
  assert.deepEqual(out, ["good"]);
  assert.ok(logs.some((l) => /level=error msg="Error running script" script=bad/.test(l)));
});

Deno.test("runBotOnce() stops a slow API call at the script's timeout", async () => {
  const t0 = Date.now();
  await assert.rejects(
    runBotOnce(
      parseBotConfig(scripts(0, `  - name: slow\n    timeout: 100ms\n    script: sleep(30)\n`)),
      options([], []),
    ),
    (e) => e instanceof ScriptError && e.reason === "timeout" && e.script === "slow",
  );
  assert.ok(Date.now() - t0 < 5000);
});

Deno.test("runBotOnce() stops on abort with the abort's reason", async () => {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error("stop now")), 50);
  await assert.rejects(
    runBotOnce(
      parseBotConfig(scripts(0, `  - name: loop\n    script: while true do end\n`)),
      options([], [], ac.signal),
    ),
    /stop now/,
  );
  clearTimeout(timer);
});

Deno.test("runBotOnce() takes a timeout of weeks as weeks, not as an immediate stop", async () => {
  const out: string[] = [];
  await runBotOnce(
    parseBotConfig(
      scripts(0, `  - name: long\n    timeout: 1000h\n    script: sleep(0.05) print("done")\n`),
    ),
    options(out, []),
  );
  assert.deepEqual(out, ["done"]);
});

Deno.test("runBotOnce() reads config blobs up to defaults.blobLimit", async () => {
  const memory = new MemoryTransport();
  await buildSampleImages(memory, parseRef("example.com/app"));
  const script = `  - name: c\n    script: print(image.config("example.com/app:single").os)\n`;
  const out: string[] = [];
  await runBotOnce(parseBotConfig(scripts(0, script)), options(out, [], undefined, memory));
  assert.deepEqual(out, ["linux"]);
  await assert.rejects(
    runBotOnce(
      parseBotConfig(`defaults:\n  blobLimit: 100\nscripts:\n${script}`),
      options([], [], undefined, memory),
    ),
    (e) => e instanceof ScriptError && /Failed retrieving .* config: .*100/.test(e.message),
  );
});

Deno.test("runBotOnce() keeps other scripts running while one spins in a pure Lua loop", async () => {
  const out: string[] = [];
  const t0 = Date.now();
  let doneAt = 0;
  await assert.rejects(
    runBotOnce(
      parseBotConfig(
        scripts(
          2,
          `  - name: spin\n    timeout: 600ms\n    script: while true do end\n` +
            `  - name: steady\n    script: |\n      for i = 1, 3 do sleep(0.02) end\n      print("steady done")\n`,
        ),
      ),
      {
        ...options(out, []),
        print: (s) => {
          out.push(s);
          doneAt = Date.now() - t0;
        },
      },
    ),
    (e) => e instanceof ScriptError && e.script === "spin" && e.reason === "timeout",
  );
  assert.deepEqual(out, ["steady done"]);
  assert.ok(doneAt < 500, `steady finished after ${doneAt} ms`);
});

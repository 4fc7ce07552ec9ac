/**
 * The server verbs ask `main.ts` to catch SIGINT/SIGTERM as they start
 * (`CliIo.catchInterrupts`): main.ts otherwise catches them only once a run
 * has lasted `CATCH_INTERRUPTS_AFTER_MS`, and a stop sent as soon as a
 * server listens must still end it cleanly.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli } from "../../src/cli/run.ts";
import { VERBS } from "../../plugins/mod.ts";
import { quietIo } from "../cli_harness.ts";

for (
  const [name, argv, config] of [
    ["serve", ["serve", "--addr", "127.0.0.1:0", "--dir"], undefined],
    ["sync server", ["sync", "server", "-c"], "version: 1\nsync: []\n"],
    ["bot server", ["bot", "server", "-c"], "version: 1\nscripts: []\n"],
  ] as const
) {
  Deno.test(`${name} catches interrupts as it starts, and stops on the abort`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-catch-" });
    const stop = new AbortController();
    let calls = 0;
    // a server that never asks would run until this guard stops it
    const guard = setTimeout(() => stop.abort(), 10_000);
    try {
      let last: string = dir;
      if (config !== undefined) {
        last = `${dir}/config.yml`;
        await Deno.writeTextFile(last, config);
      }
      const code = await runCli(
        [...argv, last],
        quietIo({
          signal: stop.signal,
          catchInterrupts: () => {
            calls++;
            stop.abort();
          },
        }),
        VERBS,
      );
      assert.equal(calls, 1);
      assert.equal(code, 0);
    } finally {
      clearTimeout(guard);
      await Deno.remove(dir, { recursive: true });
    }
  });
}

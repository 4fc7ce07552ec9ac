/**
 * `ocictl bot server` against our own `serve`: scripts run on their interval
 * (never at start, never two runs of one script at once) until the signal
 * stops the server cleanly.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { withBotRegistry } from "./_bot.ts";
import { runUntilSignal } from "./_main_process.ts";

Deno.test("bot server: scripts run on their interval, never overlap, and stop on the signal", async () => {
  await withBotRegistry("serve", async (r) => {
    const file = `${r.dir}/server.yml`;
    await Deno.writeTextFile(
      file,
      `version: 1
creds:
  - registry: ${r.host}
    tls: disabled
defaults:
  interval: 150ms
scripts:
  - name: tick
    script: |
      print("tick " .. #tag.ls("${r.host}/app"))
  - name: slow
    interval: 50ms
    script: |
      print("slow start")
      sleep(0.3)
      print("slow end")
  - name: never
    schedule: "0 0 1 1 *"
    script: print("never")
`,
    );
    const stop = new AbortController();
    const started = Date.now();
    // a generous window: the suite runs tests in parallel on 2 cores
    const timer = setTimeout(() => stop.abort(), 2500);
    const res = await runCli(["bot", "server", "-c", file], { env: r.env, signal: stop.signal });
    clearTimeout(timer);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split("\n");
    const ticks = lines.filter((l) => l === "tick 8");
    // every 150 ms at most (never two at once), and more than once in 2.5 s
    assert.ok(ticks.length >= 2 && ticks.length <= 17, res.stdout);
    assert.ok(!lines.includes("never"));
    // One run of "slow" at a time: starts and ends alternate.
    const slow = lines.filter((l) => l.startsWith("slow"));
    assert.ok(slow.length >= 2, res.stdout);
    slow.forEach((l, i) => assert.equal(l, i % 2 === 0 ? "slow start" : "slow end", res.stdout));
    assert.match(res.stderr, /msg="Bot server started" scripts=3/);
    assert.match(res.stderr, /msg="Stopping server"/);
  });
});

Deno.test("bot server: nothing runs at start, and a script without timing is left out", async () => {
  await withBotRegistry("serve", async (r) => {
    const file = `${r.dir}/server.yml`;
    await Deno.writeTextFile(
      file,
      `scripts:\n  - name: hourly\n    interval: 1h\n    script: print("ran")\n  - name: untimed\n    script: print("ran")\n`,
    );
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 300);
    const res = await runCli(["bot", "server", "-c", file], { env: r.env, signal: stop.signal });
    clearTimeout(timer);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "");
    assert.match(res.stderr, /msg="No schedule or interval found, ignoring" script=untimed/);
  });
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test({
    name: `bot server as a process stops cleanly on ${signal}, ending the run in flight`,
    ignore: Deno.build.os === "windows",
    fn: async () => {
      await withBotRegistry("serve", async (r) => {
        const file = `${r.dir}/process.yml`;
        await Deno.writeTextFile(
          file,
          `scripts:\n  - name: busy\n    interval: 100ms\n    script: |\n      log("busy start")\n      sleep(30)\n`,
        );
        const res = await runUntilSignal(["bot", "server", "-c", file], {
          env: r.env,
          marker: "busy start",
          signal,
        });
        assert.ok(res.sawMarker, res.stderr);
        assert.match(res.stderr, /msg="User script message" script=busy message="busy start"/);
        assert.equal(res.code, 0, res.stderr);
        // The script's 30 s sleep was cut short, not waited out.
        assert.ok(res.msAfterSignal < 10_000, `stopped after ${res.msAfterSignal} ms`);
        assert.match(res.stderr, /msg="Stopping server"/);
      });
    },
  });
}

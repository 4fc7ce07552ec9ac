import assert from "node:assert/strict";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { Client } from "../client.ts";
import { createImage } from "../ops/image_create.ts";
import { parseRef } from "../types/ref.ts";
import type { Clock } from "../schedule/scheduler.ts";
import { loadSyncConfig } from "./config.ts";
import { SyncMetrics } from "./metrics.ts";
import { SyncRunner } from "./runner.ts";
import type { SyncMode } from "./runner_types.ts";
import { runSyncServer } from "./server.ts";

Deno.test("runSyncServer() runs a missing-only pass, then each step on its interval, one run at a time", async () => {
  const t = new MemoryTransport();
  const client = new Client({ transports: () => t });
  await createImage(client, parseRef("src.example/a:v1"), {
    platform: { os: "linux", architecture: "amd64" },
  });
  const { config } = loadSyncConfig(`sync:
  - {source: src.example/a, target: dst.example/a, type: repository, interval: 10m}
  - {source: src.example/a, target: dst.example/b, type: repository, schedule: "*/30 * * * *"}
  - {source: src.example/a, target: dst.example/c, type: repository}
`);
  let now = Date.UTC(2026, 0, 1, 0, 5);
  const clock: Clock = {
    now: () => now,
    sleep(ms) {
      now += Math.max(0, ms);
      return Promise.resolve();
    },
  };
  const errors: string[] = [];
  const logger = {
    info() {},
    warn() {},
    debug() {},
    error: (msg: string) => errors.push(msg),
  };
  const runs: { step: number; mode: SyncMode; at: number }[] = [];
  const stop = new AbortController();
  const metrics = new SyncMetrics(config.sync);
  // A run is timed by when it starts: other steps' sleeps move the fake clock while
  // its digests (Web Crypto, truly asynchronous) are being computed.
  const runner = new SyncRunner({ transport: () => t, logger });
  const started = new Map<number, number[]>();
  const run = runner.run.bind(runner);
  runner.run = (steps, mode, signal) => {
    for (const s of steps) started.set(s.index, [...(started.get(s.index) ?? []), now]);
    return run(steps, mode, signal);
  };
  await runSyncServer(config.sync, stop.signal, {
    runner,
    logger,
    clock,
    metrics,
    onRun(step, mode) {
      const at = started.get(step.index)?.shift() ?? NaN;
      runs.push({ step: step.index, mode, at });
      if (runs.length >= 6) stop.abort();
    },
  });
  assert.deepEqual(runs.slice(0, 2).map((r) => [r.step, r.mode]), [[0, "missing"], [1, "missing"]]);
  assert.ok(runs.slice(2).every((r) => r.mode === "once"));
  assert.ok(!runs.some((r) => r.step === 2));
  assert.deepEqual(errors, ["Step has no schedule or interval: it is left out"]);
  const step1 = runs.filter((r) => r.step === 1 && r.mode === "once");
  assert.ok(step1.every((r) => new Date(r.at).getMinutes() % 30 === 0));
  assert.deepEqual(await t.tagList(parseRef("dst.example/a")), ["v1"]);
  assert.match(metrics.render(), /ocictl_sync_images_copied_total\{step="0",[^}]*\} 1/);
});

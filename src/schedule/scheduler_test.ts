import assert from "node:assert/strict";
import { type Clock, compileTiming, Scheduler, systemClock } from "./scheduler.ts";
import { UsageError } from "../errors.ts";

/** A clock whose sleeps move time forward at once (one job at a time). */
function jumpingClock(start: number): Clock & { t: number } {
  const c = {
    t: start,
    now: () => c.t,
    sleep(ms: number) {
      c.t += Math.max(0, ms);
      return Promise.resolve();
    },
  };
  return c;
}

Deno.test("compileTiming() follows a 5-field cron line and a descriptor", () => {
  const start = Date.UTC(2026, 0, 1, 10, 2);
  const every5 = compileTiming({ schedule: "*/5 * * * *" }, "s");
  const first = every5(start);
  assert.ok(first !== undefined);
  assert.equal(new Date(first).getMinutes() % 5, 0);
  assert.equal(first - start, 3 * 60_000 - new Date(start).getSeconds() * 1000);
  const daily = compileTiming({ schedule: "@daily" }, "s")(start);
  assert.ok(daily !== undefined && daily > start && daily - start <= 86_400_000);
  assert.equal(new Date(daily).getHours(), 0);
});

Deno.test("compileTiming() prefers the schedule and reads Go durations", () => {
  assert.equal(compileTiming({ interval: "1h30m" }, "s")(1000), 1000 + 5_400_000);
  const both = compileTiming({ schedule: "0 * * * *", interval: "1s" }, "s")(0);
  assert.ok(both !== undefined && both !== 1000 && both % 60_000 === 0);
});

Deno.test("compileTiming() refuses bad cron lines and durations with a usage error", () => {
  for (
    const timing of [
      { schedule: "* * *" },
      { schedule: "61 * * * *" },
      { schedule: "*/5 * * * * *" },
      { schedule: "@every 1h" },
      { interval: "1d" },
      { interval: "0s" },
      { interval: "-5m" },
      {},
    ]
  ) {
    assert.throws(() => compileTiming(timing, "step 1"), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /step 1/);
      return true;
    }, JSON.stringify(timing));
  }
});

Deno.test("Scheduler never overlaps runs of one job and skips fire times it overran", async () => {
  const clock = jumpingClock(0);
  const stop = new AbortController();
  const starts: number[] = [];
  let running = 0;
  const s = new Scheduler({ clock });
  s.add({
    name: "slow",
    interval: "1m",
    async run(signal) {
      running++;
      assert.equal(running, 1);
      starts.push(clock.t);
      await clock.sleep(150_000, signal);
      running--;
      if (starts.length === 3) stop.abort();
    },
  });
  await s.run(stop.signal);
  assert.deepEqual(starts, [60_000, 270_000, 480_000]);
});

Deno.test("Scheduler keeps a job scheduled after a failed run and reports it", async () => {
  const clock = jumpingClock(0);
  const stop = new AbortController();
  const errors: string[] = [];
  let n = 0;
  const s = new Scheduler({ clock, onError: (job, err) => errors.push(`${job.name}: ${err}`) });
  s.add({
    name: "flaky",
    interval: "10s",
    run() {
      n++;
      if (n === 3) stop.abort();
      return n === 1 ? Promise.reject(new Error("boom")) : Promise.resolve();
    },
  });
  await s.run(stop.signal);
  assert.equal(n, 3);
  assert.deepEqual(errors, ["flaky: Error: boom"]);
});

Deno.test("Scheduler stops on abort and waits for the run in flight", async () => {
  const stop = new AbortController();
  const events: string[] = [];
  const s = new Scheduler({ clock: systemClock });
  s.add({
    name: "fast",
    interval: "5ms",
    async run(signal) {
      events.push("start");
      stop.abort();
      await systemClock.sleep(20, AbortSignal.timeout(1000));
      events.push(signal.aborted ? "end-aborted" : "end");
    },
  });
  const started = Date.now();
  await s.run(stop.signal);
  assert.deepEqual(events, ["start", "end-aborted"]);
  assert.ok(Date.now() - started < 1000);
});

Deno.test("systemClock.sleep() ends early when its signal aborts", async () => {
  const c = new AbortController();
  const t0 = Date.now();
  setTimeout(() => c.abort(), 10);
  await systemClock.sleep(60_000, c.signal);
  assert.ok(Date.now() - t0 < 5000);
});

Deno.test("systemClock.sleep() waits past the longest setTimeout delay instead of firing at once", async () => {
  const c = new AbortController();
  let woke = false;
  const sleeping = systemClock.sleep(2 ** 31 + 60_000, c.signal).then(() => {
    woke = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(woke, false);
  c.abort();
  await sleeping;
  assert.equal(woke, true);
});

import assert from "node:assert/strict";
import { afterMs, everyMs } from "./timers.ts";

/** Fails the test if the global timers (Node's `Timeout`) are used meanwhile. */
async function withoutGlobalTimers(fn: () => Promise<void>): Promise<void> {
  const real = { setTimeout: globalThis.setTimeout, setInterval: globalThis.setInterval };
  const used: string[] = [];
  globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => {
    used.push("setTimeout");
    return real.setTimeout(...a);
  }) as typeof setTimeout;
  globalThis.setInterval = ((...a: Parameters<typeof setInterval>) => {
    used.push("setInterval");
    return real.setInterval(...a);
  }) as typeof setInterval;
  try {
    await fn();
  } finally {
    globalThis.setTimeout = real.setTimeout;
    globalThis.setInterval = real.setInterval;
  }
  assert.deepEqual(used, []);
}

Deno.test("afterMs() runs once after the delay; a cancelled one never runs", async () => {
  await withoutGlobalTimers(async () => {
    const ran: string[] = [];
    const t0 = performance.now();
    await new Promise<void>((resolve) => afterMs(30, () => resolve(void ran.push("a"))));
    assert.ok(performance.now() - t0 >= 25);
    const cancel = afterMs(10, () => ran.push("cancelled"));
    cancel();
    afterMs(-5, () => ran.push("now"));
    await new Promise<void>((resolve) => afterMs(40, resolve));
    assert.deepEqual(ran, ["a", "now"]);
  });
});

Deno.test("everyMs() ticks until stopped, also past a throwing tick", async () => {
  await withoutGlobalTimers(async () => {
    let ticks = 0;
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => {
      e.preventDefault();
      errors.push(e.error);
    };
    globalThis.addEventListener("error", onError);
    try {
      const stop = everyMs(5, () => {
        ticks++;
        if (ticks === 2) throw new Error("tick 2");
      });
      while (ticks < 4) await new Promise<void>((resolve) => afterMs(5, resolve));
      stop();
      const at = ticks;
      await new Promise<void>((resolve) => afterMs(30, resolve));
      assert.equal(ticks, at);
      assert.equal(errors.length, 1);
    } finally {
      globalThis.removeEventListener("error", onError);
    }
  });
});

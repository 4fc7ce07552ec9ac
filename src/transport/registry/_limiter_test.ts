import assert from "node:assert/strict";
import { AbortedError } from "../../errors.ts";
import { defaultSleep, Limiter } from "./_limiter.ts";

Deno.test("Limiter never lets more than max holders run at once", async () => {
  const lim = new Limiter(2, 0, () => 0, defaultSleep);
  let active = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 6 }, async () => {
    const release = await lim.acquire();
    active++;
    peak = Math.max(peak, active);
    await defaultSleep(5);
    active--;
    release();
  }));
  assert.equal(peak, 2);
});

Deno.test("Limiter spaces starts by the request rate using the injected sleep", async () => {
  const sleeps: number[] = [];
  const lim = new Limiter(10, 4, () => 1000, (ms) => {
    sleeps.push(ms);
    return Promise.resolve();
  });
  for (let i = 0; i < 3; i++) (await lim.acquire())();
  assert.deepEqual(sleeps, [250, 500]);
});

Deno.test("Limiter.acquire() rejects with AbortedError when cancelled while waiting", async () => {
  const lim = new Limiter(1, 0, () => 0, defaultSleep);
  const release = await lim.acquire();
  const ac = new AbortController();
  const waiting = lim.acquire(ac.signal);
  ac.abort();
  await assert.rejects(waiting, AbortedError);
  release();
  (await lim.acquire())();
});

Deno.test("defaultSleep() rejects with AbortedError on abort", async () => {
  const ac = new AbortController();
  const p = defaultSleep(10_000, ac.signal);
  ac.abort();
  await assert.rejects(p, AbortedError);
});

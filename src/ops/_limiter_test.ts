import assert from "node:assert/strict";
import { _Limiter, _mapLimited } from "./_limiter.ts";

Deno.test("_Limiter runs at most max tasks at once", async () => {
  const l = new _Limiter(2);
  let active = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 6 }, () =>
    l.run(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 1));
      active--;
    })));
  assert.equal(peak, 2);
});

Deno.test("_mapLimited() aborts the controller and rethrows the first failure", async () => {
  const c = new AbortController();
  const started: number[] = [];
  await assert.rejects(
    () =>
      _mapLimited([1, 2, 3, 4], 1, (n) => {
        started.push(n);
        if (n === 2) return Promise.reject(new Error("two"));
        return Promise.resolve(n);
      }, c),
    /two/,
  );
  assert.ok(c.signal.aborted);
  assert.deepEqual(started, [1, 2]);
});

Deno.test("_mapLimited() returns results in input order", async () => {
  assert.deepEqual(await _mapLimited([3, 1, 2], 0, (n) => Promise.resolve(n * 2)), [6, 2, 4]);
});

import { deepEqual, equal } from "node:assert/strict";
import { fuzzSeed } from "./_fuzz.ts";
import { copyCrashDrill, serveCrashDrill } from "./crash.ts";

Deno.test("drill: kill -9 during copies into a layout leaves it consistent and a rerun completes", async () => {
  const r = await copyCrashDrill("short", "ocidir", fuzzSeed());
  deepEqual(r.notes, []);
  equal(r.failures, 0);
});

Deno.test("drill: kill -9 during copies into serve leaves it consistent and a rerun completes", async () => {
  const r = await copyCrashDrill("short", "serve", fuzzSeed());
  deepEqual(r.notes, []);
  equal(r.failures, 0);
});

Deno.test("drill: kill -9 of serve during pushes, then a restart, leaves it consistent", async () => {
  const r = await serveCrashDrill("short", fuzzSeed());
  deepEqual(r.notes, []);
  equal(r.failures, 0);
});

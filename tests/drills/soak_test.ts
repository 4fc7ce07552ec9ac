import { deepEqual, equal, ok } from "node:assert/strict";
import { fuzzSeed } from "./_fuzz.ts";
import { soakDrill } from "./soak.ts";

Deno.test("drill: serve under 32 clients for 10 s: no errors, RSS flat, descriptors back to where they were", async () => {
  const r = await soakDrill("short", fuzzSeed());
  deepEqual(r.notes, []);
  equal(r.failures, 0);
  ok(r.cases > 100, `only ${r.cases} requests`);
});

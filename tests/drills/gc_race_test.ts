import { deepEqual, equal } from "node:assert/strict";
import { gcRaceDrill } from "./gc_race.ts";

Deno.test("a GC in one process waits for another process's copy into the same layout, with or without lock files; with leases off it does not", async () => {
  const r = await gcRaceDrill("short");
  deepEqual(r.notes, []);
  equal(r.failures, 0);
  equal(r.figures.controlLost, "yes");
});

import { deepEqual, equal, ok } from "node:assert/strict";
import { importFuzzDrill } from "./import_fuzz.ts";

Deno.test("drill: image import of mutated tars imports a valid layout or fails typed, writing nothing outside", async () => {
  const r = await importFuzzDrill("short");
  deepEqual(r.notes, []);
  equal(r.failures, 0);
  ok(Number(r.figures.refused) > 0);
});

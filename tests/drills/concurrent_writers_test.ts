import { deepEqual, equal } from "node:assert/strict";
import { layoutWritersDrill, serveWritersDrill } from "./concurrent_writers.ts";

Deno.test("drill: 4 processes writing 100 tags into one layout lose none", async () => {
  const r = await layoutWritersDrill("short");
  equal(r.cases, 100);
  deepEqual(r.notes, []);
  equal(r.failures, 0);
});

Deno.test("drill: 4 clients pushing 100 tags into one serve repository lose none", async () => {
  const r = await serveWritersDrill("short");
  equal(r.cases, 100);
  deepEqual(r.notes, []);
  equal(r.failures, 0);
});

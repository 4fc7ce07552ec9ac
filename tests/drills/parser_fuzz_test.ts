import { deepEqual, equal } from "node:assert/strict";
import { parserFuzzDrill } from "./parser_fuzz.ts";

Deno.test("drill: every parser returns a value or throws a typed error (fast-check, a few hundred cases each)", async () => {
  const r = await parserFuzzDrill("short");
  deepEqual(r.notes, []);
  equal(r.failures, 0);
});

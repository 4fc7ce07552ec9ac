import { deepEqual, equal, ok } from "node:assert/strict";
import { serveFuzzDrill } from "./serve_fuzz.ts";

Deno.test("drill: random requests to the serve handler get spec errors, never 5xx, and lose nothing", async () => {
  const r = await serveFuzzDrill("short");
  deepEqual(r.notes, []);
  equal(r.failures, 0);
  ok(r.cases > 100, `only ${r.cases} requests were well-formed`);
});

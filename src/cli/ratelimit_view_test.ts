import assert from "node:assert/strict";
import { parseRateLimit, rateLimitView } from "./ratelimit_view.ts";

Deno.test("parseRateLimit() reads limit, policies, remaining and reset", () => {
  const h = new Headers({
    "RateLimit-Limit": "100;w=21600, 200;w=3600",
    "RateLimit-Remaining": "76;w=21600",
    "RateLimit-Reset": "42",
  });
  assert.deepEqual(parseRateLimit(h), {
    Remain: 76,
    Limit: 100,
    Reset: 42,
    Set: true,
    Policies: ["100;w=21600", "200;w=3600"],
  });
});

Deno.test("parseRateLimit() leaves Set false without a numeric RateLimit-Remaining", () => {
  assert.deepEqual(parseRateLimit(new Headers()), {
    Remain: 0,
    Limit: 0,
    Reset: 0,
    Set: false,
    Policies: null,
  });
  const bad = parseRateLimit(
    new Headers({ "RateLimit-Remaining": "lots", "RateLimit-Limit": "x" }),
  );
  assert.equal(bad.Set, false);
  assert.equal(bad.Limit, 0);
});

Deno.test("rateLimitView() prints Go-style pretty JSON with regctl's field names", () => {
  const v = rateLimitView({ Remain: 1, Limit: 2, Reset: 3, Set: true, Policies: null });
  assert.equal(
    v.marshalPretty(),
    '{\n  "Remain": 1,\n  "Limit": 2,\n  "Reset": 3,\n  "Set": true,\n  "Policies": null\n}\n',
  );
  assert.equal(v.Remain, 1);
});

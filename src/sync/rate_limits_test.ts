import assert from "node:assert/strict";
import { parseRef } from "../types/ref.ts";
import { RateLimits } from "./rate_limits.ts";

function response(url: string, headers: Record<string, string>): Response {
  const res = new Response(null, { headers });
  Object.defineProperty(res, "url", { value: url });
  return res;
}

Deno.test("RateLimits keeps the last limit per manifest and ignores responses without one", () => {
  const r = new RateLimits();
  r.observe(response("https://r.example/v2/team/app/manifests/v1", { "RateLimit-Remaining": "9" }));
  r.observe(response("https://r.example/v2/team/app/manifests/v1", {}));
  r.observe(
    response("https://r.example/v2/team/app/blobs/sha256:00", { "RateLimit-Remaining": "1" }),
  );
  assert.deepEqual(r.get(parseRef("r.example/team/app:v1")), { remain: 9, limit: 0 });
  r.observe(
    response("https://r.example/v2/team/app/manifests/v1", {
      "RateLimit-Remaining": "3",
      "RateLimit-Limit": "10",
    }),
  );
  assert.deepEqual(r.get(parseRef("r.example/team/app:v1")), { remain: 3, limit: 10 });
  assert.equal(r.get(parseRef("r.example/team/app:v2")), undefined);
});

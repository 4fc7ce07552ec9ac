import assert from "node:assert/strict";
import { BACKOFF_MAX_MS, backoffDelay, isRetryableStatus, parseRetryAfter } from "./retry.ts";

Deno.test("isRetryableStatus() retries transient statuses only", () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true);
  for (const s of [200, 400, 401, 403, 404, 416, 501]) assert.equal(isRetryableStatus(s), false);
});

Deno.test("backoffDelay() grows exponentially up to the cap", () => {
  assert.equal(backoffDelay(0), 100);
  assert.equal(backoffDelay(3), 800);
  assert.equal(backoffDelay(40), BACKOFF_MAX_MS);
});

Deno.test("parseRetryAfter() reads seconds, HTTP dates and rejects junk", () => {
  const now = Date.UTC(2026, 0, 1);
  assert.equal(parseRetryAfter("0", now), 0);
  assert.equal(parseRetryAfter(" 3 ", now), 3000);
  assert.equal(parseRetryAfter(new Date(now + 7000).toUTCString(), now), 7000);
  assert.equal(parseRetryAfter(new Date(now - 7000).toUTCString(), now), 0);
  assert.equal(parseRetryAfter("99999", now), BACKOFF_MAX_MS);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("-1", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

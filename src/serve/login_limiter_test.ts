import { equal } from "node:assert/strict";
import { LoginLimiter } from "./login_limiter.ts";

Deno.test("LoginLimiter doubles the wait per failure up to the cap, per address", () => {
  let t = 0;
  const l = new LoginLimiter({ now: () => t, freeFailures: 0, baseDelayMs: 100, maxDelayMs: 350 });
  equal(l.failed("a"), 100);
  equal(l.failed("a"), 200);
  equal(l.failed("a"), 350);
  equal(l.waitMs("a"), 350);
  equal(l.waitMs("b"), 0, "another address is not held back");
  t = 400;
  equal(l.waitMs("a"), 0);
  l.succeeded("a");
  equal(l.failed("a"), 100, "a success starts afresh");
});

Deno.test("LoginLimiter forgets the oldest address beyond maxClients", () => {
  const l = new LoginLimiter({ now: () => 0, freeFailures: 0, maxClients: 2 });
  l.failed("a");
  l.failed("b");
  l.failed("c");
  equal(l.waitMs("a"), 0);
  equal(l.waitMs("c") > 0, true);
});

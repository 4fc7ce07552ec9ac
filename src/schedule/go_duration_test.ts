import assert from "node:assert/strict";
import { parseGoDuration } from "./go_duration.ts";

Deno.test("parseGoDuration() reads hours, minutes, seconds and fractions", () => {
  assert.equal(parseGoDuration("1h"), 3_600_000);
  assert.equal(parseGoDuration("1h30m"), 5_400_000);
  assert.equal(parseGoDuration("1.5s"), 1500);
  assert.equal(parseGoDuration("250ms"), 250);
  assert.equal(parseGoDuration("1000000ns"), 1);
  assert.equal(parseGoDuration("0"), 0);
  assert.equal(parseGoDuration("-2s"), -2000);
});

Deno.test("parseGoDuration() rejects text that is not a Go duration", () => {
  for (const bad of ["", "1", "h", "1d", "1h 2m", "abc", "-", "1.2.3s"]) {
    assert.equal(parseGoDuration(bad), undefined, bad);
  }
});

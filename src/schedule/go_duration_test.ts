import assert from "node:assert/strict";
import { formatGoDuration, parseGoDuration } from "./go_duration.ts";

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

Deno.test("formatGoDuration() spells durations as Go's Duration.String", () => {
  const cases: [number, string][] = [
    [3_600_000, "1h0m0s"],
    [5_400_000, "1h30m0s"],
    [90_000, "1m30s"],
    [1500, "1.5s"],
    [250, "250ms"],
    [1.5, "1.5ms"],
    [0.002, "2µs"],
    [0.000001, "1ns"],
    [0, "0s"],
    [-2000, "-2s"],
    [3_723_004, "1h2m3.004s"],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatGoDuration(ms), text, String(ms));
    assert.equal(parseGoDuration(text), ms, text);
  }
});

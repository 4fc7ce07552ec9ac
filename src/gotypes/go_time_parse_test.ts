import assert from "node:assert/strict";
import { parseTime } from "./go_time_parse.ts";

Deno.test("parseTime() reads RFC 3339 with offsets and fractions", () => {
  const t = parseTime("2006-01-02T15:04:05Z07:00", "2024-02-29T23:30:00.5+02:00");
  assert.equal(t.UTC().Format("2006-01-02 15:04:05.000"), "2024-02-29 21:30:00.500");
  assert.equal(t.Format("15:04 -07:00"), "23:30 +02:00");
  assert.equal(parseTime("2006-01-02T15:04:05Z07:00", "2024-01-01T00:00:00Z").Unix(), 1704067200);
});

Deno.test("parseTime() reads month names, 12-hour clocks and 2-digit years", () => {
  const t = parseTime("Jan 2 06 3:04PM", "Mar 7 99 12:05AM");
  assert.equal(t.Format("2006-01-02 15:04"), "1999-03-07 00:05");
  const u = parseTime("January _2, 2006 MST", "July  4, 2021 UTC");
  assert.equal(u.Format("2006-01-02 MST"), "2021-07-04 UTC");
});

Deno.test("parseTime() rejects text that does not match the layout", () => {
  for (
    const [layout, value] of [
      ["2006-01-02", "2024/01/02"],
      ["2006-01-02", "2024-13-02"],
      ["2006-01-02", "2024-02-30"],
      ["2006-01-02", "2024-01-02 extra"],
      ["15:04", "25:00"],
      ["Jan", "Foo"],
    ]
  ) {
    assert.throws(() => parseTime(layout as string, value as string), Error, `${layout} ${value}`);
  }
});

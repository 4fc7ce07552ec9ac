import assert from "node:assert/strict";
import { formatTime, GoTime } from "./go_time.ts";

const T = new GoTime(Date.UTC(2006, 0, 2, 15, 4, 5, 123), 456_789);

Deno.test("formatTime() renders Go's reference layout elements", () => {
  assert.equal(formatTime(T, "2006-01-02T15:04:05Z07:00"), "2006-01-02T15:04:05Z");
  assert.equal(formatTime(T, "Mon Jan _2 3:04:05 PM MST 2006"), "Mon Jan  2 3:04:05 PM UTC 2006");
  assert.equal(formatTime(T, "Monday, January 2 06 002"), "Monday, January 2 06 002");
  assert.equal(formatTime(T, "15:04:05.000|.999999999|.000000"), "15:04:05.123|.123456789|.123456");
  assert.equal(formatTime(T, "-0700 -07:00 -07"), "+0000 +00:00 +00");
  assert.equal(formatTime(T, "Monthly pm"), "Monthly pm");
});

Deno.test("GoTime methods mirror time.Time", () => {
  assert.equal(T.Year(), 2006);
  assert.equal(T.Month(), "January");
  assert.equal(T.Day(), 2);
  assert.equal(T.Hour(), 15);
  assert.equal(T.Minute(), 4);
  assert.equal(T.Second(), 5);
  assert.equal(T.Nanosecond(), 123_456_789);
  assert.equal(T.YearDay(), 2);
  assert.equal(T.Weekday(), "Monday");
  assert.equal(T.Unix(), 1136214245);
  assert.equal(T.UnixNano(), 1136214245123456789n);
  assert.equal(T.String(), "2006-01-02 15:04:05.123456789 +0000 UTC");
  assert.equal(T.toJSON(), "2006-01-02T15:04:05.123456789Z");
  assert.equal(T.AddDate(0, 1, 1).Format("2006-01-02"), "2006-02-03");
  assert.equal(T.Add(1_000_000_000).Second(), 6);
  assert.equal(T.Add(1_000_000_000).Sub(T), 1_000_000_000);
  assert.ok(T.Before(T.Add(1)) && T.Add(1).After(T) && T.Equal(T.UTC()));
  assert.ok(new GoTime(new Date(0).setUTCFullYear(1, 0, 1)).IsZero());
  assert.ok(!T.IsZero());
});

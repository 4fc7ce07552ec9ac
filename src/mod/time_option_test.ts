import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { adjustTime, parseRfc3339, parseTimeOption, timeMaxOption } from "./time_option.ts";

Deno.test("parseTimeOption() reads every key", () => {
  const { option, extra } = parseTimeOption(
    "set=2021-02-03T04:05:06+01:00,after=2020-01-01T00:00:00Z,base-ref=alpine:3,base-layers=2,filename=a.tar",
    "--file-tar-time",
    ["filename"],
  );
  assert.equal(option.set?.text, "2021-02-03T04:05:06+01:00");
  assert.equal(option.set?.date.toISOString(), "2021-02-03T03:05:06.000Z");
  assert.equal(option.after?.toISOString(), "2020-01-01T00:00:00.000Z");
  assert.equal(option.baseRef?.repository, "library/alpine");
  assert.equal(option.baseLayers, 2);
  assert.deepEqual(extra, { filename: "a.tar" });
});

Deno.test("parseTimeOption() refuses bad options as usage errors", () => {
  for (
    const bad of [
      "after=2020-01-01T00:00:00Z",
      "set=2021-02-03",
      "set=2021-02-03T04:05:06Z,later=1",
      "set=2021-02-03T04:05:06Z,base-layers=-1",
      "set",
      "from-label=",
    ]
  ) {
    assert.throws(() => parseTimeOption(bad, "--time"), (e: unknown) => {
      assert.ok(e instanceof UsageError, bad);
      assert.equal(e.code, "USAGE");
      return true;
    });
  }
  assert.equal(parseTimeOption("from-label=built", "--time").option.fromLabel, "built");
});

Deno.test("parseRfc3339() and timeMaxOption() take Go's RFC 3339 forms", () => {
  assert.equal(parseRfc3339("2021-02-03T04:05:06.5Z", "x").getTime() % 1000, 500);
  assert.throws(() => parseRfc3339("2021-02-03 04:05:06Z", "x"), UsageError);
  const t = timeMaxOption("2021-02-03T04:05:06Z", "--time-max");
  assert.equal(t.after?.getTime(), t.set?.date.getTime());
});

Deno.test("adjustTime() changes only times after `after`, and only when different", () => {
  const set = new Date("2021-01-01T00:00:00Z");
  assert.equal(adjustTime(set, set), undefined);
  assert.equal(adjustTime(new Date(0), set), set);
  assert.equal(adjustTime(new Date(0), set, set), undefined);
  assert.equal(adjustTime(new Date("2030-01-01T00:00:00Z"), set, set), set);
});

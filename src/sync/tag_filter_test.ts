import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  compileVersionRange,
  filterTags,
  parseTagVersion,
  selectTags,
  sortVersionsNewestFirst,
  type TagFilter,
} from "./tag_filter.ts";

function f(partial: Partial<TagFilter>): TagFilter {
  return { allow: [], deny: [], semverRange: [], ...partial };
}

Deno.test("filterTags() applies version ranges, then allow, then deny (regsync's cases)", () => {
  const cases: [Partial<TagFilter>, string[], string[]][] = [
    [
      { semverRange: [">=1.0.0 <2.0.0", ">=4.0.0"], deny: [".*-rc.*"] },
      ["1.0.0", "1.5.0-rc1", "2.0.0", "4.0.0", "4.1.0-rc2", "5.0.0"],
      ["1.0.0", "4.0.0", "5.0.0"],
    ],
    [{ semverRange: [">=1.0.0"] }, ["latest", "dev", "1.0.0", "1.5.0", "main"], ["1.0.0", "1.5.0"]],
    [{ semverRange: [">=1.0.0"], allow: ["v.*"] }, ["1.0.0", "v1.5.0", "v2.0.0", "3.0.0"], [
      "v1.5.0",
      "v2.0.0",
    ]],
    [
      { semverRange: [">=1.0.0 <2.0.0"] },
      ["v1.2.3-alpine3.21", "v1.5.0-alpine3.20", "v2.0.0-alpine3.21", "v0.9.0-alpine3.19"],
      ["v1.2.3-alpine3.21", "v1.5.0-alpine3.20", "v2.0.0-alpine3.21"],
    ],
    [{ semverRange: [">=5.0.0"] }, ["v5-scratch", "v4-scratch", "v6-scratch", "v5.1-scratch"], [
      "v6-scratch",
      "v5.1-scratch",
    ]],
    [{ semverRange: [">=2 <5"] }, ["v1", "v2", "v3", "v4", "v5", "v6"], ["v2", "v3", "v4"]],
    [{ semverRange: ["^1.4"] }, ["1.3", "1.4.2", "1.9", "2.0"], ["1.4.2", "1.9"]],
    [{ semverRange: ["~1.4"] }, ["1.3", "1.4.2", "1.5.0"], ["1.4.2"]],
    [{ allow: ["v1\\..*"] }, ["v1.0", "xv1.0", "v1.0x", "v2.0"], ["v1.0", "v1.0x"]],
  ];
  for (const [filter, input, want] of cases) {
    assert.deepEqual(filterTags(input, f(filter)), want, JSON.stringify(filter));
  }
});

Deno.test("selectTags() unions tag sets and the tags filter; no filter selects all", () => {
  const tags = ["a1", "b1", "c1", "1.0", "2.0"];
  assert.deepEqual(selectTags(tags, f({}), []), tags);
  assert.deepEqual(
    selectTags(tags, f({ allow: ["a.*"] }), [
      f({ semverRange: [">=2"] }),
      f({ allow: ["b.*", "a1"] }),
    ]),
    ["2.0", "a1", "b1"],
  );
});

Deno.test("compileVersionRange() and filterTags() refuse bad ranges and regexes with a usage error", () => {
  for (const bad of ["", ">=x", "~", ">=1.0 <<2"]) {
    assert.throws(() => compileVersionRange(bad), UsageError, bad);
  }
  assert.throws(() => filterTags(["a"], f({ allow: ["("] })), UsageError);
});

Deno.test("sortVersionsNewestFirst() orders versions, a suffix before its release", () => {
  assert.deepEqual(
    sortVersionsNewestFirst(["1.2", "v1.10", "1.9.1", "1.10.0-rc1", "0.9"]),
    ["v1.10", "1.10.0-rc1", "1.9.1", "1.2", "0.9"],
  );
  assert.equal(parseTagVersion("1.x"), undefined);
});

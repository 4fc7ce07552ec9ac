import assert from "node:assert/strict";
import { jsonErrorPosition } from "./_json_error.ts";

Deno.test("jsonErrorPosition() finds the first invalid character", () => {
  assert.deepEqual(jsonErrorPosition('{\n  "hosts": x\n}'), { offset: 13, line: 2, column: 12 });
  assert.deepEqual(jsonErrorPosition('{"a":1,}'), { offset: 7, line: 1, column: 8 });
  assert.deepEqual(jsonErrorPosition("[1 2]"), { offset: 3, line: 1, column: 4 });
  assert.deepEqual(jsonErrorPosition('{"a":"\\q"}'), { offset: 7, line: 1, column: 8 });
  assert.deepEqual(jsonErrorPosition("{} x"), { offset: 3, line: 1, column: 4 });
});

Deno.test("jsonErrorPosition() points at the end of a truncated text", () => {
  assert.deepEqual(jsonErrorPosition('{"a": [1,'), { offset: 9, line: 1, column: 10 });
  assert.deepEqual(jsonErrorPosition(""), { offset: 0, line: 1, column: 1 });
  assert.deepEqual(jsonErrorPosition('"abc'), { offset: 4, line: 1, column: 5 });
});

import assert from "node:assert/strict";
import { goJson } from "./go_json.ts";
import { GoTime } from "./go_time.ts";

Deno.test("goJson() encodes compactly without HTML escaping", () => {
  assert.equal(
    goJson({ a: "<&>", b: [1, 2.5, null], c: true }),
    '{"a":"<&>","b":[1,2.5,null],"c":true}',
  );
  assert.equal(goJson("\u2028"), '"\\u2028"');
  assert.equal(goJson(undefined), "null");
});

Deno.test("goJson() indents like json.MarshalIndent with empty containers inline", () => {
  assert.equal(
    goJson({ a: [], b: {}, c: [1] }, "  "),
    '{\n  "a": [],\n  "b": {},\n  "c": [\n    1\n  ]\n}',
  );
});

Deno.test("goJson() sorts Map keys, drops undefined and functions, base64s bytes", () => {
  assert.equal(goJson(new Map([["b", 1], ["a", 2]])), '{"a":2,"b":1}');
  assert.equal(goJson({ u: undefined, f: () => 1, k: 1 }), '{"k":1}');
  assert.equal(goJson(new Uint8Array([104, 105])), '"aGk="');
  assert.equal(goJson(12n), "12");
});

Deno.test("goJson() honours toJSON (Date, GoTime)", () => {
  assert.equal(goJson(new Date(Date.UTC(2020, 0, 1))), '"2020-01-01T00:00:00.000Z"');
  assert.equal(goJson(new GoTime(Date.UTC(2020, 0, 1))), '"2020-01-01T00:00:00Z"');
});

Deno.test("goJson() rejects NaN, Infinity and cycles", () => {
  assert.throws(() => goJson(NaN), TypeError);
  assert.throws(() => goJson([Infinity]), TypeError);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.throws(() => goJson(loop), TypeError);
});

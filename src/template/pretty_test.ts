import assert from "node:assert/strict";
import { jsonCompact, jsonPretty, printPretty } from "./pretty.ts";

Deno.test("printPretty() prefers marshalPretty or MarshalPretty", () => {
  assert.equal(printPretty({ marshalPretty: () => "custom\n" }), "custom\n");
  assert.equal(printPretty({ MarshalPretty: () => new TextEncoder().encode("bytes") }), "bytes");
});

Deno.test("printPretty() gives an empty string when marshalPretty throws", () => {
  assert.equal(
    printPretty({
      marshalPretty: () => {
        throw new Error("x");
      },
    }),
    "",
  );
});

Deno.test("printPretty() falls back to indented JSON with a newline", () => {
  assert.equal(printPretty(["a"]), '[\n  "a"\n]\n');
  assert.equal(jsonPretty({ a: 1 }), '{\n  "a": 1\n}\n');
  assert.equal(jsonCompact({ a: 1 }), '{"a":1}\n');
});

Deno.test("jsonCompact() and jsonPretty() give an empty string for unencodable values", () => {
  assert.equal(jsonCompact(NaN), "");
  assert.equal(jsonPretty({ x: Infinity }), "");
});

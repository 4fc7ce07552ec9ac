import assert from "node:assert/strict";
import { ApiError } from "./errors_body.ts";
import { asciiOrder, digestParam, jsonResponse } from "./_serve_state.ts";

Deno.test("asciiOrder() sorts by code unit, upper case first", () => {
  assert.deepEqual(["b", "B", "a"].sort(asciiOrder), ["B", "a", "b"]);
});

Deno.test("digestParam() answers a malformed digest with a 400 ApiError", () => {
  assert.equal(digestParam(`sha256:${"a".repeat(64)}`).algorithm, "sha256");
  assert.throws(() => digestParam("sha256:xyz"), ApiError);
});

Deno.test("jsonResponse() sets the length and leaves the body out for HEAD", async () => {
  const res = jsonResponse(200, { a: 1 });
  assert.equal(res.headers.get("content-length"), "7");
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal(await res.text(), '{"a":1}');
  assert.equal(jsonResponse(200, {}, {}, true).body, null);
});

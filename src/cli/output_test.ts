import assert from "node:assert/strict";
import { isErrorCode, UsageError } from "../errors.ts";
import { formatOutput, type Formattable, lineList } from "./output.ts";

const full: Formattable & { Digest: string } = {
  Digest: "sha256:x",
  marshalPretty: () => "pretty\n",
  toJSON: () => ({ a: [1] }),
  RawBody: () => new TextEncoder().encode("BODY"),
  RawHeaders: () => ({ "Content-Type": ["t"], "Content-Length": ["4"] }),
};

Deno.test("formatOutput() handles the raw shortcuts", () => {
  const dec = (v: string | Uint8Array) => typeof v === "string" ? v : new TextDecoder().decode(v);
  assert.equal(dec(formatOutput(full, "raw")), "Content-Length: 4\nContent-Type: t\n\nBODY");
  for (const f of ["raw-body", "rawBody", "body"]) assert.equal(dec(formatOutput(full, f)), "BODY");
  for (const f of ["raw-headers", "rawHeaders", "headers"]) {
    assert.equal(formatOutput(full, f), "Content-Length: 4\nContent-Type: t\n");
  }
});

Deno.test("formatOutput() handles the default templates", () => {
  assert.equal(formatOutput(full, "{{printPretty .}}"), "pretty\n");
  assert.equal(formatOutput(full, "{{ printPretty . }}"), "pretty\n");
  assert.equal(formatOutput(full, "{{json .}}"), '{"a":[1]}\n');
  assert.equal(formatOutput(full, "{{jsonPretty .}}"), '{\n  "a": [\n    1\n  ]\n}\n');
  assert.equal(formatOutput(full, "{{.Digest}}"), "sha256:x");
  assert.equal(formatOutput(full, '{{env "X"}}', { env: { X: "y" } }), "y");
  assert.equal(formatOutput(full, '{{file "f"}}', { readFile: (p) => `read ${p}` }), "read f");
  assert.equal(formatOutput(full, "{{println .Digest}}"), "sha256:x\n");
});

Deno.test("formatOutput() refuses bad templates and missing bodies with typed errors", () => {
  const bare = lineList(["a"], ["a"]);
  for (const [v, f] of [[bare, "raw-body"], [bare, "headers"]] as const) {
    assert.throws(() => formatOutput(v, f), (e: unknown) => e instanceof UsageError, f);
  }
  for (const f of ["{{.Digest", "{{nope .}}", "{{if}}"]) {
    assert.throws(() => formatOutput(full, f), (e: unknown) => isErrorCode(e, "TEMPLATE"), f);
  }
  assert.equal(bare.marshalPretty(), "a\n");
});

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

Deno.test("formatOutput() handles the raw shortcuts", async () => {
  const dec = (v: string | Uint8Array) => typeof v === "string" ? v : new TextDecoder().decode(v);
  assert.equal(dec(await formatOutput(full, "raw")), "Content-Length: 4\nContent-Type: t\n\nBODY");
  for (const f of ["raw-body", "rawBody", "body"]) {
    assert.equal(dec(await formatOutput(full, f)), "BODY");
  }
  for (const f of ["raw-headers", "rawHeaders", "headers"]) {
    assert.equal(await formatOutput(full, f), "Content-Length: 4\nContent-Type: t\n");
  }
});

Deno.test("formatOutput() handles the default templates", async () => {
  assert.equal(await formatOutput(full, "{{printPretty .}}"), "pretty\n");
  assert.equal(await formatOutput(full, "{{ printPretty . }}"), "pretty\n");
  assert.equal(await formatOutput(full, "{{json .}}"), '{"a":[1]}\n');
  assert.equal(await formatOutput(full, "{{jsonPretty .}}"), '{\n  "a": [\n    1\n  ]\n}\n');
  assert.equal(await formatOutput(full, "{{.Digest}}"), "sha256:x");
  assert.equal(await formatOutput(full, '{{env "X"}}', { env: { X: "y" } }), "y");
  assert.equal(
    await formatOutput(full, '{{file "f"}}', { readFile: (p) => `read ${p}` }),
    "read f",
  );
  assert.equal(await formatOutput(full, "{{println .Digest}}"), "sha256:x\n");
});

Deno.test("formatOutput() refuses bad templates and missing bodies with typed errors", async () => {
  const bare = lineList(["a"], ["a"]);
  for (const [v, f] of [[bare, "raw-body"], [bare, "headers"]] as const) {
    await assert.rejects(formatOutput(v, f), (e: unknown) => e instanceof UsageError, f);
  }
  for (const f of ["{{.Digest", "{{nope .}}", "{{if}}"]) {
    await assert.rejects(formatOutput(full, f), (e: unknown) => isErrorCode(e, "TEMPLATE"), f);
  }
  assert.equal(bare.marshalPretty(), "a\n");
});

import assert from "node:assert/strict";
import { executeTree } from "./exec.ts";
import type { FuncEnv } from "./funcs.ts";
import { parse } from "./parser.ts";
import { TemplateError } from "./template_error.ts";

const ENV: FuncEnv = { env: {}, readFile: undefined, now: () => new Date(0) };

function run(
  text: string,
  data: unknown,
  funcs: Record<string, (...a: unknown[]) => unknown> = {},
) {
  const tree = parse(text, (n) => n in funcs || ["len", "and", "or", "print"].includes(n));
  return executeTree(text, tree, funcs, data, ENV);
}

Deno.test("executeTree() short-circuits and/or like Go 1.18+", () => {
  let calls = 0;
  const boom = () => {
    calls++;
    return "x";
  };
  assert.equal(run("{{and 0 boom}}{{or 1 boom}}", {}, { boom }), "01");
  assert.equal(calls, 0);
  assert.equal(run("{{0 | or boom}}", {}, { boom }), "x");
  assert.equal(calls, 1);
});

Deno.test("executeTree() restores variables after if/with/range bodies", () => {
  assert.equal(run("{{$v := 1}}{{range .}}{{$v := .}}{{end}}{{$v}}", [5, 6]), "1");
  assert.equal(run("{{$v := 1}}{{range .}}{{$v = .}}{{end}}{{$v}}", [5, 6]), "6");
  assert.equal(
    run("{{range $i, $e := .}}{{$i}}{{end}}{{range $e := .}}{{$e}}{{end}}", ["a"]),
    "0a",
  );
});

Deno.test("executeTree() binds $ to the data passed to a template call", () => {
  assert.equal(run('{{define "t"}}{{$}}{{end}}{{template "t" .A}}', { A: "inner" }), "inner");
});

Deno.test("executeTree() stops with a TemplateError rather than a stack overflow on recursion", () => {
  assert.throws(
    () => run('{{define "r"}}x{{template "r"}}{{end}}{{template "r"}}', {}),
    TemplateError,
  );
});

Deno.test("executeTree() calls function-valued properties as methods with their receiver", () => {
  const obj = {
    name: "n",
    Name(this: { name: string }) {
      return this.name.toUpperCase();
    },
  };
  assert.equal(run("{{.Name}}", obj), "N");
});

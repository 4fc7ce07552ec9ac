import assert from "node:assert/strict";
import { lex, positionOf } from "./lexer.ts";
import { TemplateError } from "./template_error.ts";

function kinds(text: string): string[] {
  return lex(text).map((t) => `${t.type}:${t.val}`);
}

Deno.test("lex() splits text and action tokens", () => {
  assert.deepEqual(kinds('a{{.X.y | printf "%d" $v}}b'), [
    "text:a",
    "leftDelim:{{",
    "field:.X",
    "field:.y",
    "space: ",
    "pipe:|",
    "space: ",
    "identifier:printf",
    "space: ",
    'string:"%d"',
    "space: ",
    "variable:$v",
    "rightDelim:}}",
    "text:b",
    "eof:",
  ]);
});

Deno.test("lex() recognises keywords, literals, declarations and parens", () => {
  assert.deepEqual(
    kinds("{{range $i, $e := (index . 1)}}{{end}}").filter((k) => !k.startsWith("space")),
    [
      "leftDelim:{{",
      "keyword:range",
      "variable:$i",
      "comma:,",
      "variable:$e",
      "declare::=",
      "leftParen:(",
      "identifier:index",
      "dot:.",
      "number:1",
      "rightParen:)",
      "rightDelim:}}",
      "leftDelim:{{",
      "keyword:end",
      "rightDelim:}}",
      "eof:",
    ],
  );
  assert.deepEqual(
    kinds("{{true nil 'x' `r` -1.5e3 0x1F}}").filter((k) => !k.startsWith("space")).slice(1, -2),
    ["bool:true", "nil:nil", "charConst:'x'", "string:`r`", "number:-1.5e3", "number:0x1F"],
  );
});

Deno.test("lex() applies trim markers and drops comments", () => {
  assert.deepEqual(kinds("a \n{{- 1 -}}\n b"), [
    "text:a",
    "leftDelim:{{",
    "number:1",
    "rightDelim:}}",
    "text:b",
    "eof:",
  ]);
  assert.deepEqual(kinds("x {{- /* c\n */ -}} y{{/**/}}"), ["text:x", "text:y", "eof:"]);
  assert.deepEqual(kinds("{{-1}}").slice(1, 2), ["number:-1"]);
});

Deno.test("lex() allows newlines inside actions", () => {
  assert.deepEqual(kinds("{{\n.A\n}}").filter((k) => !k.startsWith("space")), [
    "leftDelim:{{",
    "field:.A",
    "rightDelim:}}",
    "eof:",
  ]);
});

Deno.test("lex() rejects broken input with a TemplateError at the right place", () => {
  const bad: [string, number, number][] = [
    ["{{.A", 1, 1],
    ["x\n{{/* no end", 2, 1],
    ["{{'ab\n'}}", 1, 3],
    ["{{`open}}", 1, 3],
    ["{{a:b}}", 1, 4],
    ["{{1x}}", 1, 3],
    ["{{@}}", 1, 3],
    ["{{)}}", 1, 3],
    ["{{(}}", 1, 4],
  ];
  for (const [text, line, col] of bad) {
    assert.throws(() => lex(text), (err: unknown) => {
      assert.ok(err instanceof TemplateError, text);
      assert.deepEqual([err.line, err.col], [line, col], text);
      return true;
    });
  }
});

Deno.test("positionOf() counts lines and columns from 1", () => {
  assert.deepEqual(positionOf("ab\ncd", 0), { line: 1, col: 1 });
  assert.deepEqual(positionOf("ab\ncd", 4), { line: 2, col: 2 });
  assert.deepEqual(positionOf("ab", 99), { line: 1, col: 3 });
});

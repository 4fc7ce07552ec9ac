import assert from "node:assert/strict";
import { parse } from "./parser.ts";
import { TemplateError } from "./template_error.ts";

const known = (name: string) => ["printf", "len", "index"].includes(name);

Deno.test("parse() builds actions with merged field chains and pipelines", () => {
  const tree = parse('{{.A.B | printf "%v"}}', known);
  const node = tree.root[0];
  assert.equal(node?.kind, "action");
  if (node?.kind !== "action") return;
  assert.equal(node.pipe.cmds.length, 2);
  assert.deepEqual(node.pipe.cmds[0]?.args[0], { kind: "field", pos: 2, ident: ["A", "B"] });
  assert.equal(node.pipe.cmds[1]?.args[0]?.kind, "identifier");
});

Deno.test("parse() turns else-if into a nested if and collects defines", () => {
  const text = '{{if .A}}a{{else if .B}}b{{end}}{{define "x"}}X{{end}}';
  const tree = parse(text, known);
  const node = tree.root[0];
  assert.equal(node?.kind, "if");
  if (node?.kind !== "if") return;
  assert.equal(node.elseList?.[0]?.kind, "if");
  assert.equal(tree.root.length, 1);
  assert.deepEqual(tree.defines.get("x"), [{
    kind: "text",
    pos: text.indexOf("X{{end}}"),
    text: "X",
  }]);
});

Deno.test("parse() builds chains on parenthesised pipelines and variables", () => {
  const text = "{{$x := .}}{{(index $x 0).Name}}{{$x.A.B}}";
  const tree = parse(text, known);
  const chain = tree.root[1];
  assert.equal(chain?.kind, "action");
  if (chain?.kind === "action") {
    const arg = chain.pipe.cmds[0]?.args[0];
    assert.equal(arg?.kind, "chain");
    if (arg?.kind === "chain") assert.deepEqual(arg.field, ["Name"]);
  }
  const v = tree.root[2];
  if (v?.kind === "action") {
    assert.deepEqual(v.pipe.cmds[0]?.args[0], {
      kind: "variable",
      pos: text.indexOf("$x.A"),
      ident: ["$x", "A", "B"],
    });
  }
});

Deno.test("parse() scopes variables to their control structure", () => {
  parse("{{with $x := 1}}{{$x}}{{else}}{{$x}}{{end}}", known);
  assert.throws(() => parse("{{with $x := 1}}{{end}}{{$x}}", known), TemplateError);
  assert.throws(() => parse('{{$x := 1}}{{define "d"}}{{$x}}{{end}}', known), TemplateError);
});

Deno.test("parse() decodes string, raw string and character literals", () => {
  const tree = parse("{{printf \"\\x41\\u00e9\\t\\101\" `a\\n` '\\n'}}", known);
  const node = tree.root[0];
  if (node?.kind !== "action") throw new Error("not an action");
  const args = node.pipe.cmds[0]?.args.slice(1).map((a) => "value" in a ? a.value : undefined);
  assert.deepEqual(args, ["Aé\tA", "a\\n", 10]);
});

Deno.test("parse() rejects misuse of control keywords", () => {
  const bad = [
    "{{if .A}}{{else}}{{else}}{{end}}",
    "{{range .}}{{end}}{{continue}}",
    '{{define "x"}}{{else}}{{end}}',
    '{{template "x" }} {{template}}',
    "{{end 1}}",
    "{{with}}{{end}}",
    "{{$x, $y := .}}",
    "{{1.2.3}}",
    '{{"\\q"}}',
    "{{''}}",
    "{{$x}}",
  ];
  for (const text of bad) assert.throws(() => parse(text, known), TemplateError, text);
});

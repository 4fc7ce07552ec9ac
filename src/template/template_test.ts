import assert from "node:assert/strict";
import { parseTemplate, renderFormat, Template, TemplateError } from "./template.ts";
import { ErrorCode, OciError } from "../errors.ts";

function assertTemplateError(fn: () => unknown, line: number, col: number): TemplateError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof TemplateError, `expected TemplateError, got ${caught}`);
  assert.ok(caught instanceof OciError);
  assert.equal(caught.code, ErrorCode.TEMPLATE);
  assert.equal(caught.line, line);
  assert.equal(caught.col, col);
  return caught;
}

Deno.test("parseTemplate() returns a Template that runs many times with different data", () => {
  const t = parseTemplate("{{.Name}}:{{len .Tags}}");
  assert.ok(t instanceof Template);
  assert.equal(t.text, "{{.Name}}:{{len .Tags}}");
  assert.equal(t.execute({ Name: "a", Tags: ["x"] }), "a:1");
  assert.equal(t.execute({ Name: "b", Tags: [] }), "b:0");
});

Deno.test("parseTemplate() rejects an unknown function even in a branch never run", () => {
  assertTemplateError(() => parseTemplate("{{if false}}{{nope}}{{end}}"), 1, 15);
});

Deno.test("parseTemplate() accepts caller functions and passes arguments in order", () => {
  const t = parseTemplate('{{repeat "ab" 3}}|{{"x" | repeat "y"}}', {
    funcs: { repeat: (s: unknown, n: unknown) => String(s).repeat(typeof n === "number" ? n : 1) },
  });
  assert.equal(t.execute(null), "ababab|y");
});

Deno.test("parseTemplate() caller functions override built-ins", () => {
  const t = parseTemplate('{{upper "a"}}', { funcs: { upper: () => "custom" } });
  assert.equal(t.execute({}), "custom");
});

Deno.test("Template.execute() call invokes a function value returned by a caller function", () => {
  const t = parseTemplate("{{call mul 6 7}}", {
    funcs: { mul: () => (a: unknown, b: unknown) => Number(a) * Number(b) },
  });
  assert.equal(t.execute({}), "42");
});

Deno.test("Template.execute() passes a missing value to functions as null (Go nil)", () => {
  const seen: unknown[] = [];
  const t = parseTemplate("{{spy .missing}}", {
    funcs: { spy: (v: unknown) => (seen.push(v), "ok") },
  });
  assert.equal(t.execute({}), "ok");
  assert.deepEqual(seen, [null]);
});

Deno.test("Template.execute() wraps a throwing caller function in a TemplateError with cause", () => {
  const boom = new Error("boom");
  const t = parseTemplate("\n  {{fail}}", {
    funcs: {
      fail: () => {
        throw boom;
      },
    },
  });
  const err = assertTemplateError(() => t.execute({}), 2, 5);
  assert.equal(err.cause, boom);
});

Deno.test("Template.execute() rethrows a TemplateError raised by a nested function unchanged", () => {
  const inner = parseTemplate("{{nope 1}}", { funcs: { nope: () => "" } });
  const t = parseTemplate("{{run}}", { funcs: { run: () => inner.execute({ x: 1 }) + "x" } });
  assert.equal(t.execute({}), "x");
});

Deno.test("Template.execute() does not call methods of Object.prototype", () => {
  assert.equal(renderFormat("{{.constructor}}|{{.toString}}", {}), "<no value>|<no value>");
  class K {
    Name = "k";
  }
  assert.equal(renderFormat("{{.constructor}}", new K()), "<no value>");
});

Deno.test("Template.execute() reads getters and prototype methods of class instances", () => {
  class Desc {
    #d = "sha256:x";
    get Digest(): string {
      return this.#d;
    }
    Short(n: unknown): string {
      return this.#d.slice(0, Number(n));
    }
  }
  assert.equal(renderFormat("{{.Digest}} {{.Short 6}}", new Desc()), "sha256:x sha256");
});

Deno.test("Template.execute() prints Date values like Go's time.Time", () => {
  assert.equal(
    renderFormat('{{.T}}|{{.T.Format "2006"}}', { T: new Date(Date.UTC(2021, 4, 6, 7, 8, 9)) }),
    "2021-05-06 07:08:09 +0000 UTC|2021",
  );
});

Deno.test("renderFormat() leaves the data untouched", () => {
  const data = { a: [3, 1, 2], m: { b: 1, a: 2 } };
  const copy = structuredClone(data);
  renderFormat("{{range .a}}{{.}}{{end}}{{range $k, $v := .m}}{{$k}}{{end}}{{json .}}", data);
  assert.deepEqual(data, copy);
});

Deno.test("TemplateError carries its class name and the problem detail", () => {
  const err = assertTemplateError(() => renderFormat("{{.A", {}), 1, 1);
  assert.equal(err.name, "TemplateError");
  assert.ok(err.detail.length > 0);
});

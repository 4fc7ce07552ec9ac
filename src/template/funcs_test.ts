import assert from "node:assert/strict";
import { BUILTIN_FUNCS, type FuncEnv, FuncError, TimeFuncs } from "./funcs.ts";

const ENV: FuncEnv = { env: {}, readFile: undefined, now: () => new Date(0) };

function call(name: string, ...args: unknown[]): unknown {
  const def = BUILTIN_FUNCS[name];
  if (def === undefined) throw new Error(`no ${name}`);
  return def.fn(ENV, args);
}

Deno.test("BUILTIN_FUNCS has Go's built-ins and regclient's functions", () => {
  for (
    const name of [
      "and",
      "or",
      "not",
      "len",
      "index",
      "slice",
      "print",
      "printf",
      "println",
      "html",
      "js",
      "urlquery",
      "call",
      "eq",
      "ne",
      "lt",
      "le",
      "gt",
      "ge",
      "default",
      "env",
      "file",
      "join",
      "json",
      "jsonPretty",
      "printPretty",
      "lower",
      "upper",
      "split",
      "time",
      "trimSpace",
      "title",
    ]
  ) assert.ok(BUILTIN_FUNCS[name] !== undefined, name);
});

Deno.test("eq/ne/lt/le/gt/ge compare basic kinds and reject mixed kinds", () => {
  assert.equal(call("eq", 1, 2, 1), true);
  assert.equal(call("eq", null, "x"), false);
  assert.equal(call("eq", null, null), true);
  assert.equal(call("eq", 2n, 2), true);
  assert.equal(call("ne", "a", "a"), false);
  assert.equal(call("le", "a", "b"), true);
  assert.equal(call("gt", 2, 1.5), true);
  assert.equal(call("ge", 1, 1), true);
  assert.throws(() => call("eq", 1, "1"), FuncError);
  assert.throws(() => call("lt", null, 1), FuncError);
  assert.throws(() => call("lt", [1], [2]), FuncError);
  assert.throws(() => call("eq", {}, {}), FuncError);
});

Deno.test("index treats missing keys of string maps as empty strings", () => {
  assert.equal(call("index", { a: "x" }, "b"), "");
  assert.equal(call("index", { a: 1 }, "b"), undefined);
  assert.equal(call("index", undefined, "b"), "");
  assert.equal(call("index", new Map([["k", "v"]]), "k"), "v");
  assert.throws(() => call("index", null, 0), FuncError);
  assert.throws(() => call("index", [1], -1), FuncError);
  assert.throws(() => call("index", [1], "a"), FuncError);
});

Deno.test("slice follows Go bounds rules", () => {
  assert.deepEqual(call("slice", [1, 2, 3], 1, 2), [2]);
  assert.equal(call("slice", "héllo", 0, 3), "hé");
  assert.throws(() => call("slice", "abc", 0, 1, 2), FuncError);
  assert.throws(() => call("slice", [1], 2), FuncError);
  assert.throws(() => call("slice", 5, 0), FuncError);
});

Deno.test("default returns the fallback for zero values only", () => {
  assert.equal(call("default", "d", null), "d");
  assert.equal(call("default", "d", ""), "d");
  assert.equal(call("default", "d", 0), "d");
  assert.equal(call("default", "d", []), "d");
  assert.equal(call("default", "d", "v"), "v");
  assert.equal(call("default", "d", false), "d");
});

Deno.test("string helpers check their argument types", () => {
  assert.equal(call("title", "a-b c_d"), "A-B C_d");
  assert.deepEqual(call("split", "a", ","), ["a"]);
  assert.deepEqual(call("split", "日本", ""), ["日", "本"]);
  assert.throws(() => call("lower", 1), FuncError);
  assert.throws(() => call("join", "ab", ","), FuncError);
  assert.throws(() => call("env", 3), FuncError);
});

Deno.test("TimeFuncs uses the injected clock and reports parse failures", () => {
  const tf = new TimeFuncs(() => new Date(86_400_000));
  assert.equal(tf.Now().Format("2006-01-02"), "1970-01-02");
  assert.equal(tf.Parse("2006", "1999").Year(), 1999);
  assert.throws(() => tf.Parse("2006", "x"), FuncError);
  assert.throws(() => tf.Parse(1, "x"), FuncError);
});

import assert from "node:assert/strict";
import { _tabwrite } from "./_tabwriter.ts";

Deno.test("_tabwrite() aligns a column block to the widest cell plus one", () => {
  assert.equal(_tabwrite("a:\t1\nlonger:\t2\n\t\n"), "a:      1\nlonger: 2\n        \n");
});

Deno.test("_tabwrite() starts a new block after a line without tabs", () => {
  assert.equal(_tabwrite("a:\t1\nplain\nlonger:\t2\n"), "a: 1\nplain\nlonger: 2\n");
});

Deno.test("_tabwrite() aligns nested columns", () => {
  assert.equal(_tabwrite("a\tb\tc\nxx\ty\tz\n"), "a  b c\nxx y z\n");
});

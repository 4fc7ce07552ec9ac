import assert from "node:assert/strict";
import { compileArgs, TARGETS } from "./compile.ts";

Deno.test("compileArgs() names one output per target and compiles main.ts", () => {
  const outs = new Set(TARGETS.map((t) => compileArgs(t).at(-2)));
  assert.equal(outs.size, TARGETS.length);
  for (const t of TARGETS) {
    const args = compileArgs(t);
    assert.equal(args.at(-1), "main.ts");
    assert.ok(args.includes("--frozen"));
    assert.equal(args[args.indexOf("--target") + 1], t);
  }
  assert.ok(compileArgs("x86_64-pc-windows-msvc").at(-2)?.endsWith(".exe"));
  assert.equal(compileArgs(undefined).at(-2), "ocictl");
});

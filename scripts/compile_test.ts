import assert from "node:assert/strict";
import { compileArgs, TARGETS, V8_FLAGS, WORKER_MODULES } from "./compile.ts";

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

Deno.test("compileArgs() includes every worker module, and each exists", async () => {
  const args = compileArgs(undefined);
  for (const m of WORKER_MODULES) {
    assert.equal(args[args.indexOf(m) - 1], "--include");
    assert.ok((await Deno.stat(new URL(`../${m}`, import.meta.url))).isFile);
  }
  assert.ok(WORKER_MODULES.includes("src/transport/ocidir/hash_worker.ts"));
});

Deno.test("V8_FLAGS are flags this V8 accepts, and compileArgs() bakes them in", async () => {
  assert.ok(compileArgs(undefined).includes(`--v8-flags=${V8_FLAGS}`));
  // main.ts as the binary runs it: modules behind import() loaded on use, the binary's V8 flags.
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-lazy-dynamic-imports",
      `--v8-flags=${V8_FLAGS}`,
      new URL("../main.ts", import.meta.url).pathname,
      "version",
      "--format",
      "{{.VCSTag}}",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
  assert.match(new TextDecoder().decode(out.stdout), /^v\d+\.\d+\.\d+/);
});

import assert from "node:assert/strict";
import { BUNDLE_DIR, bundledName, WORKER_MODULES } from "./bundle.ts";
import { compileArgs, runArgs, TARGETS, V8_FLAGS } from "./compile.ts";

Deno.test("compileArgs() names one output per target and compiles the bundle of main.ts", () => {
  const outs = new Set(TARGETS.map((t) => compileArgs(t).at(-2)));
  assert.equal(outs.size, TARGETS.length);
  for (const t of TARGETS) {
    const args = compileArgs(t);
    assert.equal(args.at(-1), `${BUNDLE_DIR}/main.js`);
    assert.ok(args.includes("--frozen"));
    assert.equal(args[args.indexOf("--target") + 1], t);
  }
  assert.ok(compileArgs("x86_64-pc-windows-msvc").at(-2)?.endsWith(".exe"));
  assert.equal(compileArgs(undefined).at(-2), "ocictl");
});

Deno.test("compileArgs() includes every worker module's bundled entry, and each source exists", async () => {
  const args = compileArgs(undefined);
  for (const m of WORKER_MODULES) {
    assert.equal(args[args.indexOf(`${BUNDLE_DIR}/${bundledName(m)}`) - 1], "--include");
    assert.ok((await Deno.stat(new URL(`../${m}`, import.meta.url))).isFile);
  }
  assert.ok(WORKER_MODULES.includes("src/transport/ocidir/hash_worker.ts"));
});

Deno.test("V8_FLAGS are flags this V8 accepts, and compileArgs() bakes them in", async () => {
  assert.ok(compileArgs(undefined).includes(`--v8-flags=${V8_FLAGS}`));
  assert.ok(runArgs("x.js").includes(`--v8-flags=${V8_FLAGS}`));
  // main.ts as the binary runs it: modules behind import() loaded on use, the binary's V8 flags.
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      ...runArgs(new URL("../main.ts", import.meta.url).pathname),
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

Deno.test("compileArgs() includes every chunk it is given once, workers too, and not the entry", () => {
  const worker = bundledName(WORKER_MODULES[0]!);
  const args = compileArgs(undefined, ["main.js", "chunk-A.js", "tag-B.js", worker]);
  const included = args.flatMap((a, i) => args[i - 1] === "--include" ? [a] : []);
  assert.deepEqual(
    included.sort(),
    [`${BUNDLE_DIR}/chunk-A.js`, `${BUNDLE_DIR}/tag-B.js`, `${BUNDLE_DIR}/${worker}`].sort(),
  );
  assert.equal(args.at(-1), `${BUNDLE_DIR}/main.js`);
});

Deno.test("a plain `deno run main.ts version` reads no other verb's modules (lazy-dynamic-imports in deno.json)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "-L", "debug", "main.ts", "version", "--format", "{{.VCSTag}}"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
  const fetched = [...err.matchAll(/fetch\S* - specifier: file:\/\/(\S+)/g)].map((m) => m[1]!);
  assert.ok(
    fetched.some((f) => f.endsWith("/plugins/version.ts")),
    "the log names fetched modules",
  );
  const others = fetched.filter((f) => /\/plugins\/(?!mod\.ts$|version\.ts$)/.test(f));
  assert.deepEqual(others, []);
});

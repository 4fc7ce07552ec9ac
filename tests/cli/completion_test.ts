import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";

Deno.test("completion prints a script per shell that calls __complete", async () => {
  for (const shell of ["bash", "zsh", "fish", "powershell"]) {
    const r = await runCli(["completion", shell]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ocictl'? __complete --/, shell);
  }
  const bad = await runCli(["completion", "tcsh"]);
  assert.equal(bad.code, 2);
});

Deno.test("__complete walks the command tree", async () => {
  const cases: { words: string[]; want: string[] }[] = [
    { words: ["ta"], want: ["tag"] },
    { words: ["tag", ""], want: ["ls", "rm"] },
    { words: ["-v", "debug", "manifest", "g"], want: ["get"] },
    { words: ["tag", "ls", "--in"], want: ["--include"] },
    { words: ["tag", "ls", "--ver"], want: ["--verbosity"] },
    { words: ["blob", "get", ""], want: [] },
  ];
  for (const c of cases) {
    const r = await runCli(["__complete", "--", ...c.words]);
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.split("\n").filter((l) => l !== "");
    if (c.want.length === 0) {
      assert.deepEqual(got, [], c.words.join(" "));
    } else {
      for (const w of c.want) assert.ok(got.includes(w), `${c.words.join(" ")} → ${got}`);
    }
  }
  const top = await runCli(["__complete", "--", ""]);
  assert.ok(!top.stdout.includes("__complete"));
});

Deno.test("hidden helpers stay out of completion and root help", async () => {
  const top = await runCli(["__complete", "--", ""]);
  const got = top.stdout.split("\n");
  assert.ok(got.includes("tag"));
  assert.ok(!got.includes("digest") && !got.includes("ref"), top.stdout);
  const help = await runCli(["--help"]);
  assert.doesNotMatch(help.stdout, /^\s+(digest|ref)\b/m);
});

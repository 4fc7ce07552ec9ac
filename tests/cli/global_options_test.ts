import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { lineCount, withLayout } from "./_layout.ts";

Deno.test("global flags are accepted before and after the verb", async () => {
  await withLayout(async ({ base }) => {
    const cases = [
      ["-v", "info", "tag", "ls", base],
      ["tag", "ls", base, "--verbosity", "error"],
      [
        "--host",
        "reg=localhost:5000,tls=disabled",
        "--host",
        "reg=x.io,user=u,pass=p",
        "tag",
        "ls",
        base,
      ],
      ["--user-agent", "test/1", "tag", "ls", base],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(r.stdout.includes("v1\n"));
    }
  });
});

Deno.test("bad global flags exit 2 with one stderr line", async () => {
  const cases = [
    ["-v", "loud", "version"],
    ["--logopt", "yaml", "version"],
    ["--host", "tls=disabled", "version"],
    ["--host", "reg=x,tls=maybe", "version"],
    ["--host", "reg=x,color=red", "version"],
    ["--verbosity"],
  ];
  for (const args of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(lineCount(r.stderr), 1, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
  }
});

Deno.test("--logopt json writes JSON log records to stderr only", async () => {
  await withLayout(async ({ base }) => {
    const r = await runCli(["-v", "debug", "--logopt", "json", "tag", "ls", base]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.trimEnd().split("\n");
    assert.ok(lines.length > 0);
    for (const l of lines) {
      const rec = JSON.parse(l) as { level: string };
      assert.equal(rec.level, "debug");
    }
    assert.ok(!r.stdout.includes("{"));
  });
});

Deno.test("help and unknown verbs: help exits 0, unknown verb exits 2", async () => {
  const h = await runCli(["--help"]);
  assert.equal(h.code, 0);
  for (const verb of ["blob", "image", "manifest", "tag", "version", "completion"]) {
    assert.match(h.stdout, new RegExp(`^  ${verb}`, "m"), verb);
  }
  const sub = await runCli(["help", "tag"]);
  assert.equal(sub.code, 0, sub.stderr);
  assert.match(sub.stdout, /ls\|list/);
  const u = await runCli(["frob"]);
  assert.equal(u.code, 2);
  assert.equal(lineCount(u.stderr), 1);
});

Deno.test("an aborted signal exits 130", async () => {
  await withLayout(async ({ base }) => {
    const c = new AbortController();
    c.abort();
    const r = await runCli(["tag", "ls", base], { signal: c.signal });
    assert.equal(r.code, 130);
    assert.equal(lineCount(r.stderr), 1);
  });
});

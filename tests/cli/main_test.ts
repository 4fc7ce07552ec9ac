import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { lineCount, withLayout } from "./_layout.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function spawn(
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}main.ts`, ...args],
    cwd: ROOT,
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  });
  const child = cmd.spawn();
  if (stdin) {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("main.ts exits 0 and keeps results on stdout, logs on stderr", async () => {
  await withLayout(async ({ base }) => {
    const r = await spawn(["-v", "debug", "--logopt", "json", "tag", "ls", base]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split("\n").includes("v1"));
    const logs = r.stderr.trimEnd().split("\n");
    assert.ok(logs.length >= 1);
    for (const l of logs) assert.equal(typeof (JSON.parse(l) as { msg: string }).msg, "string");
  });
});

Deno.test("main.ts exits 2 on an unknown verb, an unknown flag and a bad reference", async () => {
  const cases = [["frobnicate"], ["--bogus", "tag", "ls", "ocidir://x"], ["tag", "ls", "A:B:C"]];
  for (const args of cases) {
    const r = await spawn(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(lineCount(r.stderr), 1, r.stderr);
    assert.match(r.stderr, /^ocictl: Cannot /);
    assert.equal(r.stdout, "");
  }
});

Deno.test("main.ts exits 1 on a runtime error with one line, a stack only at -v debug", async () => {
  const r = await spawn(["tag", "ls", "ocidir:///nonexistent/ocictl/layout"]);
  assert.equal(r.code, 1);
  assert.equal(lineCount(r.stderr), 1);
  const d = await spawn(["-v", "debug", "tag", "ls", "ocidir:///nonexistent/ocictl/layout"]);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /\n\s+at /);
});

Deno.test("main.ts reads manifest put bodies from stdin", async () => {
  await withLayout(async ({ base }) => {
    const body = new TextEncoder().encode(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
    );
    const r = await spawn(["manifest", "put", "--by-digest", base], body);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
  });
});

Deno.test("root --help loads no verb module and tag ls --help only tag.ts", async () => {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${ROOT}scripts/check_startup.ts`],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
});

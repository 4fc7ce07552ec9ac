/**
 * regctl's golden outputs (tests/testdata/regctl-golden, what real regctl
 * printed over three fixture layouts) replayed through the real CLI: each
 * command case runs `deno run main.ts ARGS…` in a fresh copy of the fixtures
 * and must print the same stdout bytes and exit with the same code. The cases
 * run a second time through the JavaScript bundle the binary is compiled
 * from (`scripts/bundle.ts`), the way the binary runs it.
 */
import assert from "node:assert/strict";
import { buildBundle } from "../../scripts/bundle.ts";
import { runArgs } from "../../scripts/compile.ts";

const ROOT = new URL("../../", import.meta.url);
const GOLDEN = new URL("tests/testdata/regctl-golden/", ROOT);
const MAIN = new URL("main.ts", ROOT).pathname;

interface CommandCase {
  name: string;
  args: string[];
  exit: number;
  stdout: string;
  unordered?: boolean;
}

/**
 * Cases whose output still differs from regctl, with the reason. Each is
 * checked to still differ, so fixing one fails this test until it is removed
 * from the list.
 */
const KNOWN_DIFFERENT: Record<string, string> = {};

function commandCases(): CommandCase[] {
  return Deno.readTextFileSync(new URL("cases.jsonl", GOLDEN)).trim().split("\n")
    .map((l) => JSON.parse(l) as CommandCase & { kind?: string })
    .filter((c) => c.kind !== "mod");
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    const src = `${from}/${e.name}`;
    const dst = `${to}/${e.name}`;
    if (e.isDirectory) await copyDir(src, dst);
    else await Deno.copyFile(src, dst);
  }
}

function sortedLines(s: string): string {
  return s.split(/(?<=\n)/).sort().join("");
}

async function runCase(
  c: CommandCase,
  home: string,
  entry: readonly string[],
): Promise<{ code: number; stdout: string }> {
  const work = await Deno.makeTempDir({ prefix: `ocictl-golden-${c.name}-` });
  try {
    await copyDir(new URL("fixtures", GOLDEN).pathname, `${work}/fixtures`);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...entry, ...c.args],
      cwd: work,
      env: { HOME: home, OCICTL_CONFIG: `${home}/ocictl.json`, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

async function checkCases(t: Deno.TestContext, entry: readonly string[]): Promise<void> {
  const cases = commandCases();
  assert.ok(cases.length >= 40, "the golden file has its command cases");
  const home = await Deno.makeTempDir({ prefix: "ocictl-golden-home-" });
  try {
    for (const c of cases) {
      await t.step(`${c.name}: ocictl ${c.args.join(" ")}`, async () => {
        const r = await runCase(c, home, entry);
        const norm = c.unordered ? sortedLines : (s: string) => s;
        const same = r.code === c.exit && norm(r.stdout) === norm(c.stdout);
        const known = KNOWN_DIFFERENT[c.name];
        if (known !== undefined) {
          assert.ok(!same, `case ${c.name} now matches regctl: remove it from KNOWN_DIFFERENT`);
          return;
        }
        assert.equal(norm(r.stdout), norm(c.stdout));
        assert.equal(r.code, c.exit);
      });
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("every regctl golden command case prints regctl's bytes and exit code", async (t) => {
  await checkCases(t, ["run", "-A", "--quiet", MAIN]);
});

Deno.test("the bundle the binary is compiled from prints regctl's bytes and exit code too", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-golden-bundle-" });
  try {
    const bundle = await buildBundle(dir);
    await checkCases(t, runArgs(bundle.main));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

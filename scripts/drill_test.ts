import { equal, ok } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { drillTable } from "../tests/drills/_drill.ts";

const SCRIPT = fileURLToPath(new URL("./drill.ts", import.meta.url));

Deno.test("drillTable() prints one aligned line per drill with its figures", () => {
  const t = drillTable([
    { drill: "a", cases: 10, failures: 0, figures: { rps: 5 }, notes: [] },
    { drill: "longer name", cases: 2, failures: 1, figures: {}, notes: ["x"] },
  ]);
  const lines = t.trimEnd().split("\n");
  equal(lines.length, 3);
  ok(lines[1]?.startsWith("a            10     0         rps=5"), lines[1]);
});

Deno.test("deno task drill runs a named drill quickly and prints the table; an unknown name exits 2", async () => {
  const run = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT, ...args],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  const ok1 = await run(["fuzz-serve", "--quick"]);
  equal(ok1.code, 0, new TextDecoder().decode(ok1.stderr));
  const text = new TextDecoder().decode(ok1.stdout);
  ok(/^drill\s+cases\s+failures\s+figures/.test(text), text);
  ok(/fuzz: serve handler requests\s+\d+\s+0\s+seed=/.test(text), text);
  const bad = await run(["nope"]);
  equal(bad.code, 2);
});

/**
 * `deno task drill [name…] [--quick]`: runs the reliability and security
 * drills of tests/drills/ in their full versions (≥ 10,000 fuzz cases per
 * property, 20 kills, a soak of 2 minutes measured after 3 of warm-up) and
 * prints one table: each drill, cases tried, failures (target 0) and its
 * figures. `--quick` runs the short versions the test suite runs. The first
 * failures of each drill are printed below the table (fuzz failures with
 * seed and shrunk input; `FUZZ_SEED=n` replays one). Exit code 1 when any
 * drill failed, 2 on a bad argument.
 *
 * @module
 */
import { type DrillResult, type DrillSize, drillTable } from "../tests/drills/_drill.ts";
import { fuzzSeed } from "../tests/drills/_fuzz.ts";
import { layoutWritersDrill, serveWritersDrill } from "../tests/drills/concurrent_writers.ts";
import { copyCrashDrill, serveCrashDrill } from "../tests/drills/crash.ts";
import { gcRaceDrill } from "../tests/drills/gc_race.ts";
import { importFuzzDrill } from "../tests/drills/import_fuzz.ts";
import { parserFuzzDrill } from "../tests/drills/parser_fuzz.ts";
import { serveFuzzDrill } from "../tests/drills/serve_fuzz.ts";
import { soakDrill } from "../tests/drills/soak.ts";

const enc = new TextEncoder();
const out = (text: string) => Deno.stdout.writeSync(enc.encode(text + "\n"));
const err = (text: string) => Deno.stderr.writeSync(enc.encode(text + "\n"));

/** The drills, by name, in the order they run. */
export const DRILLS: Record<string, (size: DrillSize) => Promise<DrillResult>> = {
  "fuzz-parsers": parserFuzzDrill,
  "fuzz-serve": serveFuzzDrill,
  "fuzz-import": importFuzzDrill,
  "crash-ocidir": (size) => copyCrashDrill(size, "ocidir", fuzzSeed()),
  "crash-serve": (size) => copyCrashDrill(size, "serve", fuzzSeed()),
  "crash-serve-kill": (size) => serveCrashDrill(size, fuzzSeed()),
  "writers-layout": layoutWritersDrill,
  "writers-serve": serveWritersDrill,
  "gc-race": gcRaceDrill,
  "soak": (size) => soakDrill(size, fuzzSeed()),
};

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const names = Deno.args.filter((a) => a !== "--quick");
  const unknown = names.filter((n) => !(n in DRILLS));
  if (unknown.length > 0 || names.some((n) => n.startsWith("-"))) {
    err(
      `drill: unknown drill ${unknown.join(", ")}; known: ${Object.keys(DRILLS).join(", ")}`,
    );
    Deno.exit(2);
  }
  const size: DrillSize = quick ? "short" : "full";
  const rows: DrillResult[] = [];
  for (const name of names.length > 0 ? names : Object.keys(DRILLS)) {
    const run = DRILLS[name];
    if (run === undefined) continue;
    const t0 = performance.now();
    err(`drill ${name} (${size}) …`);
    try {
      const r = await run(size);
      r.figures.s = ((performance.now() - t0) / 1000).toFixed(0);
      rows.push(r);
    } catch (e) {
      rows.push({
        drill: name,
        cases: 0,
        failures: 1,
        figures: {},
        notes: [`could not run: ${(e as Error).message}`],
      });
    }
  }
  out(drillTable(rows));
  for (const r of rows) {
    for (const n of r.notes.slice(0, 5)) out(`${r.drill}: ${n}`);
  }
  Deno.exit(rows.some((r) => r.failures > 0) ? 1 : 0);
}

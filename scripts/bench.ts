/**
 * `deno task bench [name…] [--quick] [--big]`: runs the benchmarks under
 * scripts/bench/ in turn and prints one summary table, a line per metric:
 * `name  ocictl  peer  ratio  target  ok?`. Targets are informational:
 * benchmarks never fail on speed. The exit code is 1 only when a benchmark
 * could not run (a peer missing, a copy failing), 2 on a bad argument.
 *
 * - `name…` runs only those benchmarks (see {@link BENCHMARKS}).
 * - `--quick` shrinks every size for a smoke run (well under a minute).
 * - `--big` adds the 8×256 MiB peak-RSS run of copy_vs_skopeo (not with `--quick`).
 *
 * @module
 */
import { benchCopyVsSkopeo } from "./bench/copy_vs_skopeo.ts";
import { benchInsecurePull } from "./bench/insecure_pull.ts";
import { benchServeVsDistribution } from "./bench/serve_vs_distribution.ts";
import { benchRegistryBlob, RSS_GROWTH_BUDGET_MIB } from "./bench/registry_blob.ts";
import { benchSyncNoop } from "./bench/sync_noop.ts";
import { benchBotLua } from "./bench/bot_lua.ts";
import { benchModRss, QUICK_STEPS } from "./bench/mod_rss.ts";
import { benchStartup } from "./bench/startup.ts";
import { fmtNum, type Metric, ratioOf, say } from "./bench/_common.ts";

export type { Metric } from "./bench/_common.ts";

/** How the runner calls one benchmark. */
export interface BenchFlags {
  /** Small sizes, no warm-up, one timed run. */
  quick: boolean;
  /** Add the big RSS runs. */
  big: boolean;
}

/** The benchmarks, by name, in the order they run. */
export const BENCHMARKS: Record<string, (flags: BenchFlags) => Promise<Metric[]>> = {
  "startup": ({ quick }) => benchStartup(quick ? { runs: 3 } : {}),
  "registry_blob": async ({ quick }) => {
    const r = await benchRegistryBlob({ sizeMiB: quick ? 8 : 256 });
    say(`registry_blob: ${r.sizeMiB} MiB through RegistryTransport`);
    say(`  push ${fmtNum(r.pushMiBps)} MiB/s, pull ${fmtNum(r.pullMiBps)} MiB/s`);
    say(`  peak RSS ${fmtNum(r.peakRssMiB)} MiB, growth ${fmtNum(r.rssGrowthMiB)} MiB`);
    for (const w of r.warnings) say(`  WARNING: ${w}`);
    return [
      {
        name: `registry blob push ${r.sizeMiB} MiB (MiB/s)`,
        ocictl: r.pushMiBps,
        better: "higher",
        target: "-",
      },
      {
        name: `registry blob pull ${r.sizeMiB} MiB (MiB/s)`,
        ocictl: r.pullMiBps,
        better: "higher",
        target: "-",
      },
      {
        name: "registry blob RSS growth (MiB)",
        ocictl: r.rssGrowthMiB,
        better: "lower",
        target: `< ${RSS_GROWTH_BUDGET_MIB} MiB`,
        ok: r.rssGrowthMiB < RSS_GROWTH_BUDGET_MIB,
      },
    ];
  },
  "serve_vs_distribution": ({ quick }) =>
    benchServeVsDistribution(quick ? { blobMiB: 16, pullMiB: 1, warmup: 0, repeats: 1 } : {}),
  "copy_vs_skopeo": ({ quick, big }) =>
    benchCopyVsSkopeo(
      quick ? { layers: 2, layerMiB: 4, warmup: 0, repeats: 1 } : { big },
    ),
  "insecure_pull": ({ quick }) => benchInsecurePull(quick ? { shapes: [[2, 4]], repeats: 1 } : {}),
  "sync_noop": ({ quick }) => benchSyncNoop(quick ? { tags: 20 } : {}),
  "bot_lua": ({ quick }) => benchBotLua(quick ? { starts: 3 } : {}),
  "mod_rss": ({ quick }) => benchModRss(quick ? { sizeMiB: 16, steps: QUICK_STEPS } : {}),
};

/**
 * Formats the summary table.
 *
 * @param rows the metrics
 * @returns the lines, header first
 * @throws never
 */
export function summaryLines(rows: readonly Metric[]): string[] {
  const table = [["name", "ocictl", "peer", "ratio", "target", "ok?"]];
  for (const m of rows) {
    const ok = m.ok === undefined ? "-" : m.ok ? "yes" : "NO";
    table.push([
      m.name,
      fmtNum(m.ocictl, 2),
      fmtNum(m.peer, 2),
      fmtNum(ratioOf(m), 2),
      m.target,
      ok,
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) =>
    r.map((cell, i) => i === 0 || i >= 4 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))
      .join("  ").trimEnd()
  );
}

/**
 * Runs the benchmarks named in `args` (all when none) and prints the summary.
 *
 * @param args command-line arguments
 * @returns the exit code: 0, 1 when a benchmark failed to run, 2 on a bad argument
 * @throws never
 */
export async function runBenchmarks(args: readonly string[]): Promise<number> {
  const flags: BenchFlags = { quick: args.includes("--quick"), big: false };
  flags.big = args.includes("--big") && !flags.quick;
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = [
    ...names.filter((n) => !(n in BENCHMARKS)),
    ...args.filter((a) => a.startsWith("--") && a !== "--quick" && a !== "--big"),
  ];
  if (unknown.length > 0) {
    say(`Cannot run benchmark "${unknown[0]}": use ${Object.keys(BENCHMARKS).join(", ")}`);
    say("usage: deno task bench [name…] [--quick] [--big]");
    return 2;
  }
  const selected = names.length > 0
    ? Object.keys(BENCHMARKS).filter((n) => names.includes(n))
    : Object.keys(BENCHMARKS);
  const rows: Metric[] = [];
  const failed: string[] = [];
  const start = performance.now();
  for (const name of selected) {
    try {
      rows.push(...await BENCHMARKS[name]!(flags));
    } catch (err) {
      failed.push(name);
      say(`${name} FAILED: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  say("");
  say(`== summary (${((performance.now() - start) / 1000).toFixed(0)} s; ratio = ocictl/peer)`);
  for (const line of summaryLines(rows)) say(line);
  if (failed.length > 0) say(`benchmarks that did not run: ${failed.join(", ")}`);
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await runBenchmarks(Deno.args));
}

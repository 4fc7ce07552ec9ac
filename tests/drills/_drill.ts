/**
 * What every drill returns: one row of the `deno task drill` table.
 *
 * @module
 */

/** One drill's outcome. */
export interface DrillResult {
  /** Drill name. */
  drill: string;
  /** Cases tried. */
  cases: number;
  /** Cases that broke an invariant (target 0). */
  failures: number;
  /** Further figures, printed as `key=value`. */
  figures: Record<string, string | number>;
  /** The first failures, described. */
  notes: string[];
}

/** How long a drill runs: the short version in the test suite, the full one in `deno task drill`. */
export type DrillSize = "short" | "full";

/**
 * Formats results as an aligned text table.
 *
 * @param rows the results
 * @returns the table, one line per drill
 */
export function drillTable(rows: DrillResult[]): string {
  const lines = [["drill", "cases", "failures", "figures"]];
  for (const r of rows) {
    const figures = Object.entries(r.figures).map(([k, v]) => `${k}=${v}`).join(" ");
    lines.push([r.drill, String(r.cases), String(r.failures), figures]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...lines.map((l) => (l[i] ?? "").length)));
  return lines.map((l) =>
    l.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c)).join("  ").trimEnd()
  ).join("\n") + "\n";
}

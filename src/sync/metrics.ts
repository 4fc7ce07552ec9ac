/**
 * Per-step counters of `sync server`, rendered in the Prometheus text format
 * for `--metrics-addr`.
 *
 * @module
 */
import type { SyncSummary } from "./runner_types.ts";

/** The counters of one step. */
export interface StepMetrics {
  /** Step position. */
  step: number;
  /** Step source (a label). */
  source: string;
  /** End of the last run, seconds since the epoch (0 = never). */
  lastRun: number;
  /** 1 when the last run had no failure. */
  lastSuccess: number;
  /** Runs. */
  runs: number;
  /** Images copied. */
  copied: number;
  /** Images failed. */
  failures: number;
  /** Bytes moved. */
  bytes: number;
}

/**
 * Counters of every step, updated after each run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyncMetrics } from "./metrics.ts";
 * import { emptySummary } from "./runner_types.ts";
 * const m = new SyncMetrics([{ index: 0, source: "a.example/x" }]);
 * m.record(0, { ...emptySummary(), copied: 2, bytes: 10 }, 1_700_000_000_000);
 * assert.match(m.render(), /ocictl_sync_images_copied_total\{step="0",source="a.example\/x"\} 2/);
 * ```
 */
export class SyncMetrics {
  #steps: StepMetrics[];

  /**
   * Starts every step at zero.
   *
   * @param steps the steps (position and source)
   */
  constructor(steps: readonly { index: number; source: string }[]) {
    this.#steps = steps.map((s) => ({
      step: s.index,
      source: s.source,
      lastRun: 0,
      lastSuccess: 0,
      runs: 0,
      copied: 0,
      failures: 0,
      bytes: 0,
    }));
  }

  /**
   * Adds a finished run of a step.
   *
   * @param step step position
   * @param summary what the run did
   * @param at when it ended (milliseconds since the epoch)
   */
  record(step: number, summary: SyncSummary, at: number): void {
    const m = this.#steps.find((s) => s.step === step);
    if (m === undefined) return;
    m.lastRun = Math.floor(at / 1000);
    m.lastSuccess = summary.failed === 0 ? 1 : 0;
    m.runs++;
    m.copied += summary.copied;
    m.failures += summary.failed;
    m.bytes += summary.bytes;
  }

  /**
   * Renders the Prometheus text exposition.
   *
   * @returns the text (HELP and TYPE lines, one sample per step and metric)
   */
  render(): string {
    const families: [string, string, string, (m: StepMetrics) => number][] = [
      [
        "ocictl_sync_last_run_timestamp_seconds",
        "gauge",
        "End of the step's last run",
        (m) => m.lastRun,
      ],
      [
        "ocictl_sync_last_run_success",
        "gauge",
        "1 when the step's last run had no failure",
        (m) => m.lastSuccess,
      ],
      ["ocictl_sync_runs_total", "counter", "Runs of the step", (m) => m.runs],
      ["ocictl_sync_images_copied_total", "counter", "Images copied by the step", (m) => m.copied],
      [
        "ocictl_sync_failures_total",
        "counter",
        "Images the step failed to sync",
        (m) => m.failures,
      ],
      ["ocictl_sync_bytes_total", "counter", "Blob bytes the step moved", (m) => m.bytes],
    ];
    const lines: string[] = [];
    for (const [name, type, help, value] of families) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const m of this.#steps) {
        lines.push(`${name}{step="${m.step}",source="${_label(m.source)}"} ${value(m)}`);
      }
    }
    return lines.join("\n") + "\n";
  }
}

function _label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * `sync server`: a missing-only pass over every step at start, then each
 * step on its `schedule` or `interval` through the shared scheduler (one run
 * of a step at a time), until the signal aborts.
 *
 * @module
 */
import { type Clock, Scheduler, systemClock } from "../schedule/scheduler.ts";
import type { SyncStep } from "./config_types.ts";
import type { SyncMetrics } from "./metrics.ts";
import type { SyncRunner } from "./runner.ts";
import type { SyncLogger, SyncMode, SyncSummary } from "./runner_types.ts";

/** Options of {@link runSyncServer}. */
export interface SyncServerOptions {
  /** Runs the steps. */
  runner: SyncRunner;
  /** Logger. */
  logger: SyncLogger;
  /** Time source. @default systemClock */
  clock?: Clock | undefined;
  /** Updated after every run. */
  metrics?: SyncMetrics | undefined;
  /** Told about every finished run (tests, summaries). */
  onRun?: ((step: SyncStep, mode: SyncMode, summary: SyncSummary) => void) | undefined;
  /** Runs steps of the first pass at once. @default false */
  parallel?: boolean | undefined;
}

/**
 * Serves until `signal` aborts; a run in flight is cancelled through the
 * same signal and awaited.
 *
 * @param steps the steps
 * @param signal stops the server
 * @param options runner, logger, clock, metrics
 * @returns resolves once stopped
 * @throws {UsageError} never for timings: the config was checked on load
 *
 * @example Stop at once
 * ```ts
 * import { runSyncServer } from "./server.ts";
 * import { SyncRunner } from "./runner.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * const t = new MemoryTransport();
 * const quiet = { info() {}, warn() {}, error() {}, debug() {} };
 * await runSyncServer([], AbortSignal.abort(), {
 *   runner: new SyncRunner({ transport: () => t, logger: quiet }),
 *   logger: quiet,
 * });
 * ```
 */
export async function runSyncServer(
  steps: readonly SyncStep[],
  signal: AbortSignal,
  options: SyncServerOptions,
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const log = options.logger;
  const once = async (step: SyncStep, mode: SyncMode) => {
    let summary: SyncSummary;
    try {
      summary = await options.runner.run([step], mode, signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    options.metrics?.record(step.index, summary, clock.now());
    options.onRun?.(step, mode, summary);
    log.info("Step finished", {
      step: step.index,
      source: step.source,
      mode,
      copied: summary.copied,
      failed: summary.failed,
      bytes: summary.bytes,
    });
  };
  const scheduled = steps.filter((s) => {
    if (s.schedule !== undefined || s.interval !== undefined) return true;
    log.error("Step has no schedule or interval: it is left out", {
      step: s.index,
      source: s.source,
    });
    return false;
  });
  if (options.parallel) await Promise.all(scheduled.map((s) => once(s, "missing")));
  else for (const s of scheduled) if (!signal.aborted) await once(s, "missing");
  if (signal.aborted) return;
  const scheduler = new Scheduler({
    clock,
    onError: (job, err) =>
      log.error("Step failed", {
        job: job.name,
        error: err instanceof Error ? err.message : String(err),
      }),
  });
  for (const s of scheduled) {
    scheduler.add({
      name: `sync[${s.index}]`,
      ...(s.schedule !== undefined ? { schedule: s.schedule } : {}),
      ...(s.interval !== undefined ? { interval: s.interval } : {}),
      run: () => once(s, "once"),
    });
  }
  await scheduler.run(signal);
}

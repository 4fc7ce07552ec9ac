/**
 * A small job scheduler shared by `sync server` and `bot server`: each job
 * runs on a 5-field cron line or `@daily`-style descriptor (croner computes
 * the next time) or on a Go duration interval; one job never runs twice at
 * once (a run that overruns its next time skips that time, as regsync's
 * skip-if-still-running does); an `AbortSignal` stops everything cleanly; the
 * clock is injected so tests control time.
 *
 * @module
 */
import { Cron } from "croner";
import { UsageError } from "../errors.ts";
import { parseGoDuration } from "./go_duration.ts";

/** The time source of a {@link Scheduler}. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Waits `ms` milliseconds; resolves early (without throwing) when `signal` aborts.
   *
   * @param ms how long to wait
   * @param signal stops the wait
   */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Longest delay `setTimeout` takes; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock: `Date.now()` and `setTimeout` (long waits, such as a
 * yearly cron line, are cut into timer-sized pieces).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const end = Date.now() + Math.max(0, ms);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const arm = () => {
        const left = end - Date.now();
        if (left <= 0) return done();
        timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      signal.addEventListener("abort", done, { once: true });
      arm();
    });
  },
};

/** When a job runs: a cron line (wins when both are set) or an interval. */
export interface JobTiming {
  /** 5-field cron line or descriptor such as `@daily`, `@hourly`. */
  schedule?: string;
  /** Go duration such as `90m`, `6h`. */
  interval?: string;
}

/** One scheduled job. */
export interface Job extends JobTiming {
  /** Name used in errors and logs. */
  name: string;
  /**
   * The work. Never called again before the previous call settles.
   *
   * @param signal aborted when the scheduler stops
   */
  run(signal: AbortSignal): Promise<void>;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /**
   * Time source.
   *
   * @default systemClock
   */
  clock?: Clock;
  /**
   * Called when a run throws; the job stays scheduled.
   *
   * @param job the job whose run failed
   * @param err what it threw
   */
  onError?: (job: Job, err: unknown) => void;
}

/** A compiled timing: the next time strictly after a given time. */
export interface NextTime {
  /**
   * @param after milliseconds since the epoch
   * @returns the next run time, or `undefined` when there is none (`0 0 31 2 *`)
   */
  (after: number): number | undefined;
}

const DESCRIPTORS = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]);

/**
 * Checks a timing and compiles it into a next-time function.
 *
 * @param timing a `schedule` (cron, wins) or an `interval` (Go duration)
 * @param where names the job or config key in error messages
 * @returns the next-time function
 * @throws {UsageError} for a cron line that is not 5 fields or a descriptor,
 * a bad field, a bad or non-positive duration, or neither set
 *
 * @example An interval
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileTiming } from "./scheduler.ts";
 * const next = compileTiming({ interval: "90m" }, "job");
 * assert.equal(next(0), 90 * 60_000);
 * ```
 */
export function compileTiming(timing: JobTiming, where: string): NextTime {
  if (timing.schedule !== undefined) {
    const text = timing.schedule.trim();
    const isDescriptor = DESCRIPTORS.has(text.toLowerCase());
    if (!isDescriptor && text.split(/\s+/).length !== 5) {
      throw new UsageError(
        `Cannot use schedule "${timing.schedule}" of ${where}: give 5 cron fields (minute hour day month weekday) or a descriptor such as @daily`,
      );
    }
    let cron: Cron;
    try {
      cron = new Cron(isDescriptor ? text.toLowerCase() : text, { paused: true });
    } catch (err) {
      const detail = err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err);
      throw new UsageError(`Cannot use schedule "${timing.schedule}" of ${where}: ${detail}`);
    }
    return (after) => cron.nextRun(new Date(after))?.getTime();
  }
  if (timing.interval !== undefined) {
    const ms = parseGoDuration(timing.interval);
    if (ms === undefined || ms <= 0) {
      throw new UsageError(
        `Cannot use interval "${timing.interval}" of ${where}: give a positive Go duration such as 90m or 6h`,
      );
    }
    return (after) => after + ms;
  }
  throw new UsageError(`Cannot schedule ${where}: set a schedule or an interval`);
}

/**
 * Runs jobs on their timings until stopped.
 *
 * @example Two interval runs with a test clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { Scheduler } from "./scheduler.ts";
 * let t = 0;
 * const clock = {
 *   now: () => t,
 *   sleep: (ms: number) => { t += ms; return Promise.resolve(); },
 * };
 * const stop = new AbortController();
 * const runs: number[] = [];
 * const s = new Scheduler({ clock });
 * s.add({ name: "a", interval: "1m", run: () => {
 *   runs.push(t);
 *   if (runs.length === 2) stop.abort();
 *   return Promise.resolve();
 * } });
 * await s.run(stop.signal);
 * assert.deepEqual(runs, [60_000, 120_000]);
 * ```
 */
export class Scheduler {
  #clock: Clock;
  #onError: ((job: Job, err: unknown) => void) | undefined;
  #jobs: { job: Job; next: NextTime }[] = [];

  /**
   * Creates an empty scheduler.
   *
   * @param options clock and error callback
   */
  constructor(options: SchedulerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError;
  }

  /**
   * Adds a job; its timing is checked now.
   *
   * @param job the job
   * @throws {UsageError} for a bad timing (see {@link compileTiming})
   */
  add(job: Job): void {
    this.#jobs.push({ job, next: compileTiming(job, `job "${job.name}"`) });
  }

  /**
   * Runs every job until `signal` aborts, then waits for runs in flight.
   *
   * @param signal stops the scheduler; it is passed on to every run
   * @returns resolves when stopped and every run has settled
   */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#jobs.map(({ job, next }) => this.#loop(job, next, signal)));
  }

  async #loop(job: Job, next: NextTime, signal: AbortSignal): Promise<void> {
    let from = this.#clock.now();
    while (!signal.aborted) {
      const at = next(from);
      if (at === undefined) return;
      await this.#clock.sleep(at - this.#clock.now(), signal);
      if (signal.aborted) return;
      try {
        await job.run(signal);
      } catch (err) {
        this.#onError?.(job, err);
      }
      // A run that overran later fire times skips them: count from now.
      from = Math.max(at, this.#clock.now());
    }
  }
}

/**
 * Per-host limits: concurrent requests and request starts per second.
 *
 * @module
 */
import { AbortedError } from "../../errors.ts";
import { afterMs } from "../../timers.ts";

/** Sleeps, cancellable. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * The default sleep: a timer that is cleared when the signal aborts.
 *
 * @param ms delay
 * @param signal cancels the wait
 * @returns resolves after the delay
 * @throws {AbortedError} when the signal aborts
 */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError(undefined, { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      cancel();
      reject(new AbortedError(undefined, { cause: signal?.reason }));
    };
    const cancel = afterMs(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A counting semaphore with an optional start rate. */
export class Limiter {
  #max: number;
  #active = 0;
  #waiting: (() => void)[] = [];
  #interval: number;
  #nextStart = 0;
  #now: () => number;
  #sleep: Sleep;

  /**
   * Creates a limiter of concurrent requests and starts per second.
   * @param max concurrent holders
   * @param perSec starts per second, 0 for no limit
   * @param now clock
   * @param sleep sleep function
   */
  constructor(max: number, perSec: number, now: () => number, sleep: Sleep) {
    this.#max = Math.max(1, max);
    this.#interval = perSec > 0 ? 1000 / perSec : 0;
    this.#now = now;
    this.#sleep = sleep;
  }

  /**
   * Waits for a slot.
   *
   * @param signal cancels the wait
   * @returns a release function (call it once)
   * @throws {AbortedError} when the signal aborts
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#active >= this.#max) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          this.#waiting = this.#waiting.filter((w) => w !== wake);
          reject(new AbortedError(undefined, { cause: signal?.reason }));
        };
        if (signal?.aborted) {
          onAbort();
          return;
        }
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiting.push(wake);
      });
    } else {
      this.#active++;
    }
    if (this.#interval > 0) {
      const now = this.#now();
      const start = Math.max(now, this.#nextStart);
      this.#nextStart = start + this.#interval;
      if (start > now) {
        try {
          await this.#sleep(start - now, signal);
        } catch (err) {
          this.#release();
          throw err;
        }
      }
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(); // the slot passes to the waiter
    else this.#active--;
  }
}

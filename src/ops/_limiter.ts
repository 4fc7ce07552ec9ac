/**
 * A small counting semaphore bounding concurrent transfers of a copy.
 *
 * @module
 */

/** Runs at most `max` tasks at once; `max <= 0` means no bound. */
export class _Limiter {
  #max: number;
  #active = 0;
  #waiting: (() => void)[] = [];

  /**
   * Creates a limiter.
   * @param max concurrent tasks (`<= 0` for unlimited)
   */
  constructor(max: number) {
    this.#max = max;
  }

  /**
   * Runs a task once a slot is free.
   *
   * @param task the work
   * @returns the task's result
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#max > 0) {
      while (this.#active >= this.#max) {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
      }
    }
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}

/**
 * Runs tasks with bounded concurrency; the first failure aborts the shared
 * controller (so running tasks can stop) and is rethrown once all settled.
 *
 * @param items inputs
 * @param max concurrent tasks (`<= 0` for unlimited)
 * @param fn task per item
 * @param controller aborted on the first failure
 * @returns results in input order
 */
export async function _mapLimited<T, R>(
  items: readonly T[],
  max: number,
  fn: (item: T) => Promise<R>,
  controller?: AbortController,
): Promise<R[]> {
  const limiter = new _Limiter(max);
  let first: { err: unknown } | undefined;
  const results = await Promise.allSettled(items.map((item) =>
    limiter.run(async () => {
      if (first !== undefined) throw first.err;
      try {
        return await fn(item);
      } catch (err) {
        if (first === undefined) {
          first = { err };
          controller?.abort(err);
        }
        throw err;
      }
    })
  ));
  if (first !== undefined) throw first.err;
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}

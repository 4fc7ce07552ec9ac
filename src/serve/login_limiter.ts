/**
 * Rate limiting of failed logins to `ocictl serve`, per client address, with
 * exponential back-off: a few failures are free, then each further failure
 * doubles the time the address must wait before its next attempt is even
 * checked. A success clears the address.
 *
 * @module
 */

/** Bounds of {@link LoginLimiter}. */
export interface LoginLimiterOptions {
  /** Clock in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
  /** Failures allowed before the back-off starts. @default 5 */
  freeFailures?: number | undefined;
  /** First wait, doubled at each further failure. @default 1000 */
  baseDelayMs?: number | undefined;
  /** Longest wait. @default 300000 (5 minutes) */
  maxDelayMs?: number | undefined;
  /** Most addresses remembered; the oldest entry is dropped beyond. @default 10000 */
  maxClients?: number | undefined;
}

interface _Entry {
  failures: number;
  until: number;
}

/** Failed-login counts per client address. */
export class LoginLimiter {
  #now: () => number;
  #free: number;
  #base: number;
  #max: number;
  #maxClients: number;
  #clients = new Map<string, _Entry>();

  /**
   * Creates a limiter with no failures recorded.
   * @param options clock and bounds
   */
  constructor(options: LoginLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#free = options.freeFailures ?? 5;
    this.#base = options.baseDelayMs ?? 1000;
    this.#max = options.maxDelayMs ?? 300_000;
    this.#maxClients = options.maxClients ?? 10_000;
  }

  /**
   * How long a client must still wait before a login attempt is checked.
   *
   * @param client client address
   * @returns milliseconds, 0 when it may try now
   *
   * @example Back-off after the free failures
   * ```ts
   * import { equal } from "node:assert/strict";
   * import { LoginLimiter } from "./login_limiter.ts";
   * let t = 0;
   * const l = new LoginLimiter({ now: () => t, freeFailures: 1, baseDelayMs: 100 });
   * l.failed("10.0.0.1");
   * equal(l.waitMs("10.0.0.1"), 0);
   * l.failed("10.0.0.1");
   * equal(l.waitMs("10.0.0.1"), 100);
   * t = 100;
   * equal(l.waitMs("10.0.0.1"), 0);
   * ```
   */
  waitMs(client: string): number {
    const e = this.#clients.get(client);
    if (e === undefined) return 0;
    return Math.max(0, e.until - this.#now());
  }

  /**
   * Records a failed login.
   * @param client client address
   * @returns the wait now imposed, in milliseconds
   */
  failed(client: string): number {
    const e = this.#clients.get(client) ?? { failures: 0, until: 0 };
    this.#clients.delete(client);
    e.failures++;
    const over = e.failures - this.#free;
    const delay = over <= 0 ? 0 : Math.min(this.#max, this.#base * 2 ** Math.min(over - 1, 30));
    e.until = this.#now() + delay;
    this.#clients.set(client, e);
    if (this.#clients.size > this.#maxClients) {
      const oldest = this.#clients.keys().next().value;
      if (oldest !== undefined) this.#clients.delete(oldest);
    }
    return delay;
  }

  /**
   * Records a successful login: the address starts afresh.
   * @param client client address
   * @returns nothing
   */
  succeeded(client: string): void {
    this.#clients.delete(client);
  }
}

/**
 * Retry policy of registry requests: which failures are transient, the
 * exponential backoff, and `Retry-After`.
 *
 * @module
 */

/** Most retries of one request. */
export const MAX_RETRIES = 5;
/** First backoff delay in milliseconds. */
export const BACKOFF_BASE_MS = 100;
/** Largest backoff delay in milliseconds. */
export const BACKOFF_MAX_MS = 30_000;

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Tells whether an HTTP status is worth a retry.
 *
 * @param status HTTP status
 * @returns true for 408, 429, 500, 502, 503 and 504
 */
export function isRetryableStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}

/**
 * The backoff delay before retry number `attempt` (0-based): 100 ms × 2^n,
 * capped at 30 s.
 *
 * @param attempt retries already made
 * @returns delay in milliseconds
 *
 * @example Backoff doubles
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay } from "./retry.ts";
 * assert.deepEqual([0, 1, 2].map(backoffDelay), [100, 200, 400]);
 * ```
 */
export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempt), BACKOFF_MAX_MS);
}

/**
 * Parses a `Retry-After` header: delay seconds or an HTTP date.
 *
 * @param value header value or null
 * @param now current time in milliseconds since the epoch
 * @returns delay in milliseconds (capped at the backoff maximum), or undefined when absent or unparsable
 *
 * @example Seconds and dates
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetryAfter } from "./retry.ts";
 * assert.equal(parseRetryAfter("2", 0), 2000);
 * assert.equal(parseRetryAfter(new Date(5000).toUTCString(), 1000), 4000);
 * ```
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, BACKOFF_MAX_MS);
  if (!/[a-z]/i.test(v)) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.min(Math.max(0, t - now), BACKOFF_MAX_MS);
}

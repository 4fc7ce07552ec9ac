/**
 * Cache of Bearer tokens keyed by realm, service and scope set, with expiry.
 *
 * @module
 */

/** A cached token. */
export interface CachedToken {
  /** The Bearer token. */
  token: string;
  /** Expiry time in milliseconds since the epoch. */
  expiresAt: number;
  /** Refresh token returned by the server, if any. */
  refreshToken?: string | undefined;
}

/** Tokens are renewed this long before they expire. */
export const TOKEN_RENEW_MARGIN_MS = 5_000;
/** Lifetime assumed when a token response has no (or a too small) `expires_in`. */
export const TOKEN_MIN_LIFETIME_S = 60;

/**
 * Builds the cache key of a token.
 *
 * @param realm token realm URL
 * @param service service name
 * @param scopes requested scopes (order does not matter)
 * @returns the key
 */
export function tokenKey(realm: string, service: string, scopes: readonly string[]): string {
  return JSON.stringify([realm, service, [...new Set(scopes)].sort()]);
}

/**
 * An in-memory token cache with an injected clock.
 *
 * @example Tokens expire
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenCache } from "./token_cache.ts";
 * let now = 0;
 * const cache = new TokenCache(() => now);
 * cache.set("k", { token: "t", expiresAt: 60_000 });
 * assert.equal(cache.get("k")?.token, "t");
 * now = 56_000;
 * assert.equal(cache.get("k"), undefined);
 * ```
 */
export class TokenCache {
  #now: () => number;
  #tokens = new Map<string, CachedToken>();

  /**
   * Creates an empty token cache.
   * @param now clock in milliseconds since the epoch
   */
  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * Returns a token that is still valid (not within the renew margin).
   *
   * @param key key from {@link tokenKey}
   * @returns the token or undefined
   */
  get(key: string): CachedToken | undefined {
    const t = this.#tokens.get(key);
    if (!t) return undefined;
    if (t.expiresAt - TOKEN_RENEW_MARGIN_MS <= this.#now()) return undefined;
    return t;
  }

  /**
   * Returns the refresh token of an entry even when its access token expired.
   *
   * @param key key from {@link tokenKey}
   * @returns the refresh token or undefined
   */
  refreshToken(key: string): string | undefined {
    return this.#tokens.get(key)?.refreshToken;
  }

  /**
   * Stores a token.
   *
   * @param key key from {@link tokenKey}
   * @param token the token and its expiry
   */
  set(key: string, token: CachedToken): void {
    this.#tokens.set(key, token);
  }

  /**
   * Drops a token (after the registry refused it).
   *
   * @param key key from {@link tokenKey}
   */
  delete(key: string): void {
    this.#tokens.delete(key);
  }
}

/**
 * Decodes a token endpoint answer.
 *
 * @param json parsed JSON body
 * @param now clock value when the answer arrived
 * @returns the token, or undefined when neither `token` nor `access_token` is a non-empty string
 */
export function decodeTokenResponse(json: unknown, now: number): CachedToken | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const r = json as Record<string, unknown>;
  const token = typeof r.token === "string" && r.token
    ? r.token
    : typeof r.access_token === "string" && r.access_token
    ? r.access_token
    : undefined;
  if (token === undefined) return undefined;
  let lifetime = typeof r.expires_in === "number" && Number.isFinite(r.expires_in)
    ? r.expires_in
    : TOKEN_MIN_LIFETIME_S;
  if (lifetime < TOKEN_MIN_LIFETIME_S) lifetime = TOKEN_MIN_LIFETIME_S;
  let issued = now;
  if (typeof r.issued_at === "string") {
    const t = Date.parse(r.issued_at);
    if (!Number.isNaN(t) && t <= now) issued = t;
  }
  const out: CachedToken = { token, expiresAt: issued + lifetime * 1000 };
  if (typeof r.refresh_token === "string" && r.refresh_token) out.refreshToken = r.refresh_token;
  return out;
}

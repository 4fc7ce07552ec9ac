/**
 * Registry authentication: remembers the challenge of each host, builds the
 * `Authorization` header for a request (Basic, or a Bearer token fetched from
 * the realm with the request's scopes), and caches tokens.
 *
 * @module
 */
import { AbortedError, ErrorCode, OciError, RegistryError } from "../../errors.ts";
import { readLimited } from "./_body.ts";
import { registryError } from "./error_response.ts";
import type { Credential, ResolvedHost } from "../../config/host_settings.ts";
import { decodeTokenResponse, TokenCache, tokenKey } from "./token_cache.ts";
import type { Challenge } from "./www_authenticate.ts";
import { afterMs } from "../../timers.ts";

export type { Credential };

/** Options of {@link RegistryAuth}. */
export interface RegistryAuthOptions {
  /** fetch used for token requests. */
  fetch: typeof fetch;
  /** Clock. */
  now: () => number;
  /** User-Agent and OAuth2 `client_id`. */
  userAgent: string;
  /** Credential lookup for hosts without `user`/`pass`/`token`. */
  credentials?: ((host: string) => Promise<Credential | undefined>) | undefined;
  /** Timeout of one token request in milliseconds. @default 30000 */
  tokenTimeout?: number | undefined;
}

/** Largest token answer read. */
const TOKEN_BODY_LIMIT = 1024 * 1024;

/** Authentication state of every host, shared by all requests of a transport. */
export class RegistryAuth {
  #opts: RegistryAuthOptions;
  #cache: TokenCache;
  #challenges = new Map<string, Challenge>();
  #creds = new Map<string, Promise<Credential | undefined>>();

  /**
   * Creates the authenticator for every registry host.
   * @param options fetch, clock, user agent, credential lookup
   */
  constructor(options: RegistryAuthOptions) {
    this.#opts = options;
    this.#cache = new TokenCache(options.now);
  }

  /**
   * Builds the `Authorization` header of a request, fetching a token when
   * the host asked for Bearer auth before.
   *
   * @param host resolved host
   * @param repository repository of the request (for `repoAuth`), or empty
   * @param scopes scopes the request needs
   * @param signal cancels a token request
   * @returns the header value, or undefined when the host has not asked for auth
   * @throws {OciError} UNAUTHORIZED when the token endpoint refuses
   */
  async header(
    host: ResolvedHost,
    repository: string,
    scopes: readonly string[],
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const challenge = this.#challenges.get(this.#hostKey(host, repository));
    if (!challenge) return undefined;
    const cred = await this.#credential(host);
    if (challenge.scheme === "basic") {
      if (cred?.user === undefined || cred.pass === undefined) return undefined;
      return `Basic ${_base64(`${cred.user}:${cred.pass}`)}`;
    }
    const realm = challenge.params.realm ?? "";
    const service = challenge.params.service ?? "";
    const all = [...scopes];
    for (const s of (challenge.params.scope ?? "").split(" ")) if (s) all.push(s);
    const key = tokenKey(realm, service, all);
    const cached = this.#cache.get(key);
    if (cached) return `Bearer ${cached.token}`;
    const token = await this.#fetchToken(host, realm, service, all, key, cred, signal);
    return `Bearer ${token}`;
  }

  /**
   * Records the challenges of a 401 answer. Returns false when none of them
   * can be answered (unknown scheme, Basic without credentials, a repeated
   * Bearer challenge with no new scope).
   *
   * @param host resolved host
   * @param repository repository of the request, or empty
   * @param challenges parsed `WWW-Authenticate`
   * @param scopes scopes the request used
   * @returns true when a retry with new auth makes sense
   * @throws {OciError} UNAUTHORIZED when a Bearer realm is not a usable URL
   */
  async challenge(
    host: ResolvedHost,
    repository: string,
    challenges: readonly Challenge[],
    scopes: readonly string[],
  ): Promise<boolean> {
    const hk = this.#hostKey(host, repository);
    const prev = this.#challenges.get(hk);
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const basic = challenges.find((c) => c.scheme === "basic");
    if (bearer) {
      this.#checkRealm(host, bearer.params.realm);
      if (prev && prev.scheme === "bearer") {
        // The token we sent was refused: drop it so that a retry fetches a new one.
        const all = [...scopes];
        for (const s of (prev.params.scope ?? "").split(" ")) if (s) all.push(s);
        const key = tokenKey(prev.params.realm ?? "", prev.params.service ?? "", all);
        const had = this.#cache.get(key) !== undefined;
        this.#cache.delete(key);
        const sameChallenge = prev.params.realm === bearer.params.realm &&
          prev.params.service === bearer.params.service &&
          (prev.params.scope ?? "") === (bearer.params.scope ?? "");
        this.#challenges.set(hk, bearer);
        return !sameChallenge || had;
      }
      this.#challenges.set(hk, bearer);
      return true;
    }
    if (basic) {
      const cred = await this.#credential(host);
      if (cred?.user === undefined || cred.pass === undefined) return false;
      if (prev?.scheme === "basic") return false; // the credentials were refused
      this.#challenges.set(hk, basic);
      return true;
    }
    return false;
  }

  #hostKey(host: ResolvedHost, repository: string): string {
    return host.repoAuth && repository ? `${host.name}/${repository}` : host.name;
  }

  #credential(host: ResolvedHost): Promise<Credential | undefined> {
    let p = this.#creds.get(host.name);
    if (!p) {
      const c = host.config;
      if (c.user !== undefined || c.pass !== undefined || c.token !== undefined) {
        p = Promise.resolve({ user: c.user, pass: c.pass, token: c.token });
      } else if (this.#opts.credentials) {
        p = this.#opts.credentials(host.name);
      } else {
        p = Promise.resolve(undefined);
      }
      this.#creds.set(host.name, p);
    }
    return p;
  }

  #checkRealm(host: ResolvedHost, realm: string | undefined): URL {
    let url: URL;
    try {
      url = new URL(realm ?? "");
    } catch {
      throw new OciError(
        ErrorCode.UNAUTHORIZED,
        `Cannot authenticate to "${host.name}": the token realm "${realm ?? ""}" is not a URL`,
      );
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new OciError(
        ErrorCode.UNAUTHORIZED,
        `Cannot authenticate to "${host.name}": the token realm "${url.href}" is not http(s)`,
      );
    }
    if (url.protocol === "http:" && host.tls !== "disabled") {
      throw new OciError(
        ErrorCode.UNAUTHORIZED,
        `Cannot authenticate to "${host.name}": the token realm "${url.href}" downgrades https to http`,
      );
    }
    return url;
  }

  async #fetchToken(
    host: ResolvedHost,
    realm: string,
    service: string,
    scopes: string[],
    key: string,
    cred: Credential | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const realmUrl = this.#checkRealm(host, realm);
    const uniqueScopes = [...new Set(scopes)].sort();
    const refresh = cred?.token ?? this.#cache.refreshToken(key);
    if (refresh) {
      const body = new URLSearchParams();
      body.set("grant_type", "refresh_token");
      body.set("refresh_token", refresh);
      if (service) body.set("service", service);
      body.set("client_id", this.#opts.userAgent);
      if (uniqueScopes.length) body.set("scope", uniqueScopes.join(" "));
      const got = await this.#tokenRequest(
        host,
        realmUrl,
        {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: body.toString(),
        },
        signal,
        true,
      );
      if (got) {
        this.#cache.set(key, { ...got, refreshToken: got.refreshToken ?? refresh });
        return got.token;
      }
    }
    const url = new URL(realmUrl);
    if (service) url.searchParams.set("service", service);
    for (const s of uniqueScopes) url.searchParams.append("scope", s);
    const headers: Record<string, string> = {};
    if (cred?.user !== undefined && cred.pass !== undefined) {
      url.searchParams.set("account", cred.user);
      headers.Authorization = `Basic ${_base64(`${cred.user}:${cred.pass}`)}`;
    }
    const got = await this.#tokenRequest(host, url, { method: "GET", headers }, signal, false);
    if (!got) {
      throw new OciError(
        ErrorCode.UNAUTHORIZED,
        `Cannot authenticate to "${host.name}": the token endpoint returned no token`,
      );
    }
    this.#cache.set(key, got);
    return got.token;
  }

  async #tokenRequest(
    host: ResolvedHost,
    url: URL,
    init: RequestInit,
    signal: AbortSignal | undefined,
    soft: boolean,
  ): Promise<ReturnType<typeof decodeTokenResponse>> {
    const ctl = new AbortController();
    const timeout = this.#opts.tokenTimeout ?? 30_000;
    const cancelTimeout = afterMs(timeout, () => ctl.abort(new Error("token request timed out")));
    const onAbort = () => ctl.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const res = await this.#opts.fetch(url, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          "User-Agent": this.#opts.userAgent,
        },
        redirect: "error",
        signal: ctl.signal,
      });
      const body = await readLimited(res, TOKEN_BODY_LIMIT);
      if (!res.ok) {
        if (soft) return undefined;
        throw registryError({
          action: "get a token for",
          subject: host.name,
          status: res.status,
          statusText: res.statusText,
          method: init.method ?? "GET",
          url: _redact(url),
          body,
          registry: host.name,
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(body));
      } catch {
        if (soft) return undefined;
        throw new OciError(
          ErrorCode.UNAUTHORIZED,
          `Cannot authenticate to "${host.name}": the token endpoint answered with something that is not JSON`,
        );
      }
      return decodeTokenResponse(json, this.#opts.now());
    } catch (err) {
      if (err instanceof OciError) {
        if (soft && !(err instanceof AbortedError) && !(err instanceof RegistryError)) {
          return undefined;
        }
        throw err;
      }
      if (signal?.aborted) throw new AbortedError(undefined, { cause: err });
      if (ctl.signal.aborted) {
        throw new OciError(
          ErrorCode.UNAUTHORIZED,
          `Cannot authenticate to "${host.name}": the token endpoint "${url.origin}" did not answer within ${timeout} ms`,
          { cause: err },
        );
      }
      if (soft) return undefined;
      throw new OciError(
        ErrorCode.UNAUTHORIZED,
        `Cannot authenticate to "${host.name}": the token endpoint "${url.origin}" failed (${
          String(err)
        })`,
        { cause: err },
      );
    } finally {
      cancelTimeout();
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

function _redact(url: URL): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.href;
}

function _base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/**
 * Who a request comes from and what it may do: Basic credentials checked
 * against the htpasswd users (failed logins rate-limited per client
 * address), then the `--access` rules for the repository and action of the
 * route. Without rules every authenticated user may do everything.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type AccessAction, type AccessPolicy, ANONYMOUS } from "./access.ts";
import { ApiError } from "./errors_body.ts";
import { type Htpasswd, parseBasicAuth } from "./htpasswd.ts";
import { LoginLimiter } from "./login_limiter.ts";
import type { Route } from "./routes.ts";

const AUTH_CACHE_MAX = 1000;
const CHALLENGE = { "WWW-Authenticate": 'Basic realm="ocictl"' };

/** The checks of one registry's requests. */
export class Authorizer {
  #auth: Htpasswd | undefined;
  #access: AccessPolicy | undefined;
  #limiter: LoginLimiter;
  #cache = new Map<string, string>();

  /**
   * Creates the checks.
   * @param auth htpasswd users, or undefined for an open registry
   * @param access access rules, or undefined
   * @param limiter failed-login limiter
   */
  constructor(
    auth: Htpasswd | undefined,
    access: AccessPolicy | undefined,
    limiter: LoginLimiter = new LoginLimiter(),
  ) {
    this.#auth = auth;
    this.#access = access;
    this.#limiter = limiter;
  }

  /**
   * Finds the user of a request.
   *
   * @param req the request
   * @param client the client's address
   * @returns the user name, {@link ANONYMOUS}, or undefined for an open registry
   * @throws {ApiError} 401 for wrong credentials (or none where the rules give anonymous nothing), 429 while an address waits
   */
  async authenticate(req: Request, client: string): Promise<string | undefined> {
    if (this.#auth === undefined && this.#access === undefined) return undefined;
    const header = req.headers.get("authorization");
    if (header === null) {
      if (this.#access?.hasAnyRule(ANONYMOUS)) return ANONYMOUS;
      throw _unauthorized();
    }
    const wait = this.#limiter.waitMs(client);
    if (wait > 0) throw _tooMany(wait);
    const creds = parseBasicAuth(header);
    if (creds !== undefined && this.#auth !== undefined) {
      const key = createHash("sha256").update(`${creds.user}\0${creds.password}`).digest("hex");
      if (this.#cache.has(key)) return creds.user;
      if (await this.#auth.verify(creds.user, creds.password)) {
        if (this.#cache.size >= AUTH_CACHE_MAX) this.#cache.clear();
        this.#cache.set(key, creds.user);
        this.#limiter.succeeded(client);
        return creds.user;
      }
    }
    const delay = this.#limiter.failed(client);
    if (delay > 0) throw _tooMany(delay);
    throw _unauthorized();
  }

  /**
   * Checks the rules for a routed request.
   *
   * @param user what {@link authenticate} returned
   * @param route the route
   * @param method the HTTP method
   * @returns nothing
   * @throws {ApiError} 401 when anonymous lacks the right, 403 `DENIED` when a user does
   */
  authorize(user: string | undefined, route: Route, method: string): void {
    if (user === undefined || this.#access === undefined) return;
    if (route.kind === "base" || route.kind === "catalog") return;
    const action = routeAction(route, method);
    if (this.#access.allows(user, route.name, action)) return;
    if (user === ANONYMOUS) throw _unauthorized();
    throw new ApiError(403, "DENIED", `Cannot ${action} "${route.name}": access denied`);
  }

  /**
   * Tells whether a user may pull a repository (catalog filtering, mounts).
   *
   * @param user what {@link authenticate} returned
   * @param repo repository name
   * @returns true when allowed
   */
  mayPull(user: string | undefined, repo: string): boolean {
    if (user === undefined || this.#access === undefined) return true;
    return this.#access.allows(user, repo, "pull");
  }
}

/**
 * The action a request takes on its repository.
 *
 * @param route a repository route
 * @param method HTTP method
 * @returns pull, push or delete
 * @throws never
 */
export function routeAction(
  route: Exclude<Route, { kind: "base" | "catalog" }>,
  method: string,
): AccessAction {
  if (method === "GET" || method === "HEAD") return "pull";
  if (method === "DELETE" && (route.kind === "manifest" || route.kind === "blob")) {
    return "delete";
  }
  return "push";
}

function _unauthorized(): ApiError {
  return new ApiError(401, "UNAUTHORIZED", "Cannot authorize: valid credentials are required", {
    headers: CHALLENGE,
  });
}

function _tooMany(ms: number): ApiError {
  const s = Math.ceil(ms / 1000);
  return new ApiError(
    429,
    "TOOMANYREQUESTS",
    `Cannot log in: too many failed attempts from this address; retry after ${s} s`,
    { headers: { "Retry-After": String(s) } },
  );
}

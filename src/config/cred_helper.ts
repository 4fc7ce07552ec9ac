/**
 * Docker credential helpers (`docker-credential-<name> get|list`): running
 * them through the {@link ConfigIo} seam, decoding their answers, and caching
 * the results for `credExpire` (failures for 5 s).
 *
 * @module
 */
import { ConfigError, ErrorCode, isErrorCode } from "../errors.ts";
import type { Credential } from "./host_settings.ts";
import type { ConfigIo } from "./config_io.ts";

/** The user name helpers return for an identity token. */
export const TOKEN_USER = "<token>";
/** How long a failed helper call is remembered before it is retried (ms). */
export const HELPER_RETRY_MS = 5000;
/** Default lifetime of helper output (ms). */
export const DEFAULT_CRED_EXPIRE_MS = 3_600_000;

/**
 * Runs `<helper> get` for one server and decodes the answer.
 *
 * @param io process access
 * @param helper binary name (`docker-credential-pass`) or path
 * @param serverUrl name written to the helper's stdin (hostname, or `https://index.docker.io/v1/`)
 * @returns the credential, or `undefined` when the helper has none for this server
 * @throws {ConfigError} when the helper is missing, exits non-zero for another
 *   reason, or prints something that is not its JSON answer
 */
export async function credHelperGet(
  io: ConfigIo,
  helper: string,
  serverUrl: string,
): Promise<Credential | undefined> {
  const res = await _run(io, helper, "get", serverUrl);
  if (res.code !== 0) {
    if (/credentials not found/i.test(res.stdout + res.stderr)) return undefined;
    throw new ConfigError(
      `Cannot get credentials for "${serverUrl}" from "${helper}": it exited with code ${res.code}${
        _tail(res.stderr || res.stdout)
      }; check the helper or log in again`,
    );
  }
  const bad = (detail: string): ConfigError =>
    new ConfigError(
      `Cannot get credentials for "${serverUrl}" from "${helper}": ${detail}; check the helper`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(res.stdout);
  } catch {
    throw bad("its output is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw bad("its output is not a JSON object");
  }
  const { Username: user, Secret: secret } = raw as Record<string, unknown>;
  if ((user !== undefined && typeof user !== "string") || typeof secret !== "string") {
    throw bad("its output lacks the string fields Username and Secret");
  }
  if (user === TOKEN_USER) return secret ? { token: secret } : undefined;
  if (!user && !secret) return undefined;
  return { user: user ?? "", pass: secret };
}

/**
 * Runs `<helper> list`: the servers the helper holds credentials for.
 *
 * @param io process access
 * @param helper binary name or path
 * @returns server URL → user name
 * @throws {ConfigError} when the helper is missing, fails, or prints junk
 */
export async function credHelperList(
  io: ConfigIo,
  helper: string,
): Promise<Record<string, string>> {
  const res = await _run(io, helper, "list", "");
  if (res.code !== 0) {
    throw new ConfigError(
      `Cannot list credentials of "${helper}": it exited with code ${res.code}${
        _tail(res.stderr || res.stdout)
      }; check the helper`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(res.stdout);
  } catch {
    raw = undefined;
  }
  if (
    typeof raw !== "object" || raw === null || Array.isArray(raw) ||
    !Object.values(raw).every((v) => typeof v === "string")
  ) {
    throw new ConfigError(
      `Cannot list credentials of "${helper}": its output is not a JSON object of strings; check the helper`,
    );
  }
  return { ...(raw as Record<string, string>) };
}

/** Options of {@link CredHelperCache}. */
export interface CredHelperCacheOptions {
  /** Clock in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
}

interface _Entry {
  until: number;
  result: Promise<Credential | undefined>;
}

/**
 * Remembers helper answers per helper and server: a success for its
 * `credExpire`, a failure for {@link HELPER_RETRY_MS}. Concurrent lookups of
 * the same server share one helper run.
 *
 * @example Cache a helper's answer
 * ```ts
 * import assert from "node:assert/strict";
 * import { CredHelperCache } from "./cred_helper.ts";
 * let runs = 0;
 * const io = {
 *   env: {},
 *   readTextFile: () => Promise.reject(new Error("unused")),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.resolve([]),
 *   run: () => {
 *     runs++;
 *     return Promise.resolve({ code: 0, stdout: '{"Username":"u","Secret":"s"}', stderr: "" });
 *   },
 * };
 * const cache = new CredHelperCache(io);
 * assert.deepEqual(await cache.get("docker-credential-x", "r.example"), { user: "u", pass: "s" });
 * await cache.get("docker-credential-x", "r.example");
 * assert.equal(runs, 1);
 * ```
 */
export class CredHelperCache {
  #io: ConfigIo;
  #now: () => number;
  #entries = new Map<string, _Entry>();

  /**
   * Creates an empty cache; nothing runs until {@link CredHelperCache.get}.
   *
   * @param io process access
   * @param options clock
   */
  constructor(io: ConfigIo, options: CredHelperCacheOptions = {}) {
    this.#io = io;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The credential of a server, from the cache or by running the helper.
   *
   * @param helper binary name or path
   * @param serverUrl name written to the helper's stdin
   * @param expireMs how long a success is reused
   * @returns the credential, or `undefined` when the helper has none
   * @throws {ConfigError} see {@link credHelperGet} (also while a failure is remembered)
   */
  get(
    helper: string,
    serverUrl: string,
    expireMs: number = DEFAULT_CRED_EXPIRE_MS,
  ): Promise<Credential | undefined> {
    const key = `${helper}\n${serverUrl}`;
    const now = this.#now();
    const hit = this.#entries.get(key);
    if (hit && now < hit.until) return hit.result;
    const entry: _Entry = { until: Number.POSITIVE_INFINITY, result: Promise.resolve(undefined) };
    entry.result = credHelperGet(this.#io, helper, serverUrl).then(
      (cred) => {
        entry.until = this.#now() + expireMs;
        return cred;
      },
      (err: unknown) => {
        entry.until = this.#now() + HELPER_RETRY_MS;
        throw err;
      },
    );
    // A remembered failure must not count as an unhandled rejection.
    entry.result.catch(() => {});
    this.#entries.set(key, entry);
    return entry.result;
  }
}

async function _run(io: ConfigIo, helper: string, verb: string, stdin: string) {
  try {
    return await io.run(helper, [verb], stdin);
  } catch (err) {
    if (isErrorCode(err, ErrorCode.NOT_FOUND)) {
      throw new ConfigError(
        `Cannot run credential helper "${helper}": it is not on PATH; install it or change credHelper`,
        { cause: err },
      );
    }
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(
      `Cannot run credential helper "${helper}": ${err instanceof Error ? err.message : err}`,
      { cause: err },
    );
  }
}

function _tail(text: string): string {
  const t = text.trim().split("\n").slice(-1)[0]?.slice(0, 200) ?? "";
  return t ? ` (${t})` : "";
}

/**
 * htpasswd files with bcrypt hashes (`htpasswd -B`), used for Basic auth by
 * `ocictl serve`.
 *
 * @module
 */
import bcrypt from "bcryptjs";
import { ConfigError } from "../errors.ts";

const BCRYPT_REGEXP = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Parsed htpasswd users, able to check a password. */
export interface Htpasswd {
  /** User names, in file order. */
  readonly users: readonly string[];
  /**
   * Checks a user's password in constant time with respect to the hash.
   *
   * @param user user name
   * @param password clear-text password
   * @returns true when the user exists and the password matches
   */
  verify(user: string, password: string): Promise<boolean>;
}

/**
 * Parses an htpasswd file. Only bcrypt hashes (`$2y$`, `$2a$`, `$2b$`) are
 * accepted; blank lines and `#` comments are skipped.
 *
 * @param text file content
 * @returns the users
 * @throws {ConfigError} a line without `user:hash`, a non-bcrypt hash, or a duplicate user
 *
 * @example Parse one user
 * ```ts
 * import { parseHtpasswd } from "./htpasswd.ts";
 * const h = parseHtpasswd("alice:$2y$05$/7vuGjnJz/6byPzO9BRmeeK/PI0KqOc9/a.ztpwlcJRFzuI1QP5Nq\n");
 * if (h.users[0] !== "alice") throw new Error("bad");
 * ```
 */
export function parseHtpasswd(text: string): Htpasswd {
  const hashes = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const idx = line.indexOf(":");
    if (idx <= 0) {
      throw new ConfigError(`Cannot parse htpasswd line ${i + 1}: expected "user:hash"`);
    }
    const user = line.slice(0, idx);
    const hash = line.slice(idx + 1);
    if (!BCRYPT_REGEXP.test(hash)) {
      throw new ConfigError(
        `Cannot parse htpasswd line ${
          i + 1
        }: user "${user}" has no bcrypt hash (create it with "htpasswd -B")`,
      );
    }
    if (hashes.has(user)) {
      throw new ConfigError(`Cannot parse htpasswd line ${i + 1}: user "${user}" appears twice`);
    }
    hashes.set(user, hash);
  });
  // An unknown user costs one bcrypt check too (of the first user's cost),
  // so the answer's timing does not tell whether the user exists.
  const cost = [...hashes.values()][0]?.slice(4, 6) ?? "10";
  const dummy = `$2b$${cost}$${"O".repeat(53)}`;
  return {
    users: [...hashes.keys()],
    async verify(user: string, password: string): Promise<boolean> {
      const hash = hashes.get(user);
      // bcryptjs only knows $2a$/$2b$; $2y$ is the same algorithm.
      const ok = await bcrypt.compare(password, (hash ?? dummy).replace(/^\$2y\$/, "$2b$"));
      return ok && hash !== undefined;
    },
  };
}

/**
 * Decodes a `Basic` `Authorization` header.
 *
 * @param header the header value, or null
 * @returns user and password, or undefined when absent or malformed
 */
export function parseBasicAuth(
  header: string | null,
): { user: string; password: string } | undefined {
  if (header === null) return undefined;
  const m = header.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!m || m[1] === undefined) return undefined;
  let decoded: string;
  try {
    const bin = atob(m[1]);
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    return undefined;
  }
  const idx = decoded.indexOf(":");
  if (idx < 0) return undefined;
  return { user: decoded.slice(0, idx), password: decoded.slice(idx + 1) };
}

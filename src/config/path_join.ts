/**
 * Joining configuration paths without `node:path`, whose import starts Deno's
 * Node compatibility layer on every registry command.
 *
 * @module
 */

const WINDOWS_BASE_REGEXP = /^[A-Za-z]:|\\/;

/**
 * Joins path segments with the separator of the first one: `\` when it is a
 * Windows path (a drive letter or a backslash, as `USERPROFILE` gives),
 * otherwise `/`. Separators at the seams are not doubled; a root (`/`, `C:\`)
 * is kept.
 *
 * @param base the first segment (a directory)
 * @param parts the segments under it
 * @returns the joined path
 * @throws never
 *
 * @example POSIX and Windows bases
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinPath } from "./path_join.ts";
 * assert.equal(joinPath("/home/me/", ".docker", "config.json"), "/home/me/.docker/config.json");
 * assert.equal(joinPath("C:\\Users\\me", ".docker", "config.json"), "C:\\Users\\me\\.docker\\config.json");
 * ```
 */
export function joinPath(base: string, ...parts: string[]): string {
  const windows = WINDOWS_BASE_REGEXP.test(base);
  const sep = windows ? "\\" : "/";
  const trailing = windows ? /[\\/]+$/ : /\/+$/;
  const leading = windows ? /^[\\/]+/ : /^\/+/;
  let out = base;
  for (const part of parts) {
    if (part === "") continue;
    const tail = part.replace(leading, "");
    // A root (`/`, `C:\`) loses its separator here and gets it back as the seam.
    out = out === "" ? tail : `${out.replace(trailing, "")}${sep}${tail}`;
  }
  return out;
}

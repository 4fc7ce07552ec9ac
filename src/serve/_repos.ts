/**
 * Finding the repositories under the served directory: every directory whose
 * path is a valid repository name and that holds an `index.json`.
 *
 * @module
 */
import type { FileSystem } from "../transport/ocidir/file_system.ts";
import { isValidRepoName } from "./routes.ts";

/** Deepest directory nesting searched (a 255-character name has at most 128 parts). */
const MAX_DEPTH = 128;
/** Most directories visited by one listing. */
const MAX_VISITS = 100_000;

/**
 * Lists the repositories under `dir`, sorted.
 *
 * @param fs file system
 * @param dir served root directory
 * @returns repository names
 */
export async function listRepositories(fs: FileSystem, dir: string): Promise<string[]> {
  const found: string[] = [];
  const queue: { path: string; name: string; depth: number }[] = [{
    path: dir,
    name: "",
    depth: 0,
  }];
  let visits = 0;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (++visits > MAX_VISITS) break;
    let names: string[];
    try {
      names = await fs.readDir(next.path);
    } catch {
      continue;
    }
    if (next.name !== "" && names.includes("index.json")) found.push(next.name);
    if (next.depth >= MAX_DEPTH) continue;
    for (const child of names) {
      const name = next.name === "" ? child : `${next.name}/${child}`;
      if (!isValidRepoName(name)) continue;
      const path = `${next.path}/${child}`;
      const info = await fs.stat(path);
      if (info?.isDirectory) queue.push({ path, name, depth: next.depth + 1 });
    }
  }
  return found.sort();
}

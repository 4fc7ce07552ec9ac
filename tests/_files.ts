/**
 * File checks shared by tests that prove what a write left on disk.
 *
 * @module
 */

/**
 * Tells whether a path exists.
 *
 * @param path a path
 * @returns true when `stat` succeeds
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Names in a layout's `blobs/sha256` that are not a stored blob (temp
 * files a failed write left behind).
 *
 * @param layout the layout directory
 * @returns the stray names (none when the folder does not exist)
 */
export async function strayBlobFiles(layout: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(`${layout}/blobs/sha256`)) {
      if (!/^[0-9a-f]{64}$/.test(e.name)) out.push(e.name);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out;
}

/**
 * The consistency rule the crash and concurrency drills check: every
 * manifest that `index.json` names exists, and so does every blob it
 * references (index children recursively), each with the right digest and
 * size.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { manifestReferences, parseManifest } from "../../src/types/manifest.ts";
import { isManifestMediaType } from "../../src/types/media_type.ts";

/** A blob to check. */
interface _Want {
  digest: string;
  size: number;
  mediaType?: string | undefined;
  from: string;
}

async function _hashFile(path: string): Promise<{ digest: string; size: number } | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch {
    return undefined;
  }
  const h = createHash("sha256");
  let size = 0;
  for await (const chunk of file.readable) {
    h.update(chunk);
    size += chunk.byteLength;
  }
  return { digest: `sha256:${h.digest("hex")}`, size };
}

/**
 * Lists what breaks the rule in one layout.
 *
 * @param dir layout directory
 * @returns one line per problem; empty when consistent
 */
export async function layoutProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  let index: { manifests?: _Want[] };
  try {
    index = JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
  } catch (err) {
    return [`${dir}/index.json: ${(err as Error).message}`];
  }
  if (!Array.isArray(index.manifests)) return [`${dir}/index.json: no manifests list`];
  const queue: _Want[] = index.manifests.map((m) => ({ ...m, from: "index.json" }));
  const seen = new Set<string>();
  for (let w = queue.shift(); w !== undefined; w = queue.shift()) {
    if (seen.has(w.digest)) continue;
    seen.add(w.digest);
    const [alg, hex] = w.digest.split(":");
    const path = `${dir}/blobs/${alg}/${hex}`;
    const got = await _hashFile(path);
    if (got === undefined) {
      problems.push(`${w.digest} (from ${w.from}) is missing`);
      continue;
    }
    if (got.digest !== w.digest || got.size !== w.size) {
      problems.push(
        `${w.digest} (from ${w.from}) has ${got.digest} ${got.size}, want size ${w.size}`,
      );
      continue;
    }
    if (w.mediaType === undefined || !isManifestMediaType(w.mediaType)) continue;
    try {
      const m = await parseManifest(await Deno.readFile(path), { mediaType: w.mediaType });
      for (const d of manifestReferences(m)) {
        queue.push({ digest: d.digest, size: d.size, mediaType: d.mediaType, from: w.digest });
      }
    } catch (err) {
      problems.push(`${w.digest}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/**
 * Lists what breaks the rule in every repository under a `serve` directory.
 *
 * @param dir the served directory
 * @returns one line per problem, prefixed with the repository
 */
export async function serveDirProblems(dir: string): Promise<string[]> {
  const problems: string[] = [];
  async function walk(path: string, name: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(path));
    } catch {
      return;
    }
    if (entries.some((e) => e.name === "index.json")) {
      for (const p of await layoutProblems(path)) problems.push(`${name}: ${p}`);
    }
    for (const e of entries) {
      if (e.isDirectory && e.name !== "blobs" && !e.name.startsWith(".")) {
        await walk(`${path}/${e.name}`, name === "" ? e.name : `${name}/${e.name}`);
      }
    }
  }
  await walk(dir, "");
  return problems;
}

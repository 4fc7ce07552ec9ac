/**
 * Garbage collection for `ocictl serve gc --dir DIR`: in every repository
 * under the directory, removes the blobs no manifest of `index.json` reaches.
 *
 * @module
 */
import { isDigest } from "../types/digest.ts";
import { denoFileSystem, type FileSystem } from "../transport/ocidir/file_system.ts";
import { readLayout } from "../transport/ocidir/layout.ts";
import { withLayoutLock } from "../transport/ocidir/lock.ts";
import { withGcExclusive } from "../transport/ocidir/gc_lock.ts";
import { walkBlobs } from "../transport/ocidir/gc.ts";
import { listRepositories } from "./_repos.ts";

/** Options of {@link collectGarbage}. */
export interface GcOptions {
  /** File system. @default denoFileSystem */
  fs?: FileSystem | undefined;
  /** Clock in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
  /**
   * Files younger than this many milliseconds are kept: a client may have
   * pushed the blob and not yet the manifest that uses it. @default 3_600_000
   */
  gracePeriodMs?: number | undefined;
  /** Only report what would be removed. @default false */
  dryRun?: boolean | undefined;
}

/** What {@link collectGarbage} did. */
export interface GcReport {
  /** Repositories visited. */
  repositories: string[];
  /** Blobs removed (or that would be, in a dry run). */
  removed: { repository: string; digest: string; size: number }[];
  /** Stale temp and upload files removed. */
  staleFiles: number;
}

/**
 * Removes unreferenced blobs from every repository under `dir`. Each
 * repository is handled under its layout lock (the one every write takes),
 * walking `index.json` → manifests → configs, layers and children; blobs
 * and leftover temp files younger than the grace period are kept.
 *
 * @param dir the directory `ocictl serve` serves
 * @param options file system, clock, grace period, dry run
 * @returns what was removed
 * @throws {LayoutError} when a repository's layout is broken (nothing is removed from it)
 *
 * @example Collect an empty directory
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { collectGarbage } from "./gc.ts";
 * const dir = await Deno.makeTempDir();
 * const report = await collectGarbage(dir);
 * equal(report.removed.length, 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function collectGarbage(dir: string, options: GcOptions = {}): Promise<GcReport> {
  const fs = options.fs ?? denoFileSystem;
  const now = options.now ?? Date.now;
  const grace = options.gracePeriodMs ?? 60 * 60 * 1000;
  const dryRun = options.dryRun === true;
  const report: GcReport = { repositories: [], removed: [], staleFiles: 0 };
  const isOld = (mtime: number | undefined) => mtime !== undefined && mtime < now() - grace;

  for (const repository of await listRepositories(fs, dir)) {
    const path = `${dir}/${repository}`;
    report.repositories.push(repository);
    // Exclusive GC lock first: a copy into this layout by another process
    // (which holds the shared lease) finishes before anything is removed.
    await withGcExclusive(fs, path, () =>
      withLayoutLock(fs, path, async () => {
        const index = await readLayout(fs, path);
        const reachable = new Set<string>();
        await walkBlobs(fs, path, index.manifests, (digest) => reachable.add(digest));
        for (const name of await fs.readDir(path)) {
          if (!name.endsWith(".tmp")) continue;
          const info = await fs.stat(`${path}/${name}`);
          if (info?.isFile !== true || !isOld(info.mtime)) continue;
          report.staleFiles++;
          if (!dryRun) await fs.remove(`${path}/${name}`).catch(() => {});
        }
        let algorithms: string[];
        try {
          algorithms = await fs.readDir(`${path}/blobs`);
        } catch {
          return;
        }
        for (const alg of algorithms) {
          const folder = `${path}/blobs/${alg}`;
          if (!(await fs.stat(folder))?.isDirectory) continue;
          for (const name of await fs.readDir(folder)) {
            const file = `${folder}/${name}`;
            const digest = `${alg}:${name}`;
            if (reachable.has(digest)) continue;
            const info = await fs.stat(file);
            if (info === undefined || !info.isFile || !isOld(info.mtime)) continue;
            if (isDigest(digest)) {
              report.removed.push({ repository, digest, size: info.size });
            } else if (name.endsWith(".tmp")) {
              report.staleFiles++;
            } else {
              continue;
            }
            if (!dryRun) await fs.remove(file).catch(() => {});
          }
        }
      }));
  }
  const uploads = `${dir}/.uploads`;
  if ((await fs.stat(uploads))?.isDirectory) {
    for (const name of await fs.readDir(uploads)) {
      const info = await fs.stat(`${uploads}/${name}`);
      if (info?.isFile !== true || !isOld(info.mtime)) continue;
      report.staleFiles++;
      if (!dryRun) await fs.remove(`${uploads}/${name}`).catch(() => {});
    }
  }
  return report;
}

/**
 * An in-memory {@link ConfigIo} for tests: files in a map, directories
 * derived from file paths, and a scripted `run`.
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import type { ConfigDirEntry, ConfigFileInfo, ConfigIo, RunResult } from "./config_io.ts";

/** A recorded program run. */
export interface RunCall {
  cmd: string;
  args: string[];
  stdin: string;
}

/** In-memory seam with inspection helpers. */
export interface MemoryIo extends ConfigIo {
  files: Map<string, { text: string; mode: number }>;
  writes: string[];
  runs: RunCall[];
}

/**
 * Creates an in-memory seam.
 *
 * @param files initial files (path → text, mode 0644)
 * @param env environment
 * @param run program behaviour (default: not found)
 * @returns the seam
 */
export function memoryIo(
  files: Record<string, string> = {},
  env: Record<string, string> = {},
  run?: (call: RunCall) => RunResult,
): MemoryIo {
  const map = new Map(Object.entries(files).map(([p, text]) => [p, { text, mode: 0o644 }]));
  const io: MemoryIo = {
    files: map,
    writes: [],
    runs: [],
    env,
    readTextFile(path) {
      const f = map.get(path);
      return f
        ? Promise.resolve(f.text)
        : Promise.reject(new NotFoundError(`Cannot find "${path}"`));
    },
    writeTextFileAtomic(path, text, { mode }) {
      io.writes.push(path);
      map.set(path, { text, mode });
      return Promise.resolve();
    },
    stat(path): Promise<ConfigFileInfo | undefined> {
      const f = map.get(path);
      if (f) return Promise.resolve({ isFile: true, isDirectory: false, mode: f.mode });
      const isDir = [...map.keys()].some((k) => k.startsWith(path + "/"));
      return Promise.resolve(isDir ? { isFile: false, isDirectory: true, mode: 0o755 } : undefined);
    },
    readDir(path): Promise<ConfigDirEntry[]> {
      const prefix = path + "/";
      const out = new Map<string, ConfigDirEntry>();
      for (const k of map.keys()) {
        if (!k.startsWith(prefix)) continue;
        const rest = k.slice(prefix.length);
        const slash = rest.indexOf("/");
        const name = slash < 0 ? rest : rest.slice(0, slash);
        out.set(name, { name, isFile: slash < 0, isDirectory: slash >= 0 });
      }
      if (out.size === 0) return Promise.reject(new NotFoundError(`Cannot find "${path}"`));
      return Promise.resolve([...out.values()]);
    },
    run(cmd, args, stdin) {
      const call = { cmd, args, stdin };
      io.runs.push(call);
      if (!run) return Promise.reject(new NotFoundError(`Cannot run "${cmd}"`));
      try {
        return Promise.resolve(run(call));
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
  return io;
}

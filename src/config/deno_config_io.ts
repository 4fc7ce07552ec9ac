/**
 * {@link denoConfigIo}: the {@link ConfigIo} seam backed by Deno's file,
 * environment and process APIs. With its two private modules
 * (`_deno_write_atomic.ts`, `_deno_run.ts`) the only files of `src/config/`
 * that call `Deno.*`.
 *
 * Reads, stats and directory listings use Deno's synchronous calls: the
 * files are small (capped by `maxFileSize`) and each asynchronous call is a
 * round trip through Deno's blocking thread pool. For the four or five calls
 * of a registry command that is 0.8 ms of start-up (2.3 ms → 1.5 ms for
 * resolving the hosts, measured with `performance.now()` around it).
 *
 * Writing a file and running a program are rare (saving the config, a
 * credential helper); their code is loaded on first use.
 *
 * @module
 */
import { NotFoundError, SizeLimitError } from "../errors.ts";
import type { ConfigDirEntry, ConfigFileInfo, ConfigIo, RunResult } from "./config_io.ts";

/** Options of {@link denoConfigIo}. */
export interface DenoConfigIoOptions {
  /** Environment seen by the config code and by helpers. @default Deno.env.toObject() */
  env?: Record<string, string> | undefined;
  /** Milliseconds a helper may run before it is killed. @default 60000 */
  runTimeout?: number | undefined;
  /** Largest file `readTextFile` reads. @default 16 MiB */
  maxFileSize?: number | undefined;
}

const DEFAULT_MAX_FILE = 16 * 1024 * 1024;

/**
 * Creates the real configuration I/O seam.
 *
 * @param options environment override, helper timeout, file size cap
 * @returns the seam
 * @throws {Deno.errors.NotCapable} when `--allow-env` is missing and no `env` is given
 *
 * @example Read the environment through the seam
 * ```ts
 * import assert from "node:assert/strict";
 * import { denoConfigIo } from "./deno_config_io.ts";
 * const io = denoConfigIo({ env: { HOME: "/home/me" } });
 * assert.equal(io.env.HOME, "/home/me");
 * ```
 */
export function denoConfigIo(options: DenoConfigIoOptions = {}): ConfigIo {
  const env = options.env ?? Deno.env.toObject();
  const runTimeout = options.runTimeout ?? 60_000;
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE;
  return {
    env,
    readTextFile(path: string): Promise<string> {
      return _settle(() => {
        let info: Deno.FileInfo;
        try {
          info = Deno.statSync(path);
        } catch (err) {
          throw _mapNotFound(err, path);
        }
        if (info.size > maxFileSize) throw new SizeLimitError(`"${path}"`, maxFileSize);
        try {
          return Deno.readTextFileSync(path);
        } catch (err) {
          throw _mapNotFound(err, path);
        }
      });
    },
    async writeTextFileAtomic(path, text, options): Promise<void> {
      // loaded on first use: only the commands that save a config file write
      const { denoWriteTextFileAtomic } = await import("./_deno_write_atomic.ts");
      await denoWriteTextFileAtomic(path, text, options);
    },
    stat(path: string): Promise<ConfigFileInfo | undefined> {
      return _settle(() => {
        try {
          const info = Deno.statSync(path);
          return {
            isFile: info.isFile,
            isDirectory: info.isDirectory,
            mode: info.mode === null ? undefined : info.mode & 0o7777,
          };
        } catch (err) {
          if (err instanceof Deno.errors.NotFound) return undefined;
          throw err;
        }
      });
    },
    readDir(path: string): Promise<ConfigDirEntry[]> {
      return _settle(() => {
        const out: ConfigDirEntry[] = [];
        try {
          for (const e of Deno.readDirSync(path)) {
            let isFile = e.isFile;
            let isDirectory = e.isDirectory;
            if (e.isSymlink) {
              const info = _statOrUndefined(`${path}/${e.name}`);
              isFile = info?.isFile ?? false;
              isDirectory = info?.isDirectory ?? false;
            }
            out.push({ name: e.name, isFile, isDirectory });
          }
        } catch (err) {
          throw _mapNotFound(err, path);
        }
        return out;
      });
    },
    async run(cmd: string, args: string[], stdin: string): Promise<RunResult> {
      // loaded on first use: only a host with a credential helper runs a program
      const { denoRun } = await import("./_deno_run.ts");
      return await denoRun(cmd, args, stdin, env, runTimeout);
    },
  };
}

/** Runs a synchronous step and hands its result or error over as a promise. */
function _settle<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err);
  }
}

function _statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}

function _mapNotFound(err: unknown, path: string): unknown {
  if (err instanceof Deno.errors.NotFound) {
    return new NotFoundError(`Cannot find "${path}"`, { cause: err });
  }
  return err;
}

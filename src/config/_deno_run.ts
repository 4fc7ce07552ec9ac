/**
 * Running a program for {@link ./deno_config_io.ts}, loaded on first use:
 * only a host with a credential helper runs one.
 *
 * @module
 */
import { ConfigError, NotFoundError } from "../errors.ts";
import type { RunResult } from "./config_io.ts";
import { afterMs } from "../timers.ts";

/**
 * Runs a program found on `env.PATH` with only `env` as its environment,
 * feeding `stdin` and collecting output; kills it after `timeout`.
 *
 * @param cmd program name or path
 * @param args arguments
 * @param stdin text written to its stdin (then closed)
 * @param env its whole environment
 * @param timeout milliseconds it may run
 * @returns exit code and output
 * @throws {NotFoundError} when the program does not exist
 * @throws {ConfigError} when it runs past the timeout
 */
export async function denoRun(
  cmd: string,
  args: string[],
  stdin: string,
  env: Record<string, string>,
  timeout: number,
): Promise<RunResult> {
  const ac = new AbortController();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: ac.signal,
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new NotFoundError(`Cannot run "${cmd}": the program is not on PATH`, { cause: err });
    }
    throw err;
  }
  const cancelTimeout = afterMs(timeout, () => ac.abort());
  try {
    const writer = child.stdin.getWriter();
    // A helper may exit without reading stdin; a broken pipe is not an error here.
    await writer.write(new TextEncoder().encode(stdin)).catch(() => {});
    await writer.close().catch(() => {});
    const out = await child.output();
    if (ac.signal.aborted) {
      throw new ConfigError(
        `Cannot run "${cmd}": it did not finish within ${timeout} ms`,
      );
    }
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    cancelTimeout();
  }
}

/**
 * The `ocictl` executable: wires the process (streams, environment, signals,
 * host platform) to the CLI runner and exits with its code.
 *
 * @module
 */
import { createTransportFactory } from "./src/client.ts";
import type { CliIo } from "./src/cli/context.ts";
import { runCli } from "./src/cli/run.ts";
import { hostPlatform } from "./src/types/platform.ts";
import { VERBS } from "./plugins/mod.ts";

/**
 * Builds the process seams from `Deno`.
 *
 * @param signal aborted on SIGINT/SIGTERM
 * @returns the seams
 * @throws never
 */
export function denoIo(signal: AbortSignal): CliIo {
  return {
    stdout: Deno.stdout.writable,
    stderr: Deno.stderr.writable,
    stdin: Deno.stdin.readable,
    env: Deno.env.toObject(),
    signal,
    isTerminal: {
      stdin: Deno.stdin.isTerminal(),
      stdout: Deno.stdout.isTerminal(),
      stderr: Deno.stderr.isTerminal(),
    },
    transports: createTransportFactory(),
    platform: hostPlatform(Deno.build),
    readFile: (path) => Deno.readTextFileSync(path),
  };
}

/**
 * Runs ocictl with the process arguments and returns the exit code.
 *
 * @param args arguments after the program name
 * @returns the exit code
 * @throws never
 */
export async function main(args: readonly string[]): Promise<number> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, abort);
  try {
    return await runCli(args, denoIo(controller.signal), VERBS);
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, abort);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

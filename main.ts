/**
 * The `ocictl` executable: wires the process (streams, environment, signals,
 * host platform) to the CLI runner and exits with its code.
 *
 * @module
 */
import { createTransportFactory } from "./src/client.ts";
import { denoConfigIo } from "./src/config/deno_config_io.ts";
import { AbortedError } from "./src/errors.ts";
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
  const tty = Deno.stdin.isTerminal();
  // Deno's stream objects are built on first use: output lines go through
  // writeDirect, and only pipes and bodies read from stdin need them.
  let stdout: WritableStream<Uint8Array> | undefined;
  let stderr: WritableStream<Uint8Array> | undefined;
  let stdin: ReadableStream<Uint8Array> | undefined;
  return {
    get stdout() {
      return stdout ??= Deno.stdout.writable;
    },
    get stderr() {
      return stderr ??= Deno.stderr.writable;
    },
    get stdin() {
      return stdin ??= Deno.stdin.readable;
    },
    writeDirect: {
      stdout: (bytes) => writeAllTo(Deno.stdout, bytes),
      stderr: (bytes) => writeAllTo(Deno.stderr, bytes),
    },
    env: Deno.env.toObject(),
    signal,
    isTerminal: {
      stdin: Deno.stdin.isTerminal(),
      stdout: Deno.stdout.isTerminal(),
      stderr: Deno.stderr.isTerminal(),
    },
    // the config reader is in the start-up code already (the CLI context uses
    // it): handed over here, a registry command imports no module for it
    transports: createTransportFactory({ registry: { configIo: (env) => denoConfigIo({ env }) } }),
    platform: hostPlatform(Deno.build),
    readFile: (path) => Deno.readTextFileSync(path),
    ...(tty
      ? {
        readSecret: (prompt: string) => readTerminalLine(prompt, false),
        readLine: (prompt: string) => readTerminalLine(prompt, true),
      }
      : {}),
  };
}

/**
 * Writes all of `bytes` to a standard stream (a write may take only part).
 *
 * @param to `Deno.stdout` or `Deno.stderr`
 * @param bytes what to write
 * @returns once every byte is written
 * @throws {Deno.errors.BrokenPipe} when the reader has gone, like the stream would
 */
export async function writeAllTo(
  to: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  let at = 0;
  while (at < bytes.byteLength) at += await to.write(bytes.subarray(at));
}

/**
 * Reads one line from the terminal, optionally without echo (stdin in raw
 * mode: Enter ends the line, Backspace erases, Ctrl-C or Ctrl-D cancel).
 *
 * @param prompt written to stderr first
 * @param echo whether the typed text is shown
 * @returns the line without its end
 * @throws {AbortedError} on Ctrl-C, or Ctrl-D on an empty line
 */
export async function readTerminalLine(prompt: string, echo: boolean): Promise<string> {
  const enc = new TextEncoder();
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  // Raw mode first: a password typed as soon as the prompt shows is never echoed.
  Deno.stdin.setRaw(true);
  try {
    await Deno.stderr.write(enc.encode(prompt));
    for (;;) {
      const n = await Deno.stdin.read(one);
      const c = one[0] ?? 0;
      if (n === null || c === 4 && bytes.length === 0 || c === 3) {
        throw new AbortedError("Cannot read from the terminal: input cancelled");
      }
      if (c === 13 || c === 10) break;
      if (c === 127 || c === 8) {
        if (bytes.length > 0) {
          bytes.pop();
          if (echo) await Deno.stderr.write(enc.encode("\b \b"));
        }
        continue;
      }
      bytes.push(c);
      if (echo) await Deno.stderr.write(one);
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(enc.encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
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

/**
 * Runs the CLI in-process with captured stdout/stderr, for CLI tests.
 *
 * @module
 */
import { createTransportFactory, type TransportFactory } from "../src/client.ts";
import type { Platform } from "../src/types/descriptor.ts";
import type { CliIo } from "../src/cli/context.ts";
import { runCli as run } from "../src/cli/run.ts";
import { VERBS } from "../plugins/mod.ts";

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Bytes on stdin. @default empty */
  stdin?: Uint8Array | string | ReadableStream<Uint8Array> | undefined;
  /** Environment. @default {} */
  env?: Record<string, string> | undefined;
  /** Transport factory. @default createTransportFactory() */
  transports?: TransportFactory | undefined;
  /** Host platform. @default linux/amd64 */
  platform?: Platform | undefined;
  /** Cancels the run. */
  signal?: AbortSignal | undefined;
}

/** What a run produced. */
export interface RunCliResult {
  /** Exit code. */
  code: number;
  /** stdout as text. */
  stdout: string;
  /** stdout bytes. */
  stdoutBytes: Uint8Array;
  /** stderr as text. */
  stderr: string;
}

function _collector(): { stream: WritableStream<Uint8Array>; bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  return {
    stream: new WritableStream<Uint8Array>({
      write(chunk) {
        chunks.push(chunk.slice());
      },
    }),
    bytes: () => {
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.byteLength;
      }
      return out;
    },
  };
}

/**
 * Runs ocictl in-process.
 *
 * @param argv arguments after the program name
 * @param options stdin, env, transports, platform, signal
 * @returns exit code and captured output
 */
export async function runCli(
  argv: readonly string[],
  options: RunCliOptions = {},
): Promise<RunCliResult> {
  const out = _collector();
  const err = _collector();
  const input = options.stdin ?? new Uint8Array();
  const stdin = input instanceof ReadableStream
    ? input
    : ReadableStream.from([typeof input === "string" ? new TextEncoder().encode(input) : input]);
  const code = await run(argv, {
    stdout: out.stream,
    stderr: err.stream,
    stdin,
    env: options.env ?? {},
    signal: options.signal ?? new AbortController().signal,
    isTerminal: { stdin: false, stdout: false, stderr: false },
    transports: options.transports ?? createTransportFactory(),
    platform: options.platform ?? { os: "linux", architecture: "amd64" },
  }, VERBS);
  if (!stdin.locked) await stdin.cancel().catch(() => {});
  const dec = new TextDecoder();
  const stdoutBytes = out.bytes();
  return { code, stdout: dec.decode(stdoutBytes), stdoutBytes, stderr: dec.decode(err.bytes()) };
}

/**
 * Process seams that read nothing and discard all output, for tests that
 * build command trees or parse without looking at what a verb prints.
 *
 * @param over seams to use instead (e.g. a capturing stdout)
 * @returns the seams
 */
export function quietIo(over: Partial<CliIo> = {}): CliIo {
  return {
    stdout: new WritableStream(),
    stderr: new WritableStream(),
    stdin: ReadableStream.from<Uint8Array>([]),
    env: {},
    signal: new AbortController().signal,
    isTerminal: { stdin: false, stdout: false, stderr: false },
    transports: createTransportFactory(),
    platform: { os: "linux", architecture: "amd64" },
    ...over,
  };
}

/**
 * What every command gets: its I/O streams, environment, cancellation signal,
 * transports, host settings, logger and host platform. Tests build one with
 * in-memory streams and run the CLI in-process.
 *
 * @module
 */
import { Client, type TransportFactory, type TransportSettings } from "../client.ts";
import type { ConfigIo } from "../config/config_io.ts";
import { denoConfigIo } from "../config/deno_config_io.ts";
import type { Platform } from "../types/descriptor.ts";
import type { GlobalOptions } from "./global_options.ts";
import { createLogger, type Logger, type LogLevel } from "./logger.ts";
import { type DirectWrite, StreamSink } from "./stream_sink.ts";

/** Which standard streams are terminals. */
export interface TerminalFlags {
  /** stdin is a terminal. */
  stdin: boolean;
  /** stdout is a terminal. */
  stdout: boolean;
  /** stderr is a terminal. */
  stderr: boolean;
}

/** Writes to stdout and stderr that need no stream objects. */
export interface DirectWrites {
  /** Writes all bytes to stdout. */
  stdout: DirectWrite;
  /** Writes all bytes to stderr. */
  stderr: DirectWrite;
}

/**
 * The process-level seams: given by `main.ts`, or by the test harness.
 * `main.ts` gives `stdout`, `stderr` and `stdin` as getters that build
 * Deno's stream objects on first read (3–4 ms of start-up), so the CLI reads
 * them only when it pipes or reads a body.
 */
export interface CliIo {
  /** Results go here. */
  stdout: WritableStream<Uint8Array>;
  /** Logs and errors go here. */
  stderr: WritableStream<Uint8Array>;
  /** Bodies for `put` verbs come from here. */
  stdin: ReadableStream<Uint8Array>;
  /** Writes to stdout and stderr without their streams; absent = through the streams. */
  writeDirect?: DirectWrites | undefined;
  /** Environment variables. */
  env: Record<string, string>;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Which streams are terminals. */
  isTerminal: TerminalFlags;
  /** Creates the transport for a scheme. */
  transports: TransportFactory;
  /** The host platform (for `--platform local` and defaults). */
  platform: Platform;
  /** Reads a text file for `{{file "path"}}` in templates; absent = empty text. */
  readFile?: ((path: string) => string) | undefined;
  /**
   * Asks the terminal for a line without echoing it (passwords). Absent when
   * stdin is not a terminal or the embedder gives no prompt.
   */
  readSecret?: ((prompt: string) => Promise<string>) | undefined;
  /**
   * Asks the terminal for a line with echo (user names). Absent when stdin is
   * not a terminal or the embedder gives no prompt.
   */
  readLine?: ((prompt: string) => Promise<string>) | undefined;
  /** Config file I/O for the `registry` and `config` verbs. @default denoConfigIo({ env }) */
  configIo?: ConfigIo | undefined;
}

/** Everything a command needs, built once the root flags are parsed. */
export interface CliContext extends CliIo {
  /** Raw `--host` values, for the registry transport. */
  hostFlags: string[];
  /** What the client hands to the transport factory (env, `--host`, User-Agent, logger). */
  transportSettings: TransportSettings;
  /** Config file I/O. */
  configIo: ConfigIo;
  /** `--user-agent` override. */
  userAgent: string | undefined;
  /** Log level in force. */
  verbosity: LogLevel;
  /** The logger (stderr). */
  logger: Logger;
  /** Serialised writer to stdout. */
  out: StreamSink;
  /** Serialised writer to stderr. */
  err: StreamSink;
  /** Client over {@link CliIo.transports}; closed by the runner after the command. */
  client: Client;
}

/**
 * Builds a command context from the process seams and the root flags.
 *
 * @param io streams, env, signal, transports, platform, prompts, config I/O
 * @param globals parsed root flags
 * @param sinks writers to reuse for stdout and stderr (so that writes stay ordered)
 * @returns the context (its client must be closed after the command)
 * @throws never
 */
export function createCliContext(
  io: CliIo,
  globals: GlobalOptions,
  sinks?: { out: StreamSink; err: StreamSink },
): CliContext {
  const out = sinks?.out ?? new StreamSink(() => io.stdout, io.writeDirect?.stdout);
  const err = sinks?.err ?? new StreamSink(() => io.stderr, io.writeDirect?.stderr);
  const logger = createLogger({
    level: globals.verbosity,
    json: globals.logopt.includes("json"),
    write: (line) => {
      err.write(line).catch(() => {});
    },
    // the start-up timeline of -v debug: performance.now() counts from process start
    elapsed: () => performance.now(),
  });
  const transportSettings: TransportSettings = {
    env: io.env,
    hostFlags: [...globals.host],
    userAgent: globals.userAgent,
    logger: {
      debug: (msg, data) => logger.debug(msg, data),
      // Retries are progress, not problems: shown with -v info.
      warn: (msg, data) =>
        msg.startsWith("Retrying ") ? logger.info(msg, data) : logger.warn(msg, data),
    },
  };
  // The seams' own properties are copied as they are: a getter (main.ts's
  // streams) stays a getter, read only when a command needs it.
  const seams = Object.defineProperties({}, Object.getOwnPropertyDescriptors(io)) as CliIo;
  return Object.assign(seams, {
    hostFlags: [...globals.host],
    transportSettings,
    configIo: io.configIo ?? denoConfigIo({ env: io.env }),
    userAgent: globals.userAgent,
    verbosity: globals.verbosity,
    logger,
    out,
    err,
    client: new Client({
      transports: io.transports,
      signal: io.signal,
      settings: transportSettings,
    }),
  });
}

/**
 * Runs regbot scripts: one script in a fresh sandboxed Lua engine with the
 * API bound to a client of its own ({@link runBotScript}), every script of a
 * config once ({@link runBotOnce}), or each on its schedule
 * ({@link runBotServer}, on the shared scheduler).
 *
 * @module
 */
import { AbortedError, ScriptError, UsageError } from "../errors.ts";
import type { Client } from "../client.ts";
import type { Logger } from "../cli/logger.ts";
import type { OciFileSystem } from "../transport/ocifile/file_system.ts";
import type { Platform } from "../types/descriptor.ts";
import { _Limiter, _mapLimited } from "../ops/_limiter.ts";
import { type Clock, Scheduler } from "../schedule/scheduler.ts";
import { BotApi } from "./bot_api.ts";
import type { BotConfig, BotScript } from "./bot_config.ts";
import { BOT_PRELUDE } from "./lua_prelude.ts";
import { checkLuaSyntax, runLua } from "./lua_runtime.ts";

/** A client for one script run and the headers of its last manifest response. */
export interface BotClient {
  /** The client; closed after the script. */
  client: Client;
  /** Headers of the last manifest response (for rate limits). */
  lastHeaders: () => Headers | undefined;
}

/** Options of {@link runBotScript} and {@link runBotOnce}. */
export interface BotRunOptions {
  /** Creates the client of one script run. */
  createClient: (script: BotScript) => BotClient;
  /** Where log records go. */
  logger: Logger;
  /** Skip every write, logging what would be done. @default false */
  dryRun?: boolean | undefined;
  /** Stops every script (Ctrl-C, SIGTERM). */
  signal: AbortSignal;
  /** Platform for `manifest.get` of an index. */
  platform: Platform;
  /** Files for `image.exportTar`/`importTar`. */
  fs?: OciFileSystem | undefined;
  /** Where `print` writes. */
  print?: ((text: string) => void) | undefined;
  /** Keep the whole Lua standard library and allow local (ocidir, ocifile) references. @default false */
  unsafe?: boolean | undefined;
  /** Memory bound of each script's Lua heap in bytes. */
  memoryBytes?: number | undefined;
  /** Largest config blob read into memory, in bytes. @default 8 MiB */
  blobLimit?: number | undefined;
  /** Bounds heavy calls across scripts. @default one at a time */
  throttle?: _Limiter | undefined;
}

/**
 * Runs one script under its timeout.
 *
 * @param script the script (name, source, timeout)
 * @param options client factory, logger, dry-run, signal, platform, files
 * @returns nothing
 * @throws {ScriptError} when the script fails, times out or uses too much memory
 * @throws {AbortedError} when `signal` is aborted
 */
export async function runBotScript(script: BotScript, options: BotRunOptions): Promise<void> {
  const timeout = new AbortController();
  // setTimeout fires at once past 2^31 ms: a timeout of weeks is left to the Lua hook alone.
  const timer = script.timeoutMs > 0 && script.timeoutMs <= 2 ** 31 - 1
    ? setTimeout(
      () =>
        timeout.abort(
          new ScriptError(
            script.name,
            "timeout",
            `Cannot finish script "${script.name}": stopped after its timeout of ${script.timeoutMs} ms (raise "timeout" in the config, or make the script shorter)`,
          ),
        ),
      script.timeoutMs,
    )
    : undefined;
  const signal = AbortSignal.any([options.signal, timeout.signal]);
  const { client, lastHeaders } = options.createClient(script);
  const api = new BotApi({
    script: script.name,
    client,
    logger: options.logger,
    dryRun: options.dryRun,
    signal,
    platform: options.platform,
    throttle: options.throttle,
    blobLimit: options.blobLimit,
    fs: options.fs,
    localRefs: options.unsafe === true,
    lastHeaders,
  });
  options.logger.debug("Starting script", { script: script.name });
  try {
    await runLua(script.script, {
      name: script.name,
      timeoutMs: script.timeoutMs,
      memoryBytes: options.memoryBytes,
      unsafe: options.unsafe,
      signal,
      prelude: BOT_PRELUDE,
      print: options.print,
      globals: api.globals(),
    });
  } catch (err) {
    if (options.signal.aborted) {
      throw options.signal.reason instanceof Error ? options.signal.reason : new AbortedError();
    }
    if (timeout.signal.aborted) throw timeout.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    await api.close();
    await client.close();
  }
  options.logger.debug("Finished script", { script: script.name });
}

/**
 * Runs every script once: one at a time, or up to `defaults.parallel` at
 * once. A failing script does not stop the others.
 *
 * @param config the parsed config
 * @param options client factory, logger, dry-run, signal, platform, files
 * @returns nothing
 * @throws {ScriptError} the first script failure, after every script ran
 * @throws {AbortedError} when `signal` is aborted
 *
 * @example One script against an in-memory registry
 * ```ts
 * import { Client } from "../client.ts";
 * import { createLogger } from "../cli/logger.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { parseBotConfig } from "./bot_config.ts";
 * import { runBotOnce } from "./run_bot.ts";
 * const memory = new MemoryTransport();
 * await runBotOnce(parseBotConfig("scripts:\n  - name: a\n    script: log('hello')\n"), {
 *   createClient: () => ({
 *     client: new Client({ transports: () => memory }),
 *     lastHeaders: () => undefined,
 *   }),
 *   logger: createLogger({ write: () => {} }),
 *   signal: new AbortController().signal,
 *   platform: { os: "linux", architecture: "amd64" },
 * });
 * ```
 */
export async function runBotOnce(config: BotConfig, options: BotRunOptions): Promise<void> {
  await checkBotScripts(config);
  const parallel = Math.max(1, config.defaults.parallel);
  const opts = _withDefaults(config, options);
  let first: unknown;
  await _mapLimited(config.scripts, parallel, async (s) => {
    try {
      await runBotScript(s, opts);
    } catch (err) {
      if (options.signal.aborted) throw err;
      _logFailure(options.logger, s.name, err);
      first ??= err;
    }
  });
  if (first !== undefined) throw first;
}

/**
 * Compiles every script of a config, so that a syntax error stops the run
 * before any script runs.
 *
 * @param config the parsed config
 * @returns nothing
 * @throws {UsageError} naming the script, its line in the config and the Lua line (exit 2, as a bad config)
 */
export async function checkBotScripts(config: BotConfig): Promise<void> {
  for (const s of config.scripts) {
    try {
      await checkLuaSyntax(s.script, s.name);
    } catch (err) {
      const e = err as ScriptError;
      const at = s.line > 0 ? `line ${s.line}: ` : "";
      const lua = e.line === undefined ? "" : ` at script line ${e.line}`;
      const detail = e.message.replace(/^.*syntax error( at line \d+)?: /, "");
      throw new UsageError(
        `Cannot load the bot config: ${at}script "${s.name}" has a Lua syntax error${lua}: ${detail} (fix the script)`,
        { cause: err },
      );
    }
  }
}

function _withDefaults(config: BotConfig, options: BotRunOptions): BotRunOptions {
  const memory = config.defaults.memoryBytes > 0 ? config.defaults.memoryBytes : undefined;
  return {
    ...options,
    unsafe: options.unsafe ?? config.defaults.unsafe,
    memoryBytes: options.memoryBytes ?? memory,
    blobLimit: options.blobLimit ?? (config.defaults.blobLimit || undefined),
    throttle: options.throttle ?? new _Limiter(Math.max(1, config.defaults.parallel)),
  };
}

function _logFailure(logger: Logger, script: string, err: unknown): void {
  logger.error("Error running script", {
    script,
    error: err instanceof Error ? err.message : String(err),
  });
}

/**
 * Runs each script on its `schedule` or `interval` until `signal` aborts,
 * as `regbot server` does: nothing runs at start, one script never runs
 * twice at once, a failing run is logged and the script stays scheduled,
 * and scripts with neither timing are logged and left out. On abort, runs in
 * flight are stopped and awaited.
 *
 * @param config the parsed config
 * @param options client factory, logger, dry-run, signal (stops the server), platform, files
 * @param clock time source of the scheduler
 * @returns once stopped
 * @throws never (failures are logged)
 *
 * @example Two runs with a test clock, then stop
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "../client.ts";
 * import { createLogger } from "../cli/logger.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { parseBotConfig } from "./bot_config.ts";
 * import { runBotServer } from "./run_bot.ts";
 * let t = 0;
 * const stop = new AbortController();
 * const printed: string[] = [];
 * const clock = {
 *   now: () => t,
 *   sleep: (ms: number) => {
 *     t += ms;
 *     if (printed.length >= 2) stop.abort();
 *     return Promise.resolve();
 *   },
 * };
 * const config = parseBotConfig("scripts:\n  - name: a\n    interval: 1m\n    script: print(os.time())\n");
 * await runBotServer(config, {
 *   createClient: () => ({ client: new Client({ transports: () => new MemoryTransport() }), lastHeaders: () => undefined }),
 *   logger: createLogger({ write: () => {} }),
 *   signal: stop.signal,
 *   platform: { os: "linux", architecture: "amd64" },
 *   print: (s) => printed.push(s),
 * }, clock);
 * assert.equal(printed.length, 2);
 * ```
 */
export async function runBotServer(
  config: BotConfig,
  options: BotRunOptions,
  clock?: Clock,
): Promise<void> {
  await checkBotScripts(config);
  const opts = _withDefaults(config, options);
  const { logger, signal } = options;
  const scheduler = new Scheduler({
    ...(clock ? { clock } : {}),
    onError: (job, err) => {
      if (!signal.aborted) _logFailure(logger, job.name, err);
    },
  });
  let count = 0;
  for (const s of config.scripts) {
    if (s.schedule === "" && s.intervalMs <= 0) {
      logger.error("No schedule or interval found, ignoring", { script: s.name });
      continue;
    }
    const every = /^@every\s+(.+)$/.exec(s.schedule)?.[1];
    const timing = every !== undefined
      ? { interval: every }
      : s.schedule !== ""
      ? { schedule: s.schedule }
      : { interval: `${s.intervalMs}ms` };
    scheduler.add({
      name: s.name,
      ...timing,
      run: async (stop) => {
        logger.debug("Running script", { script: s.name });
        await runBotScript(s, { ...opts, signal: stop });
      },
    });
    logger.debug("Scheduled script", { script: s.name, ...timing });
    count++;
  }
  logger.info("Bot server started", { scripts: count });
  await scheduler.run(signal);
  logger.info("Stopping server");
}

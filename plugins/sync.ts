/**
 * `ocictl sync`: regsync's job from regsync's YAML (`once`, `check`,
 * `server`, `config`). This module reads the config, runs hooks and serves
 * metrics (the process-facing parts); the work is done by `src/sync/`.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import { dump } from "js-yaml";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import type { CliContext } from "../src/cli/context.ts";
import type { Logger } from "../src/cli/logger.ts";
import { infoLogger } from "../src/cli/verb_logger.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { Client } from "../src/client.ts";
import { OciError, UsageError } from "../src/errors.ts";
import { parseGoDuration } from "../src/schedule/go_duration.ts";
import { systemClock } from "../src/schedule/scheduler.ts";
import { type LoadedSyncConfig, loadSyncConfig } from "../src/sync/config.ts";
import type { SyncConfig } from "../src/sync/config_types.ts";
import { StepTransports } from "../src/sync/step_transports.ts";
import { SyncMetrics } from "../src/sync/metrics.ts";
import { RateLimits } from "../src/sync/rate_limits.ts";
import { SyncRunner } from "../src/sync/runner.ts";
import type { HookInput, HookRunner, SyncMode, SyncSummary } from "../src/sync/runner_types.ts";
import { runSyncServer } from "../src/sync/server.ts";

markPluginLoaded("sync");

interface SyncFlags {
  config: string;
  abortOnError?: boolean | undefined;
  missing?: boolean | undefined;
  metricsAddr?: string | undefined;
}

/**
 * Builds the `sync` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const sync = new Command("sync").description(
    "Mirror images as regsync does, from regsync's YAML (once, check, server, config)",
  );
  const configOpt = ["-c, --config <file>", "sync config file (- reads stdin)"] as const;
  sync.addCommand(
    new Command("once")
      .description("Run every step once (schedules ignored)")
      .requiredOption(...configOpt)
      .option("--abort-on-error", "stop at the first image that fails", false)
      .option("--missing", "copy only tags the target does not have", false)
      .addHelpText("after", "\nExample:\n  ocictl sync once -c regsync.yml\n")
      .action(async function (this: Command, opts: SyncFlags) {
        await _run(
          ctx,
          this as unknown as CommandUnknownOpts,
          opts,
          opts.missing ? "missing" : "once",
        );
      }) as unknown as Command,
  );
  sync.addCommand(
    new Command("check")
      .description("Report per image whether a copy is needed; writes nothing")
      .requiredOption(...configOpt)
      .option("--abort-on-error", "stop at the first image that fails", false)
      .addHelpText("after", "\nExample:\n  ocictl sync check -c regsync.yml\n")
      .action(async function (this: Command, opts: SyncFlags) {
        await _run(ctx, this as unknown as CommandUnknownOpts, opts, "check");
      }) as unknown as Command,
  );
  sync.addCommand(
    new Command("server")
      .description("Copy missing images now, then run each step on its schedule or interval")
      .requiredOption(...configOpt)
      .option("--abort-on-error", "end a run at the first image that fails", false)
      .option("--metrics-addr <host:port>", "serve Prometheus metrics and /healthz here")
      .addHelpText(
        "after",
        "\nExample:\n  ocictl sync server -c regsync.yml --metrics-addr 127.0.0.1:9090\n",
      )
      .action(async function (this: Command, opts: SyncFlags) {
        await _server(ctx, this as unknown as CommandUnknownOpts, opts);
      }) as unknown as Command,
  );
  sync.addCommand(
    new Command("config")
      .description("Print the processed config (defaults merged, templates expanded, no secrets)")
      .requiredOption(...configOpt)
      .addHelpText("after", "\nExample:\n  ocictl sync config -c regsync.yml\n")
      .action(async function (this: Command, opts: SyncFlags) {
        const { config } = await _load(
          ctx,
          _logger(ctx, this as unknown as CommandUnknownOpts),
          opts,
        );
        await ctx.out.write(formatSyncConfig(config));
      }) as unknown as Command,
  );
  return sync as unknown as CommandUnknownOpts;
}

/**
 * The processed config as YAML, secrets (`pass`, `token`, `clientKey`) left out.
 *
 * @param config a processed config
 * @returns YAML text
 * @throws never
 */
export function formatSyncConfig(config: SyncConfig): string {
  const creds = config.creds.map((c) => {
    const { pass: _p, token: _t, clientKey: _k, ...rest } = c;
    return rest;
  });
  const sync = config.sync.map((s) => {
    const { index: _i, line: _l, ...rest } = s;
    return rest;
  });
  return dump(
    JSON.parse(JSON.stringify({ version: config.version, creds, defaults: config.defaults, sync })),
    { lineWidth: -1 },
  );
}

/** The logger of sync: `info` unless `-v` was given, as regsync logs. */
function _logger(ctx: CliContext, cmd: CommandUnknownOpts): Logger {
  return infoLogger(ctx, cmd);
}

async function _load(ctx: CliContext, logger: Logger, opts: SyncFlags): Promise<LoadedSyncConfig> {
  let text: string;
  if (opts.config === "-") {
    text = await new Response(ctx.stdin).text();
  } else {
    try {
      text = await Deno.readTextFile(opts.config);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new UsageError(
        `Cannot read sync config "${opts.config}": ${detail} (check the -c path)`,
      );
    }
  }
  const loaded = loadSyncConfig(text, {
    filename: opts.config === "-" ? "<stdin>" : opts.config,
    env: ctx.env,
    readFile: ctx.readFile ?? _readFile,
  });
  for (const w of loaded.warnings) logger.warn(w);
  return loaded;
}

function _readFile(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

function _clients(ctx: CliContext, config: SyncConfig, limits: RateLimits): StepTransports {
  return new StepTransports((step) =>
    new Client({
      transports: ctx.transports,
      signal: ctx.signal,
      settings: {
        ...ctx.transportSettings,
        hosts: config.creds.map(({ registry, ...host }) => ({ name: registry, ...host })),
        userAgent: step.userAgent ?? ctx.userAgent,
        skipDockerConfig: step.skipDockerConfig,
        ...(step.blobLimit > 0 ? { blobLimit: step.blobLimit } : {}),
        onResponse: (res) => limits.observe(res),
      },
    })
  );
}

function _runner(
  ctx: CliContext,
  clients: StepTransports,
  config: SyncConfig,
  logger: Logger,
  opts: SyncFlags,
  limits: RateLimits,
) {
  return new SyncRunner({
    transport: (ref, step) => clients.transport(ref, step),
    logger,
    parallel: config.defaults.parallel,
    abortOnError: opts.abortOnError === true,
    rateLimit: (ref) => limits.get(ref),
    runHook: execHook(ctx.env, (line) => {
      ctx.err.write(line).catch(() => {});
    }),
    sleep: systemClock.sleep,
    templateIo: { env: ctx.env, readFile: ctx.readFile ?? _readFile },
  });
}

function _logSummary(logger: Logger, s: SyncSummary): void {
  logger.info("Sync summary", {
    checked: s.checked,
    copied: s.copied,
    skipped: s.skipped,
    needed: s.needed,
    failed: s.failed,
    backups: s.backups,
    pruned: s.pruned,
    bytes: s.bytes,
    seconds: Math.round(s.ms) / 1000,
  });
}

async function _run(ctx: CliContext, cmd: CommandUnknownOpts, opts: SyncFlags, mode: SyncMode) {
  const logger = _logger(ctx, cmd);
  const { config } = await _load(ctx, logger, opts);
  const limits = new RateLimits();
  const clients = _clients(ctx, config, limits);
  try {
    const runner = _runner(ctx, clients, config, logger, opts, limits);
    const summary = await runner.run(config.sync, mode, ctx.signal);
    _logSummary(logger, summary);
    if (summary.failed > 0) {
      throw new OciError(
        "COPY",
        `Cannot sync ${summary.failed} image(s) or repositories: see the errors logged above`,
      );
    }
  } finally {
    await clients.close();
  }
}

async function _server(ctx: CliContext, cmd: CommandUnknownOpts, opts: SyncFlags) {
  const logger = _logger(ctx, cmd);
  const { config } = await _load(ctx, logger, opts);
  const limits = new RateLimits();
  const clients = _clients(ctx, config, limits);
  const metrics = new SyncMetrics(config.sync);
  let httpServer: Deno.HttpServer<Deno.NetAddr> | undefined;
  if (opts.metricsAddr !== undefined) {
    const m = /^(.*):(\d+)$/.exec(opts.metricsAddr);
    if (m === null) {
      throw new UsageError(`Cannot use --metrics-addr "${opts.metricsAddr}": write host:port`);
    }
    httpServer = Deno.serve({
      hostname: (m[1] ?? "").replace(/^\[|\]$/g, "") || "0.0.0.0",
      port: Number(m[2]),
      onListen: (addr) => logger.info("Serving metrics", { addr: `${addr.hostname}:${addr.port}` }),
    }, (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/metrics") {
        return new Response(metrics.render(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      }
      if (path === "/healthz") return new Response("ok\n");
      return new Response("not found\n", { status: 404 });
    });
  }
  try {
    const runner = _runner(ctx, clients, config, logger, opts, limits);
    await runSyncServer(config.sync, ctx.signal, {
      runner,
      logger,
      metrics,
      parallel: config.defaults.parallel > 0,
    });
    logger.info("Sync server stopped");
  } finally {
    await httpServer?.shutdown();
    await clients.close();
  }
}

/**
 * The hook runner of the CLI: runs `params[0]` with the other params as
 * arguments, the image data as JSON on stdin and as `OCICTL_SYNC_*`
 * variables; kills it after the hook's timeout.
 *
 * @param env environment the hook inherits
 * @param write receives the hook's output (stdout and stderr), to stderr
 * @returns the hook runner
 * @throws never
 */
export function execHook(env: Record<string, string>, write: (text: string) => void): HookRunner {
  return async (hook, input: HookInput, signal) => {
    const ms = parseGoDuration(hook.timeout) ?? 300_000;
    const timeout = AbortSignal.timeout(ms);
    const [cmd = "", ...args] = hook.params;
    const child = new Deno.Command(cmd, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      clearEnv: true,
      env: {
        ...env,
        OCICTL_SYNC_EVENT: input.event,
        OCICTL_SYNC_STEP: String(input.step),
        OCICTL_SYNC_TYPE: input.type,
        OCICTL_SYNC_SOURCE: input.source,
        OCICTL_SYNC_TARGET: input.target,
        OCICTL_SYNC_SOURCE_DIGEST: input.sourceDigest,
        OCICTL_SYNC_TARGET_DIGEST: input.targetDigest,
        OCICTL_SYNC_COPIED_DIGEST: input.copiedDigest,
      },
      signal: AbortSignal.any([signal, timeout]),
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(input) + "\n")).catch(() => {});
    await w.close().catch(() => {});
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (text !== "") write(text.endsWith("\n") ? text : text + "\n");
    return { code: out.code, timedOut: timeout.aborted };
  };
}

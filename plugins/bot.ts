/**
 * `ocictl bot`: regbot's job. Runs the Lua scripts of a regbot YAML config
 * against registries, sandboxed, with a dry-run that skips every write. The
 * Lua runtime (wasmoon) is imported only when a script runs.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { UsageError } from "../src/mod.ts";
import { captureHeaders } from "../src/cli/response_headers.ts";
import type { CliContext } from "../src/cli/context.ts";
import { infoLogger } from "../src/cli/verb_logger.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";

markPluginLoaded("bot");

async function _readConfig(ctx: CliContext, file: string): Promise<string> {
  if (file === "-") {
    const { readCapped } = await import("../src/read_capped.ts");
    const bytes = await readCapped(ctx.stdin, 16 * 1024 * 1024, "the bot config from stdin");
    return new TextDecoder().decode(bytes);
  }
  try {
    return await Deno.readTextFile(file);
  } catch (err) {
    // A -c path that cannot be read is a usage error (exit 2), as in `ocictl sync`.
    const detail = err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message;
    throw new UsageError(`Cannot read bot config "${file}": ${detail} (check -c)`);
  }
}

async function _run(
  ctx: CliContext,
  cmd: CommandUnknownOpts,
  mode: "once" | "server",
  opts: { config: string; dryRun?: true },
): Promise<void> {
  // regbot logs at info by default; -v picks any other level.
  const logger = infoLogger(ctx, cmd);
  const text = await _readConfig(ctx, opts.config);
  const [{ parseBotConfig }, { runBotOnce, runBotServer }, { denoOciFileSystem }] = await Promise
    .all([
      import("../src/bot/bot_config.ts"),
      import("../src/bot/run_bot.ts"),
      import("../src/transport/ocifile/file_system.ts"),
    ]);
  const config = parseBotConfig(text, {
    source: opts.config === "-" ? "the bot config from stdin" : `bot config "${opts.config}"`,
    env: ctx.env,
    ...(ctx.readFile ? { readFile: ctx.readFile } : {}),
  });
  for (const key of config.ignored) {
    logger.warn("Unknown config key ignored (check its spelling)", { key });
  }
  const run = mode === "once" ? runBotOnce : runBotServer;
  await run(config, {
    createClient: () => {
      const c = captureHeaders(ctx, {
        hosts: config.creds.map((cred) => ({ name: cred.registry, ...cred.host })),
        skipDockerConfig: config.defaults.skipDockerConfig,
        userAgent: config.defaults.userAgent || ctx.userAgent,
      });
      return { client: c.client, lastHeaders: c.headers };
    },
    logger,
    dryRun: opts.dryRun === true,
    signal: ctx.signal,
    platform: ctx.platform,
    fs: denoOciFileSystem,
    print: (text) => {
      ctx.out.write(text + "\n").catch(() => {});
    },
  });
}

/**
 * Builds the `bot` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const bot = new Command("bot").description(
    "Run regbot Lua scripts against registries (sandboxed; --dry-run skips every write)",
  );
  bot.command("once")
    .description("Run every script of the config once (up to defaults.parallel at a time)")
    .requiredOption("-c, --config <file>", "regbot YAML config file, - for stdin")
    .option("--dry-run", "skip every write (deletes, puts, copies, tar export and import)")
    .addHelpText(
      "after",
      "\nExample:\n  ocictl bot once -c regbot.yml --dry-run\n",
    )
    .action(async function (this: Command, opts: { config: string; dryRun?: true }) {
      await _run(ctx, this as unknown as CommandUnknownOpts, "once", opts);
    });
  bot.command("server")
    .description(
      "Run each script on its schedule or interval until Ctrl-C or SIGTERM (nothing runs at start)",
    )
    .requiredOption("-c, --config <file>", "regbot YAML config file, - for stdin")
    .option("--dry-run", "skip every write (deletes, puts, copies, tar export and import)")
    .addHelpText("after", "\nExample:\n  ocictl bot server -c regbot.yml\n")
    .action(async function (this: Command, opts: { config: string; dryRun?: true }) {
      await _run(ctx, this as unknown as CommandUnknownOpts, "server", opts);
    });
  return bot as unknown as CommandUnknownOpts;
}

/**
 * The CLI runner: root flags, lazy verb loading from a manifest, error to
 * exit code mapping. A command line is parsed by the fast parser on the
 * recorded command tree; help, usage errors and anything else it leaves
 * alone go to commander, loaded only then. `main.ts` calls it with the process seams; tests call it
 * with in-memory streams.
 *
 * @module
 */
import type { CommandUnknownOpts as CommanderCommand } from "@commander-js/extra-typings";
import { addLazyCommand, Command, CommandSpec } from "./command.ts";
import { toCommander } from "./commander_tree.ts";
import { parseCommandLine } from "./parse_command_line.ts";
import { type CliContext, type CliIo, createCliContext } from "./context.ts";
import { errorLine, ExitCode, exitCodeOf } from "./exit_code.ts";
import {
  collectHost,
  collectLogopt,
  type GlobalOptions,
  parseVerbosity,
} from "./global_options.ts";
import type { LogLevel } from "./logger.ts";
import { StreamSink } from "./stream_sink.ts";

/**
 * A commander command whose argument and option types are not tracked: what
 * every verb builder returns and every runner helper takes. It is commander's
 * `CommandUnknownOpts`, named here so plugins and the docs can refer to it.
 */
export type CommandUnknownOpts = CommanderCommand;

/** What a verb module exports. */
export interface PluginModule {
  /**
   * Builds the verb's command tree.
   *
   * @param ctx the command context
   * @returns the verb's command
   */
  createCommand(ctx: CliContext): CommandUnknownOpts;
}

/** One entry of the verb manifest (`plugins/mod.ts`). */
export interface VerbEntry {
  /** Verb name, e.g. `tag`. */
  readonly name: string;
  /** One-line summary shown in root help. */
  readonly summary: string;
  /** Other names of the verb. */
  readonly aliases: readonly string[];
  /** Left out of help and completion. @default false */
  readonly hidden?: boolean;
  /** Imports the verb's module (a literal `import()`). */
  readonly load: () => Promise<PluginModule>;
}

/**
 * Builds the root command with the global flags. Verbs are added by the
 * caller.
 *
 * @returns the root command
 * @throws never
 */
export function createRootCommand(): CommandUnknownOpts {
  const root = new Command("ocictl")
    .description("Manage OCI images and registries (regctl compatible)")
    .option(
      "-v, --verbosity <level>",
      "log level (error, warn, info, debug, trace)",
      parseVerbosity,
      "warn" as LogLevel,
    )
    .option("--logopt <opt>", "log option, repeatable (json)", collectLogopt)
    .option(
      "--host <settings>",
      "registry host settings, repeatable (reg=name,user=…,pass=…,tls=enabled|insecure|disabled)",
      collectHost,
    )
    .option("--user-agent <ua>", "override the User-Agent header")
    .helpCommand(false)
    .addHelpText(
      "after",
      "\nExamples:\n  ocictl tag ls ocidir://./layout\n  ocictl manifest get ocidir://./layout:v1\n",
    ) as unknown as CommandUnknownOpts;
  return root;
}

/**
 * The commander tree of a command tree, configured by {@link configureCommand}.
 *
 * @param cmd a command built with `src/cli/command.ts` (or commander)
 * @param out stdout sink
 * @param err stderr sink
 * @returns the commander command
 * @throws never
 */
export async function commanderTree(
  cmd: CommandUnknownOpts,
  out: StreamSink,
  err: StreamSink,
): Promise<CommandUnknownOpts> {
  const real = await toCommander(cmd as unknown as CommandSpec);
  configureCommand(real, out, err);
  return real;
}

/**
 * Parses and runs a command line: the fast parser when it takes the line,
 * else commander.
 *
 * @param root the root command
 * @param args the arguments
 * @param out stdout sink
 * @param err stderr sink
 * @param logger logs which parser took the line, once the verb's context exists
 * @returns the command whose options hold the root's values
 * @throws {Error} what the action or commander throws
 */
async function _parseAndRun(
  root: CommandUnknownOpts,
  args: readonly string[],
  out: StreamSink,
  err: StreamSink,
  logger?: CliContext["logger"],
): Promise<CommandUnknownOpts> {
  const parsed = await parseCommandLine(root, args, {
    configure: (real) => configureCommand(real, out, err),
    onParser: (parser) =>
      logger?.debug(
        parser === "fast"
          ? "command line parsed"
          : "command line left to commander (help, a usage error, or a rule not modelled)",
        parser === "fast" ? { parser } : {},
      ),
  });
  return parsed as CommandUnknownOpts;
}

/**
 * Applies the runner's settings to a command and all its subcommands: errors
 * thrown instead of exiting, output to the sinks, global options in help.
 *
 * @param cmd command tree
 * @param out stdout sink
 * @param err stderr sink
 * @returns nothing
 * @throws never
 */
export function configureCommand(cmd: CommandUnknownOpts, out: StreamSink, err: StreamSink): void {
  cmd.exitOverride();
  cmd.configureOutput({
    writeOut: (s) => {
      out.write(s).catch(() => {});
    },
    writeErr: (s) => {
      err.write(s).catch(() => {});
    },
    outputError: () => {},
  });
  cmd.configureHelp({ showGlobalOptions: true });
  cmd.showSuggestionAfterError(true);
  for (const sub of cmd.commands) configureCommand(sub, out, err);
}

/**
 * Adds a stub command per verb to the root: it accepts anything and records
 * which verb was chosen, so the root help is drawn from the manifest without
 * importing any verb module.
 *
 * @param root root command
 * @param verbs the manifest
 * @param onChoose called with the chosen verb
 * @returns nothing
 * @throws never
 */
export function addVerbStubs(
  root: CommandUnknownOpts,
  verbs: readonly VerbEntry[],
  onChoose: (verb: VerbEntry) => void,
): void {
  for (const verb of verbs) {
    // Built when chosen: a run builds one stub, help builds them all.
    addLazyCommand(
      root,
      verb.name,
      verb.aliases,
      () =>
        new Command(verb.name)
          .aliases([...verb.aliases])
          .description(verb.summary)
          .allowUnknownOption()
          .allowExcessArguments()
          .helpOption(false)
          .action(() => onChoose(verb)) as unknown as CommandUnknownOpts,
      verb.hidden ? { hidden: true } : {},
    );
  }
}

/**
 * Runs the CLI once.
 *
 * @param argv arguments after the program name
 * @param io process seams
 * @param verbs the verb manifest
 * @returns the exit code: 0 ok, 1 runtime error, 2 usage error, 130 cancelled
 * @throws never (every failure becomes an exit code and one line on stderr)
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  verbs: readonly VerbEntry[],
): Promise<number> {
  const out = new StreamSink(() => io.stdout, io.writeDirect?.stdout);
  const err = new StreamSink(() => io.stderr, io.writeDirect?.stderr);
  let verbosity: LogLevel = "warn";
  let ctx: CliContext | undefined;
  let code: number = ExitCode.OK;
  const args = argv[0] === "help" ? [...argv.slice(1), "--help"] : [...argv];
  try {
    let chosen: VerbEntry | undefined;
    const stubRoot = createRootCommand();
    addVerbStubs(stubRoot, verbs, (v) => {
      chosen = v;
    });
    if (args.length === 0) {
      (await commanderTree(stubRoot, out, err)).outputHelp();
      return code;
    }
    const parsedRoot = await _parseAndRun(stubRoot, args, out, err);
    const opts = parsedRoot.opts() as unknown as Partial<GlobalOptions>;
    const globals: GlobalOptions = {
      verbosity: opts.verbosity ?? "warn",
      logopt: opts.logopt ?? [],
      host: opts.host ?? [],
      userAgent: opts.userAgent,
    };
    verbosity = globals.verbosity;
    if (chosen === undefined) {
      (await commanderTree(stubRoot, out, err)).outputHelp({ error: true });
      return (code = ExitCode.USAGE);
    }
    ctx = createCliContext(io, globals, { out, err });
    ctx.logger.debug("loading verb", { verb: chosen.name });
    const mod = await chosen.load();
    const root = createRootCommand();
    root.addCommand(mod.createCommand(ctx));
    ctx.logger.debug("verb loaded", { verb: chosen.name });
    await _parseAndRun(root, args, out, err, ctx.logger);
    ctx.logger.debug("command finished");
  } catch (e) {
    code = _report(e, io.signal, verbosity, err);
  } finally {
    if (ctx) {
      try {
        await ctx.client.close();
      } catch (e) {
        if (code === ExitCode.OK) code = _report(e, io.signal, verbosity, err);
      }
    }
    await out.flush().catch(() => {});
    await err.flush().catch(() => {});
  }
  return code;
}

function _report(e: unknown, signal: AbortSignal, verbosity: LogLevel, err: StreamSink): number {
  if (_isCommanderError(e)) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") {
      return ExitCode.OK;
    }
    if (e.code === "commander.help") return ExitCode.USAGE;
    const msg = e.message.replace(/^error: /, "");
    err.write(errorLine(`Cannot parse the command line: ${msg} (see --help)`)).catch(() => {});
    return ExitCode.USAGE;
  }
  const code = exitCodeOf(e, signal);
  err.write(
    code === ExitCode.ABORTED ? "ocictl: Cannot finish: interrupted\n" : errorLine(e),
  ).catch(() => {});
  if ((verbosity === "debug" || verbosity === "trace") && e instanceof Error && e.stack) {
    err.write(e.stack + "\n").catch(() => {});
  }
  return code;
}

/** commander's errors, and the fast path's `error()` (same codes): usage errors. */
function _isCommanderError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === "string" && code.startsWith("commander.");
}

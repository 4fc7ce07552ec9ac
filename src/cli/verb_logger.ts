/**
 * The logger of the long-running verbs (`sync`, `bot`): they log at `info`
 * unless `-v` was given, as regsync and regbot do, while every other verb
 * keeps ocictl's `warn` default.
 *
 * @module
 */
import type { CommandUnknownOpts } from "./run.ts";
import type { CliContext } from "./context.ts";
import { createLogger, type Logger } from "./logger.ts";

/**
 * The command's logger at `info` when `-v` was not given, else the context's.
 *
 * @param ctx command context (its logger and stderr)
 * @param cmd the running command (any level of the tree)
 * @returns the logger
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "./command.ts";
 * import type { CliContext } from "./context.ts";
 * import { createLogger } from "./logger.ts";
 * import type { CommandUnknownOpts } from "./run.ts";
 * import { StreamSink } from "./stream_sink.ts";
 * import { infoLogger } from "./verb_logger.ts";
 * const root = new Command("x").option("-v, --verbosity <l>", "", "warn").action(() => {});
 * await root.parseAsync([], { from: "user" });
 * const ctx = {
 *   logger: createLogger({ write: () => {} }),
 *   err: new StreamSink(new WritableStream()),
 * } as unknown as CliContext;
 * assert.equal(infoLogger(ctx, root as unknown as CommandUnknownOpts).level, "info");
 * ```
 */
export function infoLogger(ctx: CliContext, cmd: CommandUnknownOpts): Logger {
  let root: CommandUnknownOpts = cmd;
  while (root.parent) root = root.parent;
  if (root.getOptionValueSource("verbosity") !== "default") return ctx.logger;
  const globals = root.opts() as { logopt?: string[] };
  return createLogger({
    level: "info",
    json: (globals.logopt ?? []).includes("json"),
    write: (line) => {
      ctx.err.write(line).catch(() => {});
    },
  });
}

/**
 * `ocictl image copy` (alias `cp`): copies an image between registries and
 * OCI layouts, with a progress display on a terminal. The copy engine is
 * imported when the command runs.
 *
 * @module
 */
import { Command } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { UsageError } from "../../src/errors.ts";
import type { Platform } from "../../src/types/platform.ts";
import { commonName } from "../../src/types/ref.ts";
import { platformArg, refArg } from "../../src/cli/arguments.ts";
import type { CopyOptions, CopyResult } from "../../src/ops/copy.ts";
// the engine (copy.ts) loads only when the precheck finds something to copy
import { finishUpToDate, precheckCopy, validateCopyOptions } from "../../src/ops/copy_precheck.ts";
import type { CopyHooks } from "../../src/ops/copy_endpoint.ts";
import { everyMs } from "../../src/timers.ts";

/**
 * Builds `image copy` (alias `cp`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageCopyCommand(ctx: CliContext): CommandUnknownOpts {
  const platform = platformArg(ctx.platform);
  const cmd = new Command("copy")
    .alias("cp")
    .description(
      "Copy an image (index, children, blobs; optionally referrers and digest tags) " +
        "between registries and OCI layouts, skipping what the target has",
    )
    .argument("<source_ref>", "image to copy", refArg)
    .argument("<dest_ref>", "target reference (tag, or digest)", refArg)
    .option("-p, --platform <platform>", "copy only this platform's manifest", platform)
    .option(
      "--platforms <list>",
      "copy only these platforms as a filtered index (new digest); repeatable or comma list",
      (value: string, previous: Platform[]) => {
        const list = value.split(",").map((v) => v.trim()).filter((v) => v !== "");
        if (list.length === 0) {
          throw new UsageError(
            `Cannot use "${value}" as --platforms: give platforms such as linux/amd64,linux/arm64`,
          );
        }
        return [...previous, ...list.map(platform)];
      },
      [] as Platform[],
    )
    .option("--referrers", "copy referrers of every copied manifest, recursively", false)
    .option(
      "--referrers-src <repo>",
      "read referrers from this repository (needs --referrers)",
      refArg,
    )
    .option(
      "--referrers-tgt <repo>",
      "write referrers to this repository (needs --referrers)",
      refArg,
    )
    .option("--digest-tags", "copy <alg>-<hex>* tags of copied manifests (cosign, fallback)", false)
    .option("--fast", "when the target has the digest, skip referrer and digest-tag checks", false)
    .option(
      "--force-recursive",
      "walk and repair every child even when the target has the image",
      false,
    )
    .option("--include-external", "also copy layers that carry urls (foreign layers)", false)
    .option("--format <format>", "output format (default: the target reference)", "")
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl image copy ocidir://in:v1 ocidir://out:v1\n` +
        `  ocictl image cp --platforms linux/amd64,linux/arm64 --referrers registry.example.com/app:v1 ocidir://out:v1\n`,
    )
    .action(async (src, dst, opts, cmd) => {
      const options: CopyOptions = {
        referrers: opts.referrers,
        digestTags: opts.digestTags,
        fast: opts.fast,
        forceRecursive: opts.forceRecursive,
        includeExternal: opts.includeExternal,
        signal: ctx.signal,
      };
      if (opts.platform !== undefined) options.platform = opts.platform;
      if (opts.platforms.length > 0) options.platforms = opts.platforms;
      if (opts.referrersSrc !== undefined) {
        options.referrersSrc = {
          transport: ctx.client.transport(opts.referrersSrc),
          ref: opts.referrersSrc,
        };
      }
      if (opts.referrersTgt !== undefined) {
        options.referrersTgt = {
          transport: ctx.client.transport(opts.referrersTgt),
          ref: opts.referrersTgt,
        };
      }
      validateCopyOptions(options);
      const progress = await _progressHooks(ctx);
      let result: CopyResult;
      try {
        const from = { transport: ctx.client.transport(src), ref: src };
        const to = { transport: ctx.client.transport(dst), ref: dst };
        const all: CopyOptions = {
          ...options,
          ...progress.hooks,
          onFallback: (e, err) =>
            ctx.logger.debug("raw copy failed, copying through the checked stream", {
              digest: e.digest,
              error: String(err),
            }),
        };
        const pre = await precheckCopy(from, to, all);
        result = finishUpToDate(pre, to, all) ??
          await (await import("../../src/ops/copy.ts")).copyImage(from, to, all, pre);
      } finally {
        await progress.finish();
      }
      if (result.filtered) {
        await ctx.err.write(
          `ocictl: note: --platforms filtered the index; digest changed from ${result.sourceDigest} to ${result.digest}\n`,
        );
      }
      if (opts.format === "") {
        await ctx.out.write(`${commonName(dst)}\n`);
        return;
      }
      const [{ CopyResultView }, { writeFormatted }] = await Promise.all([
        import("../../src/cli/copy_result_view.ts"),
        import("../../src/cli/output.ts"),
      ]);
      await writeFormatted(ctx, CopyResultView.forCopy(src, dst, result, cmd.args[1]), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

/** The width of the terminal (else `$COLUMNS`), 0 when unknown. */
function _terminalColumns(env: Record<string, string>): number {
  try {
    const { columns } = Deno.consoleSize();
    if (columns > 0) return columns;
  } catch {
    // not a console: $COLUMNS, else unknown
  }
  const n = Number(env.COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * The progress display: bars and a summary line on a terminal stderr when no
 * verbosity was asked for, one log line per blob at `-v info`, else nothing.
 */
async function _progressHooks(
  ctx: CliContext,
): Promise<{ hooks: CopyHooks; finish: () => Promise<void> }> {
  if (ctx.isTerminal.stderr && ctx.verbosity === "warn") {
    const { createProgress: progressOf } = await import("../../src/ops/progress.ts");
    // Writes are chained, so the final summary is out before the result.
    let written: Promise<void> = Promise.resolve();
    const p = progressOf({
      write: (s) => {
        written = written.then(() => ctx.err.write(s)).catch(() => {});
      },
      columns: _terminalColumns(ctx.env),
    });
    const stopTicks = everyMs(250, () => p.tick());
    return {
      hooks: p,
      finish: () => {
        stopTicks();
        p.finish();
        return written;
      },
    };
  }
  if (!ctx.logger.enabled("info")) return { hooks: {}, finish: () => Promise.resolve() };
  // -v debug: the copy's timeline (the logger adds `since` to debug records),
  // with each blob's and manifest's duration and throughput.
  const timeline = ctx.logger.enabled("debug");
  const started = new Map<string, number>();
  return {
    hooks: {
      onStart: timeline
        ? (e) => {
          started.set(`${e.kind}|${e.digest}`, performance.now());
          ctx.logger.debug(`${e.kind} started`, { digest: e.digest });
        }
        : undefined,
      onDone: (e) => {
        if (e.kind === "blob") ctx.logger.info("copied blob", { digest: e.digest, size: e.size });
        if (!timeline) return;
        const key = `${e.kind}|${e.digest}`;
        const now = performance.now();
        const ms = now - (started.get(key) ?? now);
        started.delete(key);
        ctx.logger.debug(`${e.kind} done`, {
          digest: e.digest,
          ms: Math.round(ms),
          mibPerSecond: e.size > 0 && ms > 0 ? Math.round(e.size / 1048.576 / ms) : undefined,
        });
      },
      onSkip: (e, reason) => {
        if (e.kind === "blob") ctx.logger.info("skipped blob", { digest: e.digest, reason });
      },
    },
    finish: () => Promise.resolve(),
  };
}

/**
 * `ocictl repo`: repository-level commands. Each subcommand is built by its
 * own `create…Command(ctx)` function and added in {@link createCommand}:
 * `copy` and `ls`.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { commonName, isRepoLister, parseRegistry, type Ref, UnsupportedError } from "../src/mod.ts";
import { collectRegexp, countArg, refArg } from "../src/cli/arguments.ts";
import type { CliContext } from "../src/cli/context.ts";
import { captureHeaders, withReceivedHeaders } from "../src/cli/response_headers.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { FORMAT_PRETTY, writeFormatted } from "../src/cli/output.ts";
import { repoListView } from "../src/cli/repo_list_view.ts";
import { copyRepo, DEFAULT_REPO_CONCURRENCY } from "../src/ops/repo_copy.ts";

markPluginLoaded("repo");

/**
 * Builds the `repo` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const repo = new Command("repo").description("Manage repositories");
  repo.addCommand(createRepoCopyCommand(ctx));
  repo.addCommand(createRepoLsCommand(ctx));
  return repo as unknown as CommandUnknownOpts;
}

/**
 * Builds `repo copy` (alias `cp`): every tag of a repository, filtered.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createRepoCopyCommand(ctx: CliContext): CommandUnknownOpts {
  const cmd = new Command("copy")
    .alias("cp")
    .description("Copy every tag of a repository (filtered by anchored regexps)")
    .argument("<source_repository>", "repository to copy from", refArg)
    .argument("<dest_repository>", "repository to copy to", refArg)
    .option(
      "--include <regexp>",
      "only tags matching this anchored regexp, repeatable",
      collectRegexp,
      [],
    )
    .option(
      "--exclude <regexp>",
      "leave out tags matching this anchored regexp, repeatable",
      collectRegexp,
      [],
    )
    .option(
      "--concurrent <n>",
      `tags copied at once (0 = no limit)`,
      countArg,
      DEFAULT_REPO_CONCURRENCY,
    )
    .option("--new-tags", "only copy tags the destination does not have", false)
    .option("--referrers", "copy referrers of each image too", false)
    .addHelpText(
      "after",
      `\nExample:\n  ocictl repo copy --include 'v1.*' registry.example.com/app ocidir://mirror\n`,
    )
    .action(async (src, dst, opts) => {
      const r = await copyRepo(
        { transport: ctx.client.transport(src), ref: src },
        { transport: ctx.client.transport(dst), ref: dst },
        {
          include: opts.include,
          exclude: opts.exclude,
          concurrent: opts.concurrent,
          newTags: opts.newTags,
          referrers: opts.referrers,
          signal: ctx.signal,
        },
      );
      for (const [i, tag] of r.tags.entries()) {
        ctx.logger.info("copied tag", { tag, digest: r.results[i]?.digest, to: commonName(dst) });
      }
    });
  return cmd as unknown as CommandUnknownOpts;
}

/**
 * Builds `repo ls` (alias `list`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createRepoLsCommand(ctx: CliContext): CommandUnknownOpts {
  const cmd = new Command("ls")
    .alias("list")
    .description("List the repositories of a registry (needs _catalog support)")
    .argument("<registry>", "registry host[:port], no repository", (v: string) => parseRegistry(v))
    .option("--last <repo>", "start after this repository")
    .option("--limit <n>", "ask for at most n repositories", countArg)
    .option("--format <format>", "output format", FORMAT_PRETTY)
    .addHelpText("after", `\nExample:\n  ocictl repo ls localhost:5000\n`)
    .action(async (registry, opts) => {
      const ref: Ref = { scheme: "reg", registry, repository: "", path: "", tag: "", digest: "" };
      const capture = captureHeaders(ctx);
      const t = capture.client.transport(ref);
      if (!isRepoLister(t)) {
        throw new UnsupportedError(
          `Cannot list repositories of "${registry}": the transport cannot list repositories`,
        );
      }
      let repos: string[];
      try {
        repos = await t.repoList(ref, { limit: opts.limit, last: opts.last, signal: ctx.signal });
      } finally {
        await capture.close();
      }
      await writeFormatted(
        ctx,
        withReceivedHeaders(repoListView(repos), capture.headers()),
        opts.format,
      );
    });
  return cmd as unknown as CommandUnknownOpts;
}

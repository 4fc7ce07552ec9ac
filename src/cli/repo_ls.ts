/**
 * `ocictl repo ls REGISTRY`: list a registry's repositories (`_catalog`).
 * The `repo` verb (plugins/repo.ts) adds this command.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "./run.ts";
import { UnsupportedError } from "../errors.ts";
import { isRepoLister } from "../transport/transport.ts";
import { parseRegistry, type Ref } from "../types/ref.ts";
import { countArg } from "./arguments.ts";
import type { CliContext } from "./context.ts";
import { FORMAT_PRETTY, type Formattable, lineList, writeFormatted } from "./output.ts";

/** What `repo ls` formats: the names, Go field `Repositories`. */
export interface RepoListView extends Formattable {
  /** Repository names in the registry's order. */
  Repositories: string[];
}

/**
 * Builds the view of a repository list: one name per line, JSON
 * `{"repositories": [...]}` as regctl.
 *
 * @param repos repository names
 * @returns the view
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repoListView } from "./repo_ls.ts";
 * assert.equal(repoListView(["a", "b/c"]).marshalPretty(), "a\nb/c\n");
 * ```
 */
export function repoListView(repos: string[]): RepoListView {
  return Object.assign(lineList(repos, { repositories: repos }), { Repositories: repos });
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
      const t = ctx.client.transport(ref);
      if (!isRepoLister(t)) {
        throw new UnsupportedError(
          `Cannot list repositories of "${registry}": the transport cannot list repositories`,
        );
      }
      const repos = await t.repoList(ref, {
        limit: opts.limit,
        last: opts.last,
        signal: ctx.signal,
      });
      await writeFormatted(ctx, repoListView(repos), opts.format);
    });
  return cmd as unknown as CommandUnknownOpts;
}

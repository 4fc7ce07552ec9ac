/**
 * `ocictl manifest`: get, head, put, delete and diff manifests. Each
 * subcommand lives in its own module under `plugins/manifest/`, imported only
 * when it is chosen (or listed by help); `image manifest` and `image digest`
 * reuse the get and head commands.
 *
 * @module
 */
import { addLazyCommand, Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import type { CliContext } from "../src/cli/context.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";

markPluginLoaded("manifest");

/**
 * Builds the `manifest` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const manifest = new Command("manifest").description("Manage manifests");
  // each subcommand's module is imported only when it is chosen (or listed by help)
  const add = (name: string, aliases: string[], build: () => Promise<CommandUnknownOpts>) =>
    addLazyCommand(manifest, name, aliases, build);
  add(
    "get",
    ["pull"],
    async () =>
      (await import("./manifest/get.ts")).createManifestGetCommand(ctx, {
        name: "get",
        aliases: ["pull"],
      }),
  );
  add(
    "head",
    ["digest"],
    async () =>
      (await import("./manifest/head.ts")).createManifestHeadCommand(ctx, {
        name: "head",
        aliases: ["digest"],
      }),
  );
  add(
    "put",
    ["push"],
    async () => (await import("./manifest/put.ts")).createManifestPutCommand(ctx),
  );
  const rm = { name: "rm", aliases: ["delete", "del", "remove"] };
  add(
    rm.name,
    rm.aliases,
    async () => (await import("./manifest/rm.ts")).createManifestRmCommand(ctx, rm),
  );
  add("diff", [], async () => (await import("./manifest/diff.ts")).createManifestDiffCommand(ctx));
  return manifest as unknown as CommandUnknownOpts;
}

/**
 * `ocictl image`: copy, digest, inspect (config) and manifest of images,
 * create, export, import, get-file, export-fs, check-base, ratelimit and mod.
 *
 * Start-up cost: each subcommand lives in its own module under
 * `plugins/image/`, imported only when it is chosen (or listed by help), and
 * the engines they run are imported by their actions (literal `import()`, so
 * `deno compile` still bundles them).
 *
 * @module
 */
import { addLazyCommand, Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import type { CliContext } from "../src/cli/context.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";

markPluginLoaded("image");

/**
 * Builds the `image` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const image = new Command("image").description("Manage images");
  // each subcommand's module is imported only when it is chosen (or listed by help)
  const add = (name: string, aliases: string[], build: () => Promise<CommandUnknownOpts>) =>
    addLazyCommand(image, name, aliases, build);
  add("copy", ["cp"], async () => (await import("./image/copy.ts")).createImageCopyCommand(ctx));
  add(
    "digest",
    [],
    async () =>
      (await import("./manifest/head.ts")).createManifestHeadCommand(ctx, {
        name: "digest",
        aliases: [],
      }),
  );
  add(
    "inspect",
    ["config"],
    async () => (await import("./image/inspect.ts")).createImageInspectCommand(ctx),
  );
  add(
    "manifest",
    [],
    async () =>
      (await import("./manifest/get.ts")).createManifestGetCommand(ctx, {
        name: "manifest",
        aliases: [],
      }),
  );
  add(
    "ratelimit",
    ["rate-limit"],
    async () => (await import("./image/ratelimit.ts")).createRatelimitCommand(ctx),
  );
  add(
    "create",
    ["init", "new"],
    async () => (await import("./image/create.ts")).createImageCreateCommand(ctx),
  );
  add("export", [], async () => (await import("./image/export.ts")).createImageExportCommand(ctx));
  add("import", [], async () => (await import("./image/import.ts")).createImageImportCommand(ctx));
  add(
    "get-file",
    ["cat"],
    async () => (await import("./image/get_file.ts")).createImageGetFileCommand(ctx),
  );
  add(
    "export-fs",
    [],
    async () => (await import("./image/export_fs.ts")).createImageExportFsCommand(ctx),
  );
  add(
    "check-base",
    [],
    async () => (await import("./image/check_base.ts")).createImageCheckBaseCommand(ctx),
  );
  add("mod", [], async () => (await import("./image/modify.ts")).createImageModCommand(ctx));
  return image as unknown as CommandUnknownOpts;
}

/**
 * `ocictl tag`: list and delete tags.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
// direct imports: the src/mod.ts barrel also loads modules short commands do not need
import { NotFoundError, UsageError } from "../src/errors.ts";
import { commonName, withoutReference } from "../src/types/ref.ts";
import { collectRegexp, countArg, refArg } from "../src/cli/arguments.ts";
import type { CliContext } from "../src/cli/context.ts";
import { FORMAT_PRETTY } from "../src/cli/default_format.ts";
import type { Formattable } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";

markPluginLoaded("tag");

/**
 * Builds the `tag` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const tag = new Command("tag").description("Manage tags");
  tag.command("ls")
    .alias("list")
    .description("List tags in a repository")
    .argument("<repository>", "repository (ocidir://path, registry/repo)", refArg)
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
    .option("--limit <n>", "return at most n tags", countArg)
    .option("--last <tag>", "start after this tag")
    .option("--format <format>", "output format", FORMAT_PRETTY)
    .addHelpText("after", `\nExample:\n  ocictl tag ls --include 'v1.*' ocidir://layout\n`)
    .action(async (ref, opts) => {
      const repo = withoutReference(ref);
      const list = { limit: opts.limit, last: opts.last };
      const keep = (tags: string[]): string[] =>
        tags.filter((t) =>
          (opts.include.length === 0 || opts.include.some((r) => r.test(t))) &&
          !opts.exclude.some((r) => r.test(t))
        );
      const name = repo.scheme === "reg" ? repo.repository : commonName(repo);
      if (opts.format === FORMAT_PRETTY) {
        // one tag a line: no header capture, formatter or Go types to load (start-up)
        const tags = keep(await ctx.client.tagList(repo, list));
        await ctx.out.write(new TagListView(name, tags, undefined).marshalPretty());
        return;
      }
      const [{ captureHeaders, withReceivedHeaders }, { writeFormatted }, { readLayoutIndex }] =
        await Promise.all([
          import("../src/cli/response_headers.ts"),
          import("../src/cli/output.ts"),
          import("../src/cli/layout_index.ts"),
        ]);
      const capture = captureHeaders(ctx);
      let tags: string[];
      try {
        tags = keep(await capture.client.tagList(repo, list));
      } finally {
        await capture.close();
      }
      // a layout's JSON form is its index.json as Go reads it
      const json = readLayoutIndex(repo, ctx.readFile ?? Deno.readTextFileSync) ?? { name, tags };
      const view = withReceivedHeaders(new TagListView(name, tags, json), capture.headers());
      await writeFormatted(ctx, view, opts.format);
    });
  tag.command("rm")
    .aliases(["delete", "del", "remove"])
    .description("Delete a tag (the manifest stays reachable by digest)")
    .argument("<image_ref>", "reference with a tag", refArg)
    .option("--ignore-missing", "succeed when the tag does not exist")
    .addHelpText("after", `\nExample:\n  ocictl tag rm ocidir://layout:old\n`)
    .action(async (ref, opts) => {
      if (ref.tag === "" || ref.digest !== "") {
        throw new UsageError(
          `Cannot delete tag "${commonName(ref)}": give a reference with a tag and no digest`,
        );
      }
      try {
        await ctx.client.tagDelete(ref);
      } catch (err) {
        if (!(opts.ignoreMissing && err instanceof NotFoundError)) throw err;
        ctx.logger.info("tag not found", { ref: commonName(ref) });
      }
    });
  return tag as unknown as CommandUnknownOpts;
}

/** regclient's tag list as templates see it: `.Name`, `.Tags`, JSON as the source sent it. */
class TagListView implements Formattable {
  /** Repository name. */
  readonly Name: string;
  /** The tags listed (after filters). */
  readonly Tags: readonly string[];
  #json: unknown;

  /**
   * @param name repository name
   * @param tags tags listed
   * @param json the listing's JSON (index.json of a layout, `{name, tags}` of a registry)
   */
  constructor(name: string, tags: readonly string[], json: unknown) {
    this.Name = name;
    this.Tags = tags;
    this.#json = json;
  }
  /** One tag a line. @returns the text */
  marshalPretty(): string {
    return this.Tags.map((t) => `${t}\n`).join("");
  }
  /** The listing as the source sent it. @returns JSON value */
  toJSON(): unknown {
    return this.#json;
  }
}

/**
 * `ocictl manifest`: get, head, put, delete and diff manifests. `image
 * manifest` and `image digest` reuse the get and head commands built here.
 *
 * @module
 */
import { addLazyCommand, Command, Option } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
// direct imports: the src/mod.ts barrel also loads modules short commands do not need
import { type Client } from "../src/client.ts";
import {
  DigestMismatchError,
  NotFoundError,
  UnsupportedMediaTypeError,
  UsageError,
} from "../src/errors.ts";
import { digestOf } from "../src/types/digest.ts";
import { MANIFEST_WRITE_LIMIT, parseManifest } from "../src/types/manifest.ts";
import { type Platform } from "../src/types/platform.ts";
import { commonName, type Ref, withDigest } from "../src/types/ref.ts";
import type { RegistryManifestDeleteOptions } from "../src/transport/registry/registry_transport.ts";
import { countArg, platformArg, refArg } from "../src/cli/arguments.ts";
import type { CliContext } from "../src/cli/context.ts";
import { writeDiff } from "../src/cli/file_output.ts";
// Views, Go types and push results load on first use: `manifest head` prints a digest.
import type { ManifestView } from "../src/cli/manifest_view.ts";
import { FORMAT_PRETTY, writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { captureHeaders, withReceivedHeaders } from "../src/cli/response_headers.ts";
import { readCapped } from "../src/read_capped.ts";

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
  // each subcommand is built only when chosen (or listed by help)
  const add = (name: string, aliases: string[], build: () => CommandUnknownOpts) =>
    addLazyCommand(manifest, name, aliases, build);
  add("get", ["pull"], () => createManifestGetCommand(ctx, { name: "get", aliases: ["pull"] }));
  add(
    "head",
    ["digest"],
    () => createManifestHeadCommand(ctx, { name: "head", aliases: ["digest"] }),
  );
  add("put", ["push"], () => _putCommand(ctx));
  const rm = { name: "rm", aliases: ["delete", "del", "remove"] };
  add(rm.name, rm.aliases, () => createManifestRmCommand(ctx, rm));
  add("diff", [], () => createManifestDiffCommand(ctx));
  return manifest as unknown as CommandUnknownOpts;
}

/** Builds `manifest put` (alias `push`): a manifest from stdin. */
function _putCommand(ctx: CliContext): CommandUnknownOpts {
  const cmd = new Command("put")
    .alias("push")
    .description("Push a manifest read from stdin (at most 4 MiB)")
    .argument("<image_ref>", "reference to push to", refArg)
    .option("--by-digest", "push by digest only (no tag) and print the digest")
    .option("-t, --content-type <type>", "media type (default: the body's mediaType)")
    .option("--format <format>", "output format of the pushed manifest")
    .addHelpText(
      "after",
      `\nExample:\n  ocictl manifest put ocidir://layout:v2 < manifest.json\n`,
    )
    .action(async (ref, opts) => {
      const raw = await readCapped(ctx.stdin, MANIFEST_WRITE_LIMIT, "manifest from stdin");
      const m = await parseManifest(raw, {
        mediaType: opts.contentType,
        limit: MANIFEST_WRITE_LIMIT,
        ...(ref.digest !== "" ? { digest: ref.digest } : {}),
      });
      let target = ref;
      if (opts.byDigest) target = withDigest(ref, await digestOf(raw));
      if (target.digest !== "" && target.digest !== m.digest) {
        throw new DigestMismatchError(
          `manifest "${commonName(ref)}" from stdin`,
          target.digest,
          m.digest,
        );
      }
      await ctx.client.manifestPut(target, raw, { mediaType: m.mediaType });
      const { writePushResult } = await import("../src/cli/manifest_result.ts");
      await writePushResult(ctx, { ref: target, manifest: m }, opts.format, opts.byDigest === true);
    });
  return cmd as unknown as CommandUnknownOpts;
}

/** Names of a shared command. */
export interface CommandNames {
  /** Command name. */
  name: string;
  /** Aliases. */
  aliases: string[];
}

/**
 * Builds `manifest get` (`image manifest`): prints a manifest, regctl's human
 * view by default, exact bytes with `--format raw-body`.
 *
 * @param ctx command context
 * @param names command name and aliases
 * @returns the command
 * @throws never
 */
export function createManifestGetCommand(ctx: CliContext, names: CommandNames): CommandUnknownOpts {
  return new Command(names.name)
    .aliases(names.aliases)
    .description("Retrieve a manifest")
    .argument("<image_ref>", "image reference (ocidir://path:tag, registry/repo:tag)", refArg)
    .option("--format <format>", "output format (raw-body for the exact bytes)", FORMAT_PRETTY)
    .option(
      "-p, --platform <platform>",
      "resolve an index to this platform (os/arch[/variant], local)",
      platformArg(ctx.platform),
    )
    .addOption(new Option("--list", "deprecated: output the index as-is").hideHelp())
    .addOption(new Option("--require-list", "fail unless the manifest is an index").hideHelp())
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl ${
        names.name === "get" ? "manifest get" : "image manifest"
      } ocidir://layout:v1\n` +
        `  ocictl manifest get ocidir://layout:v1 --platform linux/arm64 --format raw-body\n`,
    )
    .action(async (ref, opts) => {
      const capture = captureHeaders(ctx);
      let view: ManifestView;
      try {
        view = await getManifestView(ctx, ref, opts.platform, capture.client);
        view = withReceivedHeaders(view, capture.headers());
      } finally {
        await capture.close();
      }
      if (opts.requireList) _requireList(view);
      await writeFormatted(ctx, view, opts.format);
    }) as unknown as CommandUnknownOpts;
}

/**
 * Reads a manifest, resolving an index to a platform when one is given.
 *
 * @param ctx command context
 * @param ref reference
 * @param platform platform wanted, if any
 * @param client the client to read with
 * @returns the view of the manifest read
 * @throws {NotFoundError} when the manifest or platform is missing
 */
export async function getManifestView(
  ctx: CliContext,
  ref: Ref,
  platform: Platform | undefined,
  client: Client = ctx.client,
): Promise<ManifestView> {
  const { ManifestView } = await import("../src/cli/manifest_view.ts");
  if (platform) {
    const r = await client.resolvePlatform(ref, { platform });
    return ManifestView.fromManifest(r.ref, r.manifest);
  }
  const m = await client.manifestGet(ref);
  // a layout's descriptor is its index.json entry (annotations included), as in regclient
  const { layoutEntry } = await import("../src/cli/layout_index.ts");
  const entry = layoutEntry(ref, m.digest, ctx.readFile ?? Deno.readTextFileSync);
  return entry ? new ManifestView(ref, entry, m) : ManifestView.fromManifest(ref, m);
}

/**
 * Builds `manifest head` (`image digest`): prints the digest, or the headers
 * with `--format raw-headers`.
 *
 * @param ctx command context
 * @param names command name and aliases
 * @returns the command
 * @throws never
 */
export function createManifestHeadCommand(
  ctx: CliContext,
  names: CommandNames,
): CommandUnknownOpts {
  return new Command(names.name)
    .aliases(names.aliases)
    .description("Print the digest of a manifest")
    .argument("<image_ref>", "image reference", refArg)
    .option("--format <format>", "output format (raw-headers for the headers)", "")
    .option(
      "-p, --platform <platform>",
      "resolve an index to this platform (os/arch[/variant], local)",
      platformArg(ctx.platform),
    )
    .option("--require-digest", "read the manifest when the digest is not in the headers")
    .option("--require-list", "fail unless the manifest is an index")
    .addOption(new Option("--list", "deprecated: the index is shown unless -p is given").hideHelp())
    .addHelpText("after", `\nExample:\n  ocictl manifest head ocidir://layout:v1\n`)
    .action(async (ref, opts) => {
      const plain = opts.format === "" || opts.format === "digest";
      if (plain && !opts.platform && !opts.requireList) {
        // the digest alone: no view, Go types or header capture to load (start-up)
        await ctx.out.write(`${(await ctx.client.manifestHead(ref)).digest}\n`);
        return;
      }
      const capture = captureHeaders(ctx);
      let view: ManifestView;
      try {
        if (opts.platform) {
          view = await getManifestView(ctx, ref, opts.platform, capture.client);
        } else {
          const { ManifestView } = await import("../src/cli/manifest_view.ts");
          view = new ManifestView(ref, await capture.client.manifestHead(ref));
        }
        view = withReceivedHeaders(view, capture.headers());
      } finally {
        await capture.close();
      }
      if (opts.requireList) _requireList(view);
      if (plain) {
        await ctx.out.write(`${view.Digest}\n`);
        return;
      }
      await writeFormatted(ctx, view, opts.format);
    }) as unknown as CommandUnknownOpts;
}

/**
 * Builds `manifest rm` (`image delete`): deletes a manifest by digest. With
 * `--referrers`, a manifest that has a subject is also removed from the
 * subject's referrers fallback tag on registries without the referrers API
 * (ocidir layouts maintain it on every delete).
 *
 * @param ctx command context
 * @param names command name and aliases
 * @returns the command
 * @throws never
 */
export function createManifestRmCommand(ctx: CliContext, names: CommandNames): CommandUnknownOpts {
  return new Command(names.name)
    .aliases(names.aliases)
    .description("Delete a manifest (by digest)")
    .argument("<image_ref>", "reference with a digest", refArg)
    .option(
      "--force-tag-dereference",
      "resolve a tag to its digest first (deletes every tag of that digest)",
    )
    .option("--ignore-missing", "succeed when the manifest does not exist")
    .option(
      "--referrers",
      "also remove the manifest from its subject's referrers fallback tag",
    )
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl manifest rm ocidir://layout@sha256:…\n` +
        `  ocictl manifest rm --referrers registry.example/repo@sha256:…\n`,
    )
    .action(async (ref, opts) => {
      try {
        let target = ref;
        if (ref.digest === "") {
          if (!opts.forceTagDereference) {
            throw new UsageError(
              `Cannot delete manifest "${
                commonName(ref)
              }": a digest is required (use ref@digest, or --force-tag-dereference)`,
            );
          }
          const desc = await ctx.client.manifestHead(ref);
          target = withDigest(ref, desc.digest);
        }
        const options: RegistryManifestDeleteOptions = { referrers: opts.referrers === true };
        await ctx.client.manifestDelete(target, options);
      } catch (err) {
        if (!(opts.ignoreMissing && err instanceof NotFoundError)) throw err;
        ctx.logger.info("manifest not found", { ref: commonName(ref) });
      }
    }) as unknown as CommandUnknownOpts;
}

/**
 * Builds `manifest diff REF1 REF2`.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createManifestDiffCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("diff")
    .description("Unified diff of two manifests (pretty JSON)")
    .option("--context <n>", "lines of context", countArg, 3)
    .option("--context-full", "show the whole documents")
    .argument("<ref1>", "first reference", refArg)
    .argument("<ref2>", "second reference", refArg)
    .addHelpText("after", `\nExample:\n  ocictl manifest diff ocidir://a:v1 ocidir://a:v2\n`)
    .action(async (r1: Ref, r2: Ref, opts) => {
      const { diffManifests } = await import("../src/ops/diff.ts");
      await writeDiff(
        ctx,
        await diffManifests(ctx.client, r1, r2, {
          context: opts.context,
          contextFull: opts.contextFull === true,
          signal: ctx.signal,
        }),
      );
    }) as unknown as CommandUnknownOpts;
}

/** `--require-list`: only an index or manifest list will do. */
function _requireList(view: ManifestView): void {
  if (!view.IsList()) {
    throw new UnsupportedMediaTypeError(
      `Cannot get manifest list "${view.Name}": it is a ${view.MediaType}, not an index`,
    );
  }
}

/**
 * `ocictl artifact`: put, get, list and tree of OCI artifacts and referrers.
 *
 * @module
 */
import { Command, Option } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { commonName, MediaType, NotFoundError, UsageError, withoutReference } from "../src/mod.ts";
import { collectValue, platformArg, refArg } from "../src/cli/arguments.ts";
import type { CliContext } from "../src/cli/context.ts";
import { FORMAT_PRETTY, writeFormatted } from "../src/cli/output.ts";
import { writePushResult } from "../src/cli/manifest_result.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { ReferrerListView, ReferrerTreeView } from "../src/cli/referrer_view.ts";
import {
  type ArtifactContent,
  type DirEntry,
  type DirSink,
  packDirectory,
  planArtifactOutput,
  putArtifact,
  resolveArtifact,
  selectArtifactLayers,
  writeArtifactFiles,
} from "../src/ops/artifact.ts";
import {
  buildReferrerTree,
  parseKeyValues,
  queryReferrers,
  validateReferrerMatch,
} from "../src/ops/referrer_query.ts";

markPluginLoaded("artifact");

/**
 * regctl's `--slow-referrers`: accepted and ignored, since every referrer
 * query here already falls back to the tag schema when the API is missing.
 */
function _slowReferrers() {
  return new Option("--slow-referrers", "accepted for regctl compatibility (no effect)")
    .hideHelp();
}

/**
 * Builds the `artifact` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const artifact = new Command("artifact").description("Manage artifacts and referrers");
  artifact.addCommand(_putCommand(ctx));
  artifact.addCommand(_getCommand(ctx));
  artifact.addCommand(_listCommand(ctx));
  artifact.addCommand(_treeCommand(ctx));
  return artifact as unknown as CommandUnknownOpts;
}

function _putCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("put")
    .aliases(["create", "push"])
    .description(
      "Push an artifact from files (directories are tar+gzipped) or stdin, optionally referring to a subject",
    )
    .argument("[ref]", "where to push (default: the subject's repository, by digest)", refArg)
    .option("--annotation <key=value>", "manifest annotation, repeatable", collectValue, [])
    .option("--artifact-type <type>", "artifact type (recommended)")
    .option("--by-digest", "push by digest only and print the digest", false)
    .option("--config-file <file>", "config file (default: the empty config {})")
    .option("--config-type <type>", "config media type (needed with --config-file)")
    .option("--external", "the artifact goes to another repository than its subject", false)
    .option(
      "-f, --file <file>",
      "file or directory to push as a layer, repeatable",
      collectValue,
      [],
    )
    .option(
      "-m, --file-media-type <type>",
      "media type of each --file, repeatable",
      collectValue,
      [],
    )
    .option("--file-title", "add org.opencontainers.image.title to each file layer", false)
    .option("--format <format>", "output format of the pushed manifest (.Manifest)", "")
    .option("--index", "push by digest and append the artifact to the index at ref", false)
    .option(
      "-p, --platform <platform>",
      "platform of the subject (in an index)",
      platformArg(ctx.platform),
    )
    .option("--strip-dirs", "titles keep only the file name", false)
    .option("--subject <ref>", "manifest this artifact refers to", refArg)
    .addOption(new Option("--refers <ref>", "deprecated: --subject").argParser(refArg).hideHelp())
    .addOption(
      new Option("--media-type <type>", "manifest media type (only the OCI image manifest)")
        .hideHelp(),
    )
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl artifact put --subject ocidir://layout:v1 --artifact-type application/x.sbom -f sbom.json --file-title\n` +
        `  echo hello | ocictl artifact put --artifact-type application/x.note ocidir://layout:note\n`,
    )
    .action(async (ref, opts) => {
      if (opts.mediaType !== undefined && opts.mediaType !== MediaType.OCI_MANIFEST) {
        throw new UsageError(
          `Cannot push an artifact as "${opts.mediaType}": only ${MediaType.OCI_MANIFEST} is supported`,
        );
      }
      const files: ArtifactContent[] = [];
      for (const f of opts.file) files.push(await _fileContent(f));
      const config = opts.configFile !== undefined
        ? await _fileContent(opts.configFile)
        : undefined;
      if (config?.directory) {
        throw new UsageError(`Cannot use "${opts.configFile}" as --config-file: it is a directory`);
      }
      const r = await putArtifact(ctx.client, {
        ref,
        subject: opts.subject ?? opts.refers,
        external: opts.external,
        platform: opts.platform,
        artifactType: opts.artifactType,
        config,
        configType: opts.configType,
        files,
        stdin: files.length === 0 ? ctx.stdin : undefined,
        fileMediaTypes: opts.fileMediaType,
        fileTitle: opts.fileTitle,
        stripDirs: opts.stripDirs,
        annotations: parseKeyValues(opts.annotation, "--annotation"),
        byDigest: opts.byDigest,
        index: opts.index,
        signal: ctx.signal,
        warn: (msg) => ctx.logger.warn(msg),
      });
      await writePushResult(ctx, r, opts.format, opts.byDigest || ref === undefined);
    }) as unknown as CommandUnknownOpts;
}

function _getCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("get")
    .alias("pull")
    .description("Write an artifact's file (one layer) to stdout, or its files to a directory")
    .argument("[ref]", "artifact reference (or use --subject)", refArg)
    .option("--config", "print the config only", false)
    .option("--config-file <file>", "write the config to this file")
    .option("--external <repo>", "repository holding the subject's referrers", refArg)
    .option("-f, --file <title>", "only layers with this title, repeatable", collectValue, [])
    .option(
      "-m, --file-media-type <type>",
      "only layers of this media type, repeatable",
      collectValue,
      [],
    )
    .option(
      "--filter-annotation <key=value>",
      "referrer annotation filter, repeatable",
      collectValue,
      [],
    )
    .option("--filter-artifact-type <type>", "referrer artifact type filter")
    .option("--latest", "pick the newest referrer (org.opencontainers.image.created)", false)
    .option("-o, --output <dir>", "write files named by their title under this directory")
    .option(
      "-p, --platform <platform>",
      "platform of the subject or index",
      platformArg(ctx.platform),
    )
    .option("--sort-annotation <key>", "sort referrers by this annotation")
    .option("--sort-desc", "sort descending", false)
    .option("--strip-dirs", "write files without their directories", false)
    .option("--subject <ref>", "get the first matching referrer of this subject", refArg)
    .addOption(new Option("--refers <ref>", "deprecated: --subject").argParser(refArg).hideHelp())
    .addOption(_slowReferrers())
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl artifact get --subject ocidir://layout:v1 --filter-artifact-type application/x.sbom\n` +
        `  ocictl artifact get ocidir://layout@sha256:… -o out/\n`,
    )
    .action(async (ref, opts) => {
      const match = {
        artifactType: opts.filterArtifactType,
        annotations: parseKeyValues(opts.filterAnnotation, "--filter-annotation"),
        sortAnnotation: opts.sortAnnotation,
        sortDesc: opts.sortDesc,
        latest: opts.latest,
      };
      validateReferrerMatch(match);
      const art = await resolveArtifact(ctx.client, ref, {
        ...match,
        subject: opts.subject ?? opts.refers,
        platform: opts.platform,
        external: opts.external,
        signal: ctx.signal,
      });
      const repo = withoutReference(art.ref);
      if (opts.config) {
        const reader = await ctx.client.blobGet(repo, art.config.digest, { size: art.config.size });
        await ctx.out.pipeFrom(reader.body, ctx.signal);
        return;
      }
      if (opts.configFile !== undefined) {
        const reader = await ctx.client.blobGet(repo, art.config.digest, { size: art.config.size });
        await _writeFileAtomic(opts.configFile, reader.body);
        if (
          opts.output === undefined && opts.file.length === 0 && opts.fileMediaType.length === 0
        ) {
          return;
        }
      }
      const layers = selectArtifactLayers(art.layers, {
        files: opts.file,
        mediaTypes: opts.fileMediaType,
      });
      if (opts.output !== undefined) {
        const plan = planArtifactOutput(layers, opts.stripDirs);
        await Deno.mkdir(opts.output, { recursive: true });
        await writeArtifactFiles(ctx.client, art.ref, plan, _dirSink(opts.output), {
          signal: ctx.signal,
        });
        return;
      }
      if (layers.length > 1) {
        throw new UsageError(
          `Cannot get artifact "${
            commonName(art.ref)
          }": ${layers.length} layers match (add --file or --file-media-type, or use --output)`,
        );
      }
      const layer = layers[0];
      if (layer === undefined) return;
      const reader = await ctx.client.blobGet(repo, layer.digest, { size: layer.size });
      await ctx.out.pipeFrom(reader.body, ctx.signal);
    }) as unknown as CommandUnknownOpts;
}

function _listCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("list")
    .alias("ls")
    .description("List the referrers of a manifest")
    .argument("<subject>", "the manifest referred to", refArg)
    .option("--digest-tags", "also list <alg>-<hex>* tags of the subject", false)
    .option("--external <repo>", "repository holding the referrers", refArg)
    .addOption(_slowReferrers())
    .option("--filter-artifact-type <type>", "only referrers of this artifact type")
    .option(
      "--filter-annotation <key=value>",
      "only referrers with this annotation, repeatable",
      collectValue,
      [],
    )
    .option("--format <format>", "output format (body for the referrers index)", FORMAT_PRETTY)
    .option("--latest", "newest first (org.opencontainers.image.created)", false)
    .option(
      "-p, --platform <platform>",
      "platform of the subject (in an index)",
      platformArg(ctx.platform),
    )
    .option("--sort-annotation <key>", "sort by this annotation")
    .option("--sort-desc", "sort descending", false)
    .addHelpText(
      "after",
      `\nExample:\n  ocictl artifact list ocidir://layout:v1 --format '{{json .}}'\n`,
    )
    .action(async (subject, opts) => {
      const r = await queryReferrers(ctx.client, subject, {
        artifactType: opts.filterArtifactType,
        annotations: parseKeyValues(opts.filterAnnotation, "--filter-annotation"),
        sortAnnotation: opts.sortAnnotation,
        sortDesc: opts.sortDesc,
        latest: opts.latest,
        platform: opts.platform,
        external: opts.external,
        digestTags: opts.digestTags,
        signal: ctx.signal,
      });
      await writeFormatted(ctx, new ReferrerListView(r), opts.format);
    }) as unknown as CommandUnknownOpts;
}

function _treeCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("tree")
    .description("Show the graph of index children and referrers of a manifest")
    .argument("<ref>", "the root manifest", refArg)
    .option("--digest-tags", "also list <alg>-<hex>* tags of each manifest", false)
    .option("--external <repo>", "repository holding the referrers", refArg)
    .addOption(_slowReferrers())
    .option("--filter-artifact-type <type>", "only referrers of this artifact type")
    .option(
      "--filter-annotation <key=value>",
      "only referrers with this annotation, repeatable",
      collectValue,
      [],
    )
    .option("--format <format>", "output format (.Ref, .Child, .Referrer, .Tags…)", FORMAT_PRETTY)
    .addHelpText("after", `\nExample:\n  ocictl artifact tree ocidir://layout:v1\n`)
    .action(async (ref, opts) => {
      const node = await buildReferrerTree(ctx.client, ref, {
        artifactType: opts.filterArtifactType,
        annotations: parseKeyValues(opts.filterAnnotation, "--filter-annotation"),
        external: opts.external,
        digestTags: opts.digestTags,
        signal: ctx.signal,
      });
      await writeFormatted(ctx, new ReferrerTreeView(node, ref), opts.format);
    }) as unknown as CommandUnknownOpts;
}

// ---- file system (plugins may touch Deno) ----

async function _fileContent(path: string): Promise<ArtifactContent> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new NotFoundError(`Cannot read "${path}": the file does not exist`, { cause: err });
    }
    throw err;
  }
  if (info.isDirectory) {
    return {
      name: path,
      directory: true,
      open: () => packDirectory({ walk: () => _walk(path), open: (p) => _open(`${path}/${p}`) }),
    };
  }
  return { name: path, open: () => _open(path) };
}

async function _open(path: string): Promise<ReadableStream<Uint8Array>> {
  const f = await Deno.open(path, { read: true });
  return f.readable;
}

async function _walk(root: string): Promise<DirEntry[]> {
  const out: DirEntry[] = [];
  async function walk(rel: string): Promise<void> {
    const dir = rel === "" ? root : `${root}/${rel}`;
    for await (const e of Deno.readDir(dir)) {
      const p = rel === "" ? e.name : `${rel}/${e.name}`;
      const info = await Deno.lstat(`${root}/${p}`);
      if (info.isDirectory) {
        out.push({ path: p, type: "dir", size: 0, mode: info.mode ?? 0o755 });
        await walk(p);
      } else if (info.isSymlink) {
        out.push({
          path: p,
          type: "symlink",
          size: 0,
          mode: 0o777,
          linkname: await Deno.readLink(`${root}/${p}`),
        });
      } else if (info.isFile) {
        out.push({ path: p, type: "file", size: info.size, mode: info.mode ?? 0o644 });
      }
    }
  }
  await walk("");
  return out;
}

/** Writes a stream to a file through a temporary name: a failed or unverified body leaves nothing. */
async function _writeFileAtomic(path: string, body: ReadableStream<Uint8Array>): Promise<void> {
  const tmp = `${path}.ocictl-${crypto.randomUUID()}.tmp`;
  try {
    const f = await Deno.open(tmp, { write: true, createNew: true });
    await body.pipeTo(f.writable);
    await Deno.rename(tmp, path);
  } catch (err) {
    await body.cancel().catch(() => {});
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

function _dirSink(dir: string): DirSink {
  return {
    mkdir: (p) => Deno.mkdir(`${dir}/${p}`, { recursive: true }),
    writeFile: (p, body) => _writeFileAtomic(`${dir}/${p}`, body),
  };
}

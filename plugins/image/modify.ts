/**
 * `ocictl image mod`: modifies an image, one step per flag, and pushes the
 * result.
 *
 * @module
 */
import { Command, Option } from "../../src/cli/command.ts";
import type { CommandUnknownOpts } from "../../src/cli/run.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { UsageError } from "../../src/errors.ts";
import { commonName, parseRef } from "../../src/types/ref.ts";
import { refArg } from "../../src/cli/arguments.ts";
import type { LayerDirEntry } from "../../src/mod/layer_dir.ts";
import { MOD_FLAGS } from "../../src/mod/mod_flags.ts";

/**
 * Builds `image mod`: every flag adds a step, in command-line order, and the
 * engine in `src/mod/` applies them; prints the resulting reference. The
 * plugin gives the file system for `--layer-add` (a tar file, or a directory
 * packed as a tar) and the clock of added history (`SOURCE_DATE_EPOCH`).
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createImageModCommand(ctx: CliContext): CommandUnknownOpts {
  // [flag, value] in command-line order: read into steps when the command runs
  const flags: [string, string][] = [];
  const cmd = new Command("mod")
    .description(
      "Modify an image: each flag is a step, applied in command-line order; " +
        "the result is pushed by digest, to --create TAG, or over the tag with --replace",
    )
    .argument("<image_ref>", "image to modify", refArg)
    .option("--create <tag>", "push the result to this tag (a bare name) or reference")
    .option("--replace", "push the result over the source tag", false);
  for (const [name, f] of Object.entries(MOD_FLAGS)) {
    const o = new Option(f.arg === undefined ? `--${name}` : `--${name} <${f.arg}>`, f.help);
    if (f.hidden) o.hideHelp();
    cmd.addOption(o);
    cmd.on(`option:${name}`, (value: unknown) => {
      flags.push([name, typeof value === "string" ? value : ""]);
    });
  }
  cmd.addHelpText(
    "after",
    `\nExamples:\n` +
      `  ocictl image mod ocidir://layout:v1 --create v1-labels --label org.example.team=web\n` +
      `  ocictl image mod registry.example.com/app:v1 --create v1-repro --time set=2024-01-01T00:00:00Z --reproducible\n` +
      `  ocictl image mod registry.example.com/app:v1 --create v1-zstd --layer-compress zstd\n` +
      `  ocictl image mod registry.example.com/app:v1 --replace --rebase-ref base:old,base:new\n`,
  );
  cmd.action(async (ref, opts) => {
    const { parseModFlag } = await import("../../src/mod/mod_step.ts");
    const steps = flags.flatMap(([name, value]) => parseModFlag(name, value));
    for (const s of steps) if (s.kind === "layer-add") await _checkLayerSource(s.source);
    const { applyMod, modTarget } = await import("../../src/mod/apply_mod.ts");
    const { garbageCollector } = await import("../../src/cli/garbage_collector.ts");
    const epoch = Deno.env.get("SOURCE_DATE_EPOCH");
    const r = await applyMod(ctx.client, ref, steps, {
      target: modTarget(ref, opts.create, opts.replace === true, parseRef),
      openLayer: _openLayerSource,
      now: epoch !== undefined && /^\d+$/.test(epoch)
        ? () => new Date(Number(epoch) * 1000)
        : undefined,
      collect: garbageCollector(() => {
        const m = Deno.memoryUsage();
        return m.heapUsed + m.external;
      }),
      signal: ctx.signal,
    });
    await ctx.out.write(`${commonName(r.ref)}\n`);
  });
  return cmd as unknown as CommandUnknownOpts;
}

/** Refuses a `--layer-add` source that is missing or of the wrong kind (nothing is read yet). */
async function _checkLayerSource({ kind, path }: { kind: "tar" | "dir"; path: string }) {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    throw new UsageError(
      `Cannot use "${path}" for --layer-add ${kind}=: it cannot be read (${
        (err as Error).message
      })`,
    );
  }
  if (kind === "dir" ? !info.isDirectory : !info.isFile) {
    throw new UsageError(
      `Cannot use "${path}" for --layer-add ${kind}=: it is not a ${
        kind === "dir" ? "directory" : "file"
      }`,
    );
  }
}

/** Opens a `--layer-add` source: the tar file, or the directory packed as a tar. */
async function _openLayerSource(
  { kind, path }: { kind: "tar" | "dir"; path: string },
): Promise<ReadableStream<Uint8Array>> {
  if (kind === "tar") return (await Deno.open(path, { read: true })).readable;
  const { packLayerDirectory } = await import("../../src/mod/layer_dir.ts");
  return await packLayerDirectory({
    walk: () => _walkLayerDir(path),
    open: async (p) => (await Deno.open(`${path}/${p}`, { read: true })).readable,
  });
}

/** Lists a directory tree for `--layer-add dir=` (files, directories, symlinks). */
async function _walkLayerDir(root: string): Promise<LayerDirEntry[]> {
  const out: LayerDirEntry[] = [];
  const pending = [""];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    for await (const e of Deno.readDir(rel === "" ? root : `${root}/${rel}`)) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      const st = await Deno.lstat(`${root}/${path}`);
      const common = { path, mode: st.mode ?? 0o644, mtime: st.mtime ?? undefined };
      if (st.isSymlink) {
        const linkname = await Deno.readLink(`${root}/${path}`);
        out.push({ ...common, type: "symlink", size: 0, linkname });
      } else if (st.isDirectory) {
        out.push({ ...common, type: "dir", size: 0 });
        pending.push(path);
      } else if (st.isFile) out.push({ ...common, type: "file", size: st.size });
    }
  }
  return out;
}

/**
 * Output shared by the file-level commands of several verbs (`image
 * get-file`, `image export`, `blob get-file` and the diffs of `blob` and
 * `manifest`): a stream to stdout or atomically to a file, a found file or its
 * tar header, a diff.
 *
 * Start-up cost: nothing here imports the archive code or the file-system
 * seams until a write to a file runs (literal `import()`).
 *
 * @module
 */
import type { LayerEntryInfo } from "../archive/layer_reader.ts";
import type { CliContext } from "./context.ts";
import { writeFormatted } from "./output.ts";

function _dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * Writes a stream to stdout, or to a file through a temp file beside it, so a
 * failure leaves nothing.
 *
 * @param ctx command context
 * @param body the bytes
 * @param file target file; undefined or `-` for stdout
 * @returns when written
 * @throws {OciError} when the body fails or the file cannot be written
 */
export async function writeOut(
  ctx: CliContext,
  body: ReadableStream<Uint8Array>,
  file: string | undefined,
): Promise<void> {
  if (file === undefined || file === "-") {
    await ctx.out.pipeFrom(body, ctx.signal);
    return;
  }
  const { denoOciFileSystem } = await import("../transport/ocifile/file_system.ts");
  const tmp = await denoOciFileSystem.writeTemp(_dirOf(file), body, {
    signal: ctx.signal,
    prefix: ".ocictl.",
  });
  await denoOciFileSystem.rename(tmp, file);
}

/**
 * Writes a found file: its bytes, or with `--format` a template over regctl's
 * `.Header` (Go's tar header field names); the layer is still read to the end
 * so its digest is verified either way.
 *
 * @param ctx command context
 * @param f the file found in a layer
 * @param outfile target file; undefined or `-` for stdout
 * @param format template, or undefined for the bytes
 * @returns when written
 * @throws {OciError} when the layer fails its digest or the output cannot be written
 */
export async function writeFoundFile(
  ctx: CliContext,
  f: { info: LayerEntryInfo; body: ReadableStream<Uint8Array> },
  outfile: string | undefined,
  format: string | undefined,
): Promise<void> {
  if (format === undefined) return await writeOut(ctx, f.body, outfile);
  await f.body.pipeTo(new WritableStream(), { signal: ctx.signal });
  const i = f.info;
  const header = {
    Name: i.name ?? i.path,
    Linkname: i.linkname,
    Size: i.size,
    Mode: i.mode,
    Uid: i.uid,
    Gid: i.gid,
    ModTime: i.mtime ?? new Date(0),
    Typeflag: i.typeflag ?? 0,
  };
  const view = {
    Header: header,
    marshalPretty: () => `${JSON.stringify(header, null, 2)}\n`,
    toJSON: () => ({ Header: header }),
  };
  await writeFormatted(ctx, view, format);
}

/**
 * Writes the lines of a diff and a newline, as regctl does (so a single
 * empty line when there is no difference).
 *
 * @param ctx command context
 * @param lines the diff lines
 * @returns when written
 * @throws never
 */
export async function writeDiff(ctx: CliContext, lines: string[]): Promise<void> {
  await ctx.out.write(lines.join("\n") + "\n");
}

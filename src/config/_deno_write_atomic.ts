/**
 * The atomic file write of {@link ./deno_config_io.ts}, loaded on first use:
 * only the commands that save a config file write one.
 *
 * @module
 */
import type { WriteAtomicOptions } from "./config_io.ts";

/**
 * Writes a file atomically (temp file in the same directory, then rename),
 * creating missing parent directories (mode 0700).
 *
 * @param path final file path
 * @param text file content
 * @param options permission bits
 * @returns when the file is in place
 * @throws {Deno.errors.PermissionDenied} and the other errors of Deno's file calls
 */
export async function denoWriteTextFileAtomic(
  path: string,
  text: string,
  { mode }: WriteAtomicOptions,
): Promise<void> {
  // node:path only when writing: importing it costs every command ~8 ms of start-up
  const { dirname } = await import("node:path");
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(temp, text, { createNew: true, mode });
    if (Deno.build.os !== "windows") await Deno.chmod(temp, mode);
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
}

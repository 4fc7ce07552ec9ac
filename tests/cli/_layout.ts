/**
 * Test fixture: a temp OCI layout seeded with the sample images.
 *
 * @module
 */
import { buildSampleImages, type SampleSet } from "../../src/sample/sample_images.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { parseRef } from "../../src/types/ref.ts";

/** A seeded layout. */
export interface Layout {
  /** Directory of the layout. */
  dir: string;
  /** `ocidir://<dir>` */
  base: string;
  /** What was pushed. */
  sample: SampleSet;
}

/**
 * Runs `fn` with a fresh seeded layout, removed afterwards.
 *
 * @param fn the test body
 * @returns nothing
 */
export async function withLayout(fn: (layout: Layout) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_cli_" });
  try {
    const t = new OciDirTransport();
    const sample = await buildSampleImages(t, parseRef(`ocidir://${dir}`));
    await t.close();
    await fn({ dir, base: `ocidir://${dir}`, sample });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Lists every file under a directory, relative, sorted, with sizes.
 *
 * @param dir the directory
 * @returns `path:size` entries
 */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, rel: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(p, r);
      else out.push(`${r}:${(await Deno.stat(p)).size}`);
    }
  }
  await walk(dir, "");
  return out.sort();
}

/**
 * Reads `index.json` of a layout as text.
 *
 * @param dir the layout
 * @returns its text
 */
export function indexText(dir: string): Promise<string> {
  return Deno.readTextFile(`${dir}/index.json`);
}

/**
 * Asserts-friendly: the single stderr line count.
 *
 * @param stderr captured stderr
 * @returns number of lines
 */
export function lineCount(stderr: string): number {
  return stderr.split("\n").filter((l) => l !== "").length;
}

/**
 * The digest an `ocidir://` reference resolves to.
 *
 * @param ref the reference
 * @returns its manifest digest
 */
export async function digestAt(ref: string): Promise<string> {
  const t = new OciDirTransport();
  try {
    return (await t.manifestHead(parseRef(ref))).digest;
  } finally {
    await t.close();
  }
}

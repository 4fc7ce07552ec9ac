/**
 * Fuzzing `image import` with mutated tars: random byte flips, truncation,
 * `../` and absolute names, symlink and hardlink entries, dropped and
 * duplicated entries, huge declared sizes. Each import either yields a
 * consistent layout or fails with a typed error; either way nothing is
 * written outside the target and no temp file is left.
 *
 * @module
 */
import fc from "fast-check";
import { OciError } from "../../src/errors.ts";
import { importImage } from "../../src/ops/image_import.ts";
import { buildLayer } from "../../src/sample/layer_builder.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { denoOciFileSystem, type OciFileSystem } from "../../src/transport/ocifile/file_system.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { parseRef } from "../../src/types/ref.ts";
import { type _RawEntry, _rawTar } from "../../src/archive/_raw_tar_test_helper.ts";
import type { DrillResult, DrillSize } from "./_drill.ts";
import { failureReport, fuzzSeed } from "./_fuzz.ts";
import { layoutProblems } from "./_layout_check.ts";

const enc = new TextEncoder();

type Mutation =
  | { kind: "rename"; at: number; name: string }
  | { kind: "link"; at: number; type: "symlink" | "link"; target: string }
  | { kind: "drop"; at: number }
  | { kind: "dup"; at: number }
  | { kind: "flip"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "hugeSize"; at: number };

async function _entries(dir: string, rel = ""): Promise<_RawEntry[]> {
  const out: _RawEntry[] = [];
  for await (const e of Deno.readDir(`${dir}/${rel}`)) {
    const path = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.name.startsWith(".ocictl")) continue;
    if (e.isDirectory) {
      out.push({ name: `${path}/`, type: "directory" }, ...await _entries(dir, path));
    } else out.push({ name: path, content: await Deno.readFile(`${dir}/${path}`) });
  }
  return out;
}

function _mutation(escape: string): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  const names = fc.constantFrom(
    "../escaped",
    "../../escaped",
    `${escape}/abs-escaped`,
    "blobs/../../escaped",
    "./index.json",
    "blobs/sha256/../../../escaped",
    "blobs//sha256",
    "index.json/x",
  );
  return fc.oneof(
    fc.record({ kind: fc.constant("rename" as const), at, name: names }),
    fc.record({
      kind: fc.constant("link" as const),
      at,
      type: fc.constantFrom("symlink" as const, "link" as const),
      target: fc.constantFrom("/etc/passwd", "../../escaped", escape, "index.json", "blobs"),
    }),
    fc.record({ kind: fc.constant("drop" as const), at }),
    fc.record({ kind: fc.constant("dup" as const), at }),
    fc.record({ kind: fc.constant("flip" as const), at, value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at }),
    fc.record({ kind: fc.constant("hugeSize" as const), at }),
  );
}

async function _mutate(base: _RawEntry[], muts: Mutation[]): Promise<Uint8Array> {
  const entries = base.map((e) => ({ ...e }));
  const byteMuts: Mutation[] = [];
  for (const m of muts) {
    const i = entries.length === 0 ? 0 : m.at % entries.length;
    const e = entries[i];
    if (m.kind === "rename" && e) e.name = m.name;
    else if (m.kind === "link" && e) {
      entries.splice(i, 0, { name: e.name, type: m.type, linkname: m.target });
    } else if (m.kind === "drop") entries.splice(i, 1);
    else if (m.kind === "dup" && e) entries.splice(i, 0, { ...e });
    else byteMuts.push(m);
  }
  let tar = await _rawTar(entries);
  for (const m of byteMuts) {
    if (tar.length === 0) break;
    if (m.kind === "flip") tar[m.at % tar.length] = m.value;
    else if (m.kind === "truncate") tar = tar.subarray(0, m.at % tar.length);
    else if (m.kind === "hugeSize") {
      // rewrite the size field of one 512-byte header block to the largest octal
      const block = (m.at % Math.max(1, Math.floor(tar.length / 512))) * 512;
      if (block + 136 > tar.length) continue;
      tar.set(new TextEncoder().encode("77777777777\0"), block + 124);
    }
  }
  return tar;
}

/**
 * Runs the import fuzzing.
 *
 * @param size short (200 cases) or full (10,000)
 * @returns the drill's row
 */
export async function importFuzzDrill(size: DrillSize): Promise<DrillResult> {
  const seed = fuzzSeed();
  const root = await Deno.makeTempDir({ prefix: "ocictl-drill-importfuzz-" });
  const notes: string[] = [];
  const outcomes = { imported: 0, refused: 0 };
  try {
    // a small layout (one image tagged, an index in front of it) keeps each case cheap
    const t = new OciDirTransport();
    const layer = await buildLayer([{ path: "etc/hello", type: "file", content: "hi" }]);
    const config = enc.encode(JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [layer.diffId] },
    }));
    const src = parseRef(`ocidir://${root}/src`);
    for (const b of [config, layer.bytes]) await t.blobPut(src, ReadableStream.from([b]));
    const manifest = enc.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_MANIFEST,
      config: {
        mediaType: MediaType.OCI_CONFIG,
        digest: await digestOf(config),
        size: config.length,
      },
      layers: [layer.descriptor],
    }));
    await t.manifestPut(parseRef(`ocidir://${root}/src:v1`), manifest);
    await t.close();
    const base = await _entries(`${root}/src`);
    await Deno.mkdir(`${root}/tmp`);
    const fs: OciFileSystem = {
      ...denoOciFileSystem,
      makeTempDir: (prefix) => Deno.makeTempDir({ prefix, dir: `${root}/tmp` }),
    };
    let n = 0;
    const details = await fc.check(
      fc.asyncProperty(fc.array(_mutation(root), { minLength: 1, maxLength: 4 }), async (muts) => {
        const tar = await _mutate(base, muts);
        const target = `${root}/target-${n++}`;
        const dst = new OciDirTransport();
        try {
          await importImage(
            dst,
            parseRef(`ocidir://${target}:imported`),
            ReadableStream.from([tar]),
            {
              fs,
            },
          );
          outcomes.imported++;
          const problems = await layoutProblems(target);
          if (problems.length > 0) {
            throw new Error(`imported an inconsistent layout: ${problems[0]}`);
          }
        } catch (err) {
          if (!(err instanceof OciError)) throw err;
          outcomes.refused++;
        } finally {
          await dst.close();
        }
        const left = (await Array.fromAsync(Deno.readDir(`${root}/tmp`))).map((e) => e.name);
        if (left.length > 0) throw new Error(`temp files left: ${left.join(", ")}`);
        const beside = (await Array.fromAsync(Deno.readDir(root))).map((e) => e.name)
          .filter((name) => name !== "src" && name !== "tmp" && !name.startsWith("target-"));
        if (beside.length > 0) throw new Error(`written outside the target: ${beside.join(", ")}`);
        await Deno.remove(target, { recursive: true }).catch(() => {});
      }),
      { numRuns: size === "short" ? 200 : 10_000, seed },
    );
    const failure = failureReport(details);
    if (failure !== undefined) notes.push(failure);
    return {
      drill: "fuzz: image import of mutated tars",
      cases: details.numRuns,
      failures: notes.length,
      figures: { seed, imported: outcomes.imported, refused: outcomes.refused },
      notes,
    };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

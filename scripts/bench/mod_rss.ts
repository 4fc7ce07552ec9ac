/**
 * Benchmark: the peak RSS of `ocictl image mod` while it rewrites one big
 * gzip layer (1 GiB of random files, see ./mod_fixture.ts), one step at a
 * time: every step that streams a layer through decompression, the tar
 * rewrite and compression. Each step runs as its own process
 * (`deno run -A main.ts image mod …`, peak RSS from `/usr/bin/time`), once
 * as users run it from a checkout and once with the V8 flags the compiled
 * binary carries (scripts/compile.ts). The target is 120 MiB (issue 12).
 *
 * Between steps the layout is put back as it was (index.json and blobs), so
 * every step reads the same image. The zstd steps read a zstd copy of the
 * layer made once before the measured runs.
 *
 * Run alone: `deno run -A scripts/bench/mod_rss.ts [--quick]` (`--quick`: a 16 MiB
 * layer and three of the steps).
 *
 * @module
 */
import { V8_FLAGS } from "../compile.ts";
import { fmtNum, MAIN_TS, type Metric, runChecked, runTimed, say } from "./_common.ts";
import {
  buildModFixture,
  FIXTURE_NESTED_TAR,
  FIXTURE_STRIP_PATH,
  FIXTURE_TAG,
  type ModFixture,
} from "./mod_fixture.ts";

/** Target: peak RSS of each step, in MiB. */
export const MOD_RSS_TARGET_MIB = 120;

/** Options of {@link benchModRss}. */
export interface ModRssOptions {
  /** Size of the random files in the layer, in MiB. @default 1024 */
  sizeMiB?: number | undefined;
  /** Only these steps (names as in the summary rows). @default every step */
  steps?: readonly string[] | undefined;
}

/** The steps `--quick` runs: a gzip rewrite, an added layer, and zstd in and out. */
export const QUICK_STEPS: readonly string[] = [
  "--layer-time",
  "--layer-add tar=",
  "--layer-time (zstd in and out)",
];

const SET = "set=2021-01-01T00:00:00Z";
const ZSTD_TAG = "zst";

/** One measured step: its name, the tag it reads, its flags. */
interface _Step {
  name: string;
  from: string;
  flags: (f: ModFixture) => string[];
}

/** The steps that stream a layer, in the order they run. */
const STEPS: readonly _Step[] = [
  { name: "--layer-time", from: FIXTURE_TAG, flags: () => ["--layer-time", SET] },
  {
    name: "--layer-strip-file",
    from: FIXTURE_TAG,
    flags: () => ["--layer-strip-file", FIXTURE_STRIP_PATH],
  },
  {
    name: "--file-tar-time",
    from: FIXTURE_TAG,
    flags: () => ["--file-tar-time", `filename=${FIXTURE_NESTED_TAR},${SET}`],
  },
  { name: "--layer-compress none", from: FIXTURE_TAG, flags: () => ["--layer-compress", "none"] },
  { name: "--layer-compress zstd", from: FIXTURE_TAG, flags: () => ["--layer-compress", "zstd"] },
  {
    name: "--layer-compress gzip (zstd in)",
    from: ZSTD_TAG,
    flags: () => ["--layer-compress", "gzip"],
  },
  { name: "--layer-add tar=", from: FIXTURE_TAG, flags: (f) => ["--layer-add", `tar=${f.tar}`] },
  { name: "--reproducible", from: FIXTURE_TAG, flags: () => ["--reproducible"] },
  { name: "--time", from: FIXTURE_TAG, flags: () => ["--time", SET] },
  { name: "--layer-time (zstd in and out)", from: ZSTD_TAG, flags: () => ["--layer-time", SET] },
  {
    name: "--layer-time --layer-compress zstd",
    from: FIXTURE_TAG,
    flags: () => ["--layer-time", SET, "--layer-compress", "zstd"],
  },
];

/** How ocictl is started: as from a checkout, or with the compiled binary's V8 flags. */
const MODES: readonly { label: string; args: string[] }[] = [
  { label: "deno run", args: [] },
  { label: "binary's V8 flags", args: [`--v8-flags=${V8_FLAGS}`] },
];

/** What a layout holds, to put it back after a step. */
interface _Snapshot {
  index: string;
  blobs: Set<string>;
}

async function _snapshot(layout: string): Promise<_Snapshot> {
  const blobs = new Set<string>();
  for await (const e of Deno.readDir(`${layout}/blobs/sha256`)) blobs.add(e.name);
  return { index: await Deno.readTextFile(`${layout}/index.json`), blobs };
}

async function _restore(layout: string, s: _Snapshot): Promise<void> {
  await Deno.writeTextFile(`${layout}/index.json`, s.index);
  for await (const e of Deno.readDir(`${layout}/blobs/sha256`)) {
    if (!s.blobs.has(e.name)) await Deno.remove(`${layout}/blobs/sha256/${e.name}`);
  }
}

function _modArgs(
  v8: readonly string[],
  f: ModFixture,
  from: string,
  to: string,
  flags: string[],
): string[] {
  return [
    "run",
    "-A",
    ...v8,
    MAIN_TS,
    "image",
    "mod",
    `ocidir://${f.layout}:${from}`,
    "--create",
    to,
    ...flags,
  ];
}

/**
 * Runs the benchmark: builds the fixture, then every step in both modes.
 *
 * @param options size of the layer
 * @returns one peak-RSS metric per step and mode
 * @throws {Error} when the fixture cannot be built or a step fails
 */
export async function benchModRss(options: ModRssOptions = {}): Promise<Metric[]> {
  const sizeMiB = options.sizeMiB ?? 1024;
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bench-mod-" });
  try {
    const f = await buildModFixture(dir, sizeMiB);
    say(`mod_rss: image mod on one gzip layer of ${sizeMiB} MiB of random files`);
    await runChecked(
      "image mod --layer-compress zstd (zstd copy of the layer)",
      Deno.execPath(),
      _modArgs([], f, FIXTURE_TAG, ZSTD_TAG, ["--layer-compress", "zstd"]),
    );
    const snap = await _snapshot(f.layout);
    const rows: Metric[] = [];
    for (const mode of MODES) {
      for (const step of STEPS) {
        if (options.steps !== undefined && !options.steps.includes(step.name)) continue;
        const args = _modArgs(mode.args, f, step.from, "out", step.flags(f));
        const r = await runTimed(Deno.execPath(), args);
        await _restore(f.layout, snap);
        if (r.code !== 0) {
          throw new Error(`image mod ${step.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
        }
        say(
          `  ${step.name} [${mode.label}]: peak RSS ${fmtNum(r.peakRssMiB)} MiB, ` +
            `${fmtNum(r.seconds)} s`,
        );
        rows.push({
          name: `mod ${step.name} ${sizeMiB} MiB [${mode.label}] peak RSS (MiB)`,
          ocictl: r.peakRssMiB,
          better: "lower",
          target: `< ${MOD_RSS_TARGET_MIB} MiB`,
          ok: Number.isFinite(r.peakRssMiB) ? r.peakRssMiB < MOD_RSS_TARGET_MIB : undefined,
        });
      }
    }
    return rows;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const metrics = await benchModRss(
    Deno.args.includes("--quick") ? { sizeMiB: 16, steps: QUICK_STEPS } : {},
  );
  for (const m of metrics) say(`${m.name}: ${fmtNum(m.ocictl, 2)} (target ${m.target})`);
}

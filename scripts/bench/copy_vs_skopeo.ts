/**
 * Benchmark: `ocictl image copy` against `skopeo copy` on loopback
 * docker-registry, for a single-platform image of random (incompressible)
 * layers built as an OCI layout. Measures, with one warm-up and the median of
 * the timed runs: push (ocidir → registry), pull (registry → fresh ocidir)
 * and registry → registry (a second docker-registry, so nothing can be
 * mounted); ocictl's peak RSS per run (`/usr/bin/time` %M); and the requests
 * of a no-op re-copy, counted by a proxy in front of the registry. A bare
 * Deno client (`bare_copy.ts`: raw HTTP/1.1, 1 MiB pieces, none of ocictl's
 * code) copies the same image in the same rounds: the floor this machine
 * allows a Deno program, printed beside ocictl without a target.
 *
 * Every timed push goes to a fresh registry, so neither tool can skip or
 * mount a blob it pushed before (skopeo keeps a blob-location cache). The
 * tools take turns within each round (ocictl, skopeo, bare in even rounds,
 * the other way round in odd ones, so skopeo always runs second), every run
 * starts after a `sync` (no run pays for the previous one's writes), and
 * ocictl runs as the compiled binary loads it ({@link asCompiled}).
 *
 * Run alone: `deno run -A scripts/bench/copy_vs_skopeo.ts [--quick] [--big]`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import {
  asCompiled,
  type BenchServer,
  fmtNum,
  hasCommand,
  type LayoutLayer,
  type Metric,
  MIB,
  runChecked,
  type RunResult,
  say,
  startCountingProxy,
  startDockerRegistry,
  timeInTurns,
  type Timing,
  writeImageLayout,
  writeRandomFile,
} from "./_common.ts";
import { V8_FLAGS } from "../compile.ts";

/** Options of {@link benchCopyVsSkopeo}. */
export interface CopyBenchOptions {
  /** Number of layers. @default 4 */
  layers?: number | undefined;
  /** Size of each layer in MiB. @default 64 */
  layerMiB?: number | undefined;
  /** Untimed runs before the timed ones. @default 1 */
  warmup?: number | undefined;
  /**
   * Timed runs (the median is reported). @default 5: on a 2-core machine one
   * run in three or four takes 10–50 % longer than its neighbours, whichever
   * tool it is, so a median of three moved a ratio by up to 0.2 between runs.
   */
  repeats?: number | undefined;
  /** Also push and pull an 8×256 MiB image with ocictl, for its peak RSS. @default false */
  big?: boolean | undefined;
}

/**
 * Targets (issue 15): ocictl's time over skopeo's, 0.9× the fastest Go
 * client measured beside skopeo. Push (layout → registry).
 */
export const PUSH_TARGET = 0.57;
/** Target: ocictl's time over skopeo's for pull (registry → new layout). */
export const PULL_TARGET = 0.58;
/** Target: ocictl's time over skopeo's for registry → registry. */
export const REG_REG_TARGET = 0.67;
/** Target: requests of a no-op copy, per manifest. */
export const NOOP_REQUESTS_TARGET = 2;
/** Target: ocictl's peak RSS in MiB. */
export const RSS_TARGET_MIB = 90;

const LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
const TAG = "v1";
const REPO = "bench/img";

/** An image written as an OCI layout. */
export interface RandomLayout {
  /** The layout's directory. */
  dir: string;
  /** Manifests in it. */
  manifests: number;
  /** Bytes of its layers. */
  bytes: number;
}

/**
 * Writes a single-platform image of random layers as an OCI layout (tag
 * `v1`); layers use the plain tar media type, so no tool recompresses.
 *
 * @param dir the new layout's directory
 * @param layers number of layers
 * @param layerMiB size of each layer in MiB
 * @returns the layout, its manifest count and its bytes
 */
export async function buildRandomLayout(
  dir: string,
  layers: number,
  layerMiB: number,
): Promise<RandomLayout> {
  const blobs = `${dir}/blobs/sha256`;
  await Deno.mkdir(blobs, { recursive: true });
  const descs: LayoutLayer[] = [];
  for (let i = 0; i < layers; i++) {
    const hash = createHash("sha256");
    const tmp = `${dir}/layer.tmp`;
    await writeRandomFile(tmp, layerMiB * MIB, (c) => hash.update(c));
    const hex = hash.digest("hex");
    await Deno.rename(tmp, `${blobs}/${hex}`);
    const digest = `sha256:${hex}`;
    descs.push({ mediaType: LAYER_TYPE, digest, size: layerMiB * MIB, diffId: digest });
  }
  await writeImageLayout(dir, TAG, descs);
  return { dir, manifests: 1, bytes: layers * layerMiB * MIB };
}

/** A run with the CPU seconds (user + system) it used, NaN when unknown. */
type _CpuRun = RunResult & { cpu: number };

/** How a tool names the endpoints of a copy. */
interface _Tool {
  name: "ocictl" | "skopeo" | "bare" | "go";
  ocidir(dir: string): string;
  registry(host: string, repo: string): string;
  copy(src: string, dst: string, hosts: readonly string[]): Promise<_CpuRun>;
}

/**
 * Runs a command (through `runChecked`) under a second `/usr/bin/time` that
 * writes its user and system CPU seconds to a file: wall time on a shared
 * machine is noisy, CPU time much less so.
 */
async function _runWithCpu(what: string, cmd: string, args: string[]): Promise<_CpuRun> {
  if (!hasCommand("/usr/bin/time")) return { ...(await runChecked(what, cmd, args)), cpu: NaN };
  const file = await Deno.makeTempFile({ prefix: "ocictl-bench-cpu-" });
  try {
    const r = await runChecked(what, "/usr/bin/time", ["-f", "%U %S", "-o", file, cmd, ...args]);
    const [u, s] = (await Deno.readTextFile(file)).trim().split("\n").pop()!.split(" ").map(Number);
    return { ...r, cpu: (u ?? NaN) + (s ?? NaN) };
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

const OCICTL: _Tool = {
  name: "ocictl",
  ocidir: (dir) => `ocidir://${dir}:${TAG}`,
  registry: (host, repo) => `${host}/${repo}:${TAG}`,
  copy: async (src, dst, hosts) =>
    _runWithCpu("ocictl image copy", Deno.execPath(), [
      ...(await asCompiled()),
      "image",
      "copy",
      src,
      dst,
      ...hosts.flatMap((h) => ["--host", `reg=${h},tls=disabled`]),
    ]),
};

const SKOPEO: _Tool = {
  name: "skopeo",
  ocidir: (dir) => `oci:${dir}:${TAG}`,
  registry: (host, repo) => `docker://${host}/${repo}:${TAG}`,
  copy: (src, dst) =>
    _runWithCpu("skopeo copy", "skopeo", [
      "copy",
      "--all",
      "--preserve-digests",
      "--src-tls-verify=false",
      "--dest-tls-verify=false",
      // Keep the plain tar layers as they are (the oci: target would gzip them).
      "--dest-oci-accept-uncompressed-layers",
      "--quiet",
      src,
      dst,
    ]),
};

/**
 * The floor: a bare Deno client (`bare_copy.ts`) that moves the same bytes
 * with none of ocictl's code, run as a plain `deno run` with the binary's
 * V8 flags ({@link V8_FLAGS}).
 *
 * Why the flags: every `deno run` shares one V8 code cache, and the code
 * cached for Deno's Node layer (the 120 `ext:deno_node/*` modules that
 * `node:crypto` loads) is only used by a process with the same V8 flags. A
 * process with other flags compiles those modules again and overwrites the
 * cache, so the next run of the other kind does the same. Measured on a
 * 2-core machine, medians of interleaved runs (4×64 MiB pull): with the bare
 * client run without flags, ocictl 430–446 ms and the bare client 366–403;
 * with the same flags, 382 and 349. On a 2×4 MiB pull each run after a run
 * of the other kind took 30–70 ms longer.
 */
const BARE: _Tool = {
  name: "bare",
  ocidir: (dir) => `ocidir:${dir}:${TAG}`,
  registry: (host, repo) => `${host}/${repo}:${TAG}`,
  copy: (src, dst) =>
    _runWithCpu("bare copy", Deno.execPath(), [
      "run",
      "-A",
      "--quiet",
      `--v8-flags=${V8_FLAGS}`,
      fileURLToPath(new URL("./bare_copy.ts", import.meta.url)),
      src,
      dst,
    ]),
};

/**
 * The environment variable naming the optional Go peer: a binary built from
 * `go_copy/main.go` (oras-go v2, `go_copy SRC DST` with the ends written as
 * for {@link BARE}). Set, the bench times it in the same rounds, so a run
 * shows what the fastest Go client does on that machine (the targets are
 * 0.9× the Go client measured beside skopeo when issue 15 was filed). Not
 * set, the bench runs without it: oras-go v2 is not a Debian package.
 */
export const GO_COPY_ENV = "OCICTL_BENCH_GO_COPY";

/** The Go peer at `path` ({@link GO_COPY_ENV}). */
function _goTool(path: string): _Tool {
  return {
    name: "go",
    ocidir: (dir) => `ocidir:${dir}:${TAG}`,
    registry: (host, repo) => `${host}/${repo}:${TAG}`,
    copy: (src, dst) => _runWithCpu("go copy", path, [src, dst]),
  };
}

/** What one tool measured. */
interface _ToolFigures {
  push: number;
  pull: number;
  regReg: number;
  rss: number[];
  /** Requests of the no-op re-copy; NaN for the bare client, which has none. */
  noop: number;
}

async function _withRegistry<T>(fn: (r: BenchServer) => Promise<T>): Promise<T> {
  const r = await startDockerRegistry();
  try {
    return await fn(r);
  } finally {
    await r.stop();
  }
}

/** Flushes every file system, so that no run pays for an earlier run's writes. */
async function _settle(): Promise<void> {
  if (hasCommand("sync")) await runChecked("sync", "sync", []);
}

async function _measureTools(
  tools: readonly _Tool[],
  layout: RandomLayout,
  source: BenchServer,
  root: string,
  opts: { warmup: number; repeats: number },
): Promise<Map<_Tool, _ToolFigures>> {
  // The tools take turns within each round (timeInTurns); every run starts on
  // flushed file systems.
  const fresh = {
    ...opts,
    setup: async () => {
      const reg = await startDockerRegistry();
      await _settle();
      return reg;
    },
    teardown: (reg: BenchServer) => reg.stop(),
  };
  const push = await timeInTurns(
    tools,
    (tool, reg: BenchServer) =>
      tool.copy(tool.ocidir(layout.dir), tool.registry(reg.host, REPO), [reg.host]),
    fresh,
  );
  let n = 0;
  const pull = await timeInTurns(
    tools,
    (tool, dir: string) =>
      tool.copy(tool.registry(source.host, REPO), tool.ocidir(dir), [source.host]),
    {
      ...opts,
      setup: async (tool) => {
        await _settle();
        return `${root}/pull-${tool.name}-${n++}`;
      },
      teardown: (dir) => Deno.remove(dir, { recursive: true }).catch(() => {}),
    },
  );
  const regReg = await timeInTurns(
    tools,
    (tool, dst: BenchServer) =>
      tool.copy(
        tool.registry(source.host, REPO),
        tool.registry(dst.host, "bench/copy"),
        [source.host, dst.host],
      ),
    fresh,
  );
  const figures = new Map<_Tool, _ToolFigures>();
  for (const tool of tools) {
    // No-op: copy again to the source registry (which has the image), through
    // a counting proxy (ocictl and skopeo: the bare client always sends every
    // blob, and the Go client is only timed).
    let noop: string[] | undefined;
    if (tool === OCICTL || tool === SKOPEO) {
      const proxy = startCountingProxy(source.host);
      try {
        await tool.copy(tool.ocidir(layout.dir), tool.registry(proxy.host, REPO), [proxy.host]);
      } finally {
        await proxy.stop();
      }
      noop = proxy.requests;
    }
    const runs = [push, pull, regReg].flatMap((t) => t.get(tool)!.results);
    const mib = layout.bytes / MIB;
    const line = (what: string, t: Timing<_CpuRun>) =>
      `  ${tool.name} ${what}: median ${fmtNum(t.median, 2)} s (${
        t.samples.map((s) => s.toFixed(2)).join(", ")
      }), ${fmtNum(mib / t.median)} MiB/s`;
    say(line("push", push.get(tool)!));
    say(line("pull", pull.get(tool)!));
    say(line("registry->registry", regReg.get(tool)!));
    say(
      `  ${tool.name} peak RSS per run (MiB): ${runs.map((r) => fmtNum(r.peakRssMiB)).join(", ")}`,
    );
    say(`  ${tool.name} CPU s (user+sys) per run: ${runs.map((r) => fmtNum(r.cpu, 2)).join(", ")}`);
    if (noop !== undefined) {
      say(`  ${tool.name} no-op re-copy: ${noop.length} requests (${noop.join(", ")})`);
    }
    figures.set(tool, {
      push: push.get(tool)!.median,
      pull: pull.get(tool)!.median,
      regReg: regReg.get(tool)!.median,
      rss: runs.map((r) => r.peakRssMiB),
      noop: noop?.length ?? NaN,
    });
  }
  return figures;
}

/**
 * Times `ocictl image copy` against `skopeo copy` and the bare Deno client
 * (push, pull, registry → registry), counts the requests of a no-op copy and
 * reads ocictl's peak RSS. Without skopeo installed, ocictl's figures and the
 * bare client's are still measured.
 *
 * @param options image size, warm-up and repeat counts, the big RSS run
 * @returns one summary row per metric
 * @throws {Error} when docker-registry is missing or a copy fails
 */
export async function benchCopyVsSkopeo(options: CopyBenchOptions = {}): Promise<Metric[]> {
  const layers = options.layers ?? 4;
  const layerMiB = options.layerMiB ?? 64;
  const opts = { warmup: options.warmup ?? 1, repeats: options.repeats ?? 5 };
  const label = `${layers}x${layerMiB} MiB`;
  const root = await Deno.makeTempDir({ prefix: "ocictl-bench-copy-" });
  try {
    say(`copy_vs_skopeo: ${label} image, ${opts.warmup} warm-up + ${opts.repeats} timed runs`);
    const layout = await buildRandomLayout(`${root}/src`, layers, layerMiB);
    const figures = await _withRegistry(async (source) => {
      await OCICTL.copy(OCICTL.ocidir(layout.dir), OCICTL.registry(source.host, REPO), [
        source.host,
      ]);
      const peer = hasCommand("skopeo");
      if (!peer) say("  skopeo is not installed: no peer figures");
      const goPath = Deno.env.get(GO_COPY_ENV);
      const go = goPath ? _goTool(goPath) : undefined;
      const tools = [OCICTL, ...(peer ? [SKOPEO] : []), BARE, ...(go ? [go] : [])];
      const figures = await _measureTools(tools, layout, source, root, opts);
      return {
        o: figures.get(OCICTL)!,
        s: figures.get(SKOPEO),
        b: figures.get(BARE)!,
        g: go && figures.get(go),
      };
    });
    const { o, s, b, g } = figures;
    const maxRss = (rs: number[]) => Math.max(...rs.filter(Number.isFinite));
    const time = (name: string, a: number, b: number | undefined, target: number): Metric => ({
      name: `copy ${name} ${label} (s)`,
      ocictl: a,
      peer: b,
      better: "lower",
      target: `<= ${target}x`,
      ok: b === undefined ? undefined : a / b <= target,
    });
    // No target: how far ocictl is from the bare client in the same rounds.
    const floor = (name: string, a: number, bare: number): Metric => ({
      name: `copy ${name} ${label} vs bare Deno client (s)`,
      ocictl: a,
      peer: bare,
      better: "lower",
      target: "-",
    });
    // No target either: the Go client, and its own ratio to skopeo (the
    // targets are 0.9x that ratio where they were measured).
    const goRow = (name: string, a: number, go: number, sk: number | undefined): Metric => ({
      name: `copy ${name} ${label} vs Go client (s)`,
      ocictl: a,
      peer: go,
      better: "lower",
      target: sk === undefined ? "-" : `Go/skopeo ${(go / sk).toFixed(2)}`,
    });
    const rows: Metric[] = [
      time("push", o.push, s?.push, PUSH_TARGET),
      time("pull", o.pull, s?.pull, PULL_TARGET),
      time("reg->reg", o.regReg, s?.regReg, REG_REG_TARGET),
      floor("push", o.push, b.push),
      floor("pull", o.pull, b.pull),
      floor("reg->reg", o.regReg, b.regReg),
      ...(g === undefined ? [] : [
        goRow("push", o.push, g.push, s?.push),
        goRow("pull", o.pull, g.pull, s?.pull),
        goRow("reg->reg", o.regReg, g.regReg, s?.regReg),
      ]),
      {
        name: `copy no-op requests / manifest`,
        ocictl: o.noop / layout.manifests,
        peer: s === undefined ? undefined : s.noop / layout.manifests,
        better: "lower",
        target: `<= ${NOOP_REQUESTS_TARGET}`,
        ok: o.noop / layout.manifests <= NOOP_REQUESTS_TARGET,
      },
      {
        name: `copy peak RSS ${label} (MiB)`,
        ocictl: maxRss(o.rss),
        peer: s === undefined ? undefined : maxRss(s.rss),
        better: "lower",
        target: `<= ${RSS_TARGET_MIB} MiB`,
        ok: maxRss(o.rss) <= RSS_TARGET_MIB,
      },
    ];
    if (options.big) rows.push(await _bigRun(root, maxRss(o.rss)));
    return rows;
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/** Pushes and pulls an 8×256 MiB image once with ocictl and compares its peak RSS. */
async function _bigRun(root: string, smallRss: number): Promise<Metric> {
  say("copy_vs_skopeo --big: 8x256 MiB image, ocictl push and pull once");
  const layout = await buildRandomLayout(`${root}/big`, 8, 256);
  const rss = await _withRegistry(async (reg) => {
    const push = await OCICTL.copy(OCICTL.ocidir(layout.dir), OCICTL.registry(reg.host, REPO), [
      reg.host,
    ]);
    const pull = await OCICTL.copy(
      OCICTL.registry(reg.host, REPO),
      OCICTL.ocidir(`${root}/big-pull`),
      [reg.host],
    );
    say(`  ocictl push ${push.seconds.toFixed(2)} s, ${fmtNum(push.peakRssMiB)} MiB peak RSS`);
    say(`  ocictl pull ${pull.seconds.toFixed(2)} s, ${fmtNum(pull.peakRssMiB)} MiB peak RSS`);
    return Math.max(push.peakRssMiB, pull.peakRssMiB);
  });
  return {
    name: "copy peak RSS 8x256 MiB vs small (MiB)",
    ocictl: rss,
    peer: smallRss,
    better: "lower",
    target: `same, <= ${RSS_TARGET_MIB} MiB`,
    ok: rss <= RSS_TARGET_MIB && rss <= smallRss * 1.1 + 4,
  };
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rows = await benchCopyVsSkopeo(
    quick
      ? { layers: 2, layerMiB: 4, warmup: 0, repeats: 1 }
      : { big: Deno.args.includes("--big") },
  );
  for (const r of rows) say(`${r.name}: ocictl ${fmtNum(r.ocictl, 2)} peer ${fmtNum(r.peer, 2)}`);
}

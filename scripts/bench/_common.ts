/**
 * Shared helpers of the benchmarks under scripts/bench/: the summary row
 * type, docker-registry and `ocictl serve` on 127.0.0.1 (with their process
 * ids, for peak RSS), random incompressible files, timing with repeats and a
 * median, and running a child process under `/usr/bin/time` for its peak RSS.
 *
 * Benchmarks never assert speed: they print ratios measured in the same run.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  type Distribution,
  freePort,
  hasDistribution,
  startDistribution,
} from "../../tests/registry/_distribution.ts";
import { buildBundle } from "../bundle.ts";
import { runArgs } from "../compile.ts";

export { freePort, hasDistribution };

/** One MiB in bytes. */
export const MIB = 1024 * 1024;

/** Repository root (where main.ts lives). */
export const ROOT: string = new URL("../../", import.meta.url).pathname;

/** Path of main.ts, run as `deno run -A main.ts …`, the way users run ocictl. */
export const MAIN_TS: string = `${ROOT}main.ts`;

let _asCompiled: Promise<readonly string[]> | undefined;

/**
 * `deno run` arguments that run ocictl the way the `deno compile` binary
 * runs it: the JavaScript bundle the binary is compiled from
 * (`scripts/bundle.ts`, built once per process into a temporary directory,
 * removed at exit), run by `runArgs` of `scripts/compile.ts` (lazy
 * `import()`, the binary's V8 flags).
 *
 * Every `deno run` in one `DENO_DIR` should use the same V8 flags: V8 rejects
 * a code cache written under other flags, so alternating flag sets recompile
 * (and rewrite the cache) on every run.
 *
 * @returns the arguments after the `deno` executable, up to the command line
 * @throws {Error} when the bundle cannot be built (`BundleError`)
 */
export function asCompiled(): Promise<readonly string[]> {
  _asCompiled ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-bench-bundle-" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // already gone
      }
    });
    return runArgs((await buildBundle(dir)).main);
  })();
  return _asCompiled;
}

/** One line of the summary table. */
export interface Metric {
  /** What was measured, e.g. `serve blob PUT 256 MiB (MiB/s)`. */
  name: string;
  /** ocictl's figure (NaN when it could not be measured). */
  ocictl: number;
  /** The peer's figure (docker-registry, skopeo), or undefined when there is none. */
  peer?: number | undefined;
  /** How the ratio ocictl/peer is judged: "higher" is better, or "lower" is better. */
  better: "higher" | "lower";
  /** The target as text, e.g. `>= 1.2x` or `<= 90 MiB`. */
  target: string;
  /** Whether the target is met; undefined when it could not be judged. Informational only. */
  ok?: boolean | undefined;
}

/**
 * The ratio ocictl/peer of a metric.
 *
 * @param m the metric
 * @returns the ratio, or NaN when there is no peer figure
 * @throws never
 */
export function ratioOf(m: Metric): number {
  if (m.peer === undefined || !Number.isFinite(m.peer) || m.peer === 0) return NaN;
  return m.ocictl / m.peer;
}

/**
 * Writes one line to stdout (progress of a benchmark).
 *
 * @param text the line without its end
 * @returns nothing
 * @throws never
 */
export function say(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
}

/**
 * Tells whether an executable is on the PATH (or at the absolute path given).
 *
 * @param name command name or path
 * @returns true when it can be run
 * @throws never
 */
export function hasCommand(name: string): boolean {
  const dirs = name.includes("/") ? [""] : (Deno.env.get("PATH") ?? "").split(":");
  for (const d of dirs) {
    try {
      const info = Deno.statSync(d === "" ? name : `${d}/${name}`);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return true;
    } catch {
      // not there
    }
  }
  return false;
}

/**
 * The median of some numbers.
 *
 * @param values the samples (not changed)
 * @returns the median, NaN when empty
 * @throws never
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Options of {@link timeInTurns}. */
export interface TurnOptions<K, S> {
  /** Untimed rounds first (page cache, module cache). @default 1 */
  warmup?: number | undefined;
  /** Timed rounds. @default 3 */
  repeats?: number | undefined;
  /** Untimed, before each run (warm-ups too): its value goes to the run. */
  setup?: ((key: K, round: number) => Promise<S>) | undefined;
  /** Untimed, after each run (warm-ups too). */
  teardown?: ((state: S) => Promise<void>) | undefined;
}

/** What {@link timeInTurns} measured for one contender. */
export interface Timing<T> {
  /** Median seconds of the timed runs. */
  median: number;
  /** Seconds of each timed run. */
  samples: number[];
  /** What each timed run returned. */
  results: T[];
}

/**
 * Times a task for each contender (tools, servers), the contenders taking
 * turns within each round: in the given order in even rounds, reversed in
 * odd ones, so that a slow or fast spell of the machine falls on all of them
 * and none always goes first. `setup` and `teardown` run around each run and
 * are not timed.
 *
 * @param keys the contenders
 * @param run the timed work; gets the contender, the setup's value and the round
 * @param opts warm-up and timed rounds, untimed setup and teardown
 * @returns per contender: the median, the samples and what each timed run returned
 * @throws whatever run, setup or teardown throws
 *
 * @example Two contenders, one warm-up round and two timed ones
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeInTurns } from "./_common.ts";
 * const order: string[] = [];
 * const t = await timeInTurns(["a", "b"], (k) => {
 *   order.push(k);
 *   return Promise.resolve(k);
 * }, { warmup: 1, repeats: 2 });
 * assert.deepEqual(order, ["a", "b", "b", "a", "a", "b"]);
 * assert.deepEqual(t.get("a")?.results, ["a", "a"]);
 * ```
 */
export async function timeInTurns<K, S, T>(
  keys: readonly K[],
  run: (key: K, state: S, round: number) => Promise<T>,
  opts: TurnOptions<K, S> = {},
): Promise<Map<K, Timing<T>>> {
  const warmup = opts.warmup ?? 1;
  const repeats = opts.repeats ?? 3;
  const timings = new Map(
    keys.map((k) => [k, { median: NaN, samples: [], results: [] } as Timing<T>]),
  );
  for (let round = 0; round < warmup + repeats; round++) {
    const order = round % 2 === 0 ? keys : [...keys].reverse();
    for (const key of order) {
      const state = (await opts.setup?.(key, round)) as S;
      try {
        const start = performance.now();
        const result = await run(key, state, round);
        const sec = (performance.now() - start) / 1000;
        if (round >= warmup) {
          timings.get(key)!.samples.push(sec);
          timings.get(key)!.results.push(result);
        }
      } finally {
        await opts.teardown?.(state);
      }
    }
  }
  for (const t of timings.values()) t.median = median(t.samples);
  return timings;
}

/**
 * Writes a file of random (incompressible) bytes, 64 KiB at a time.
 *
 * @param path file to create or replace
 * @param bytes its size
 * @param onChunk sees every chunk written (to hash it)
 * @returns nothing
 * @throws {Deno.errors.NotFound} when the directory does not exist
 */
export async function writeRandomFile(
  path: string,
  bytes: number,
  onChunk?: (chunk: Uint8Array) => void,
): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const piece = new Uint8Array(MIB);
    for (let done = 0; done < bytes;) {
      const n = Math.min(MIB, bytes - done);
      const chunk = piece.subarray(0, n);
      for (let off = 0; off < n; off += 65536) {
        crypto.getRandomValues(chunk.subarray(off, Math.min(n, off + 65536)));
      }
      onChunk?.(chunk);
      for (let w = 0; w < n;) w += await file.write(chunk.subarray(w));
      done += n;
    }
  } finally {
    file.close();
  }
}

/**
 * Reads the peak resident set size (VmHWM) of a running process.
 *
 * @param pid process id
 * @returns MiB, or NaN when the process is gone
 * @throws never
 */
export function peakRssMiB(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = /^VmHWM:\s+(\d+) kB/m.exec(text);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Samples a process's VmHWM every 100 ms, so the peak survives its exit.
 *
 * @param pid process id
 * @returns `stop()`, which ends the sampling and gives the highest value seen (MiB, NaN if none)
 * @throws never
 */
export function watchPeakRss(pid: number): { stop(): number } {
  let peak = NaN;
  const sample = () => {
    const v = peakRssMiB(pid);
    if (Number.isFinite(v) && !(v <= peak)) peak = v;
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** What {@link runTimed} gives back. */
export interface RunResult {
  /** Exit code. */
  code: number;
  /** Wall seconds. */
  seconds: number;
  /** Peak RSS of the child in MiB (from `/usr/bin/time`, else sampled VmHWM; NaN if unknown). */
  peakRssMiB: number;
  /** Its stdout. */
  stdout: string;
  /** Its stderr (without `/usr/bin/time`'s line). */
  stderr: string;
}

const TIME_BIN = "/usr/bin/time";

/**
 * Runs a command to its end, timing it and reading its peak RSS. With
 * `/usr/bin/time` the peak is exact (`%M`); otherwise VmHWM is sampled.
 *
 * @param cmd program
 * @param args its arguments
 * @param env extra environment
 * @returns exit code, wall time, peak RSS and output
 * @throws {Deno.errors.NotFound} when the program does not exist
 */
export async function runTimed(
  cmd: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  const useTime = hasCommand(TIME_BIN);
  const rssFile = useTime ? await Deno.makeTempFile({ prefix: "ocictl-bench-rss-" }) : "";
  try {
    const argv = useTime ? ["-f", "%M", "-o", rssFile, cmd, ...args] : [...args];
    const start = performance.now();
    const child = new Deno.Command(useTime ? TIME_BIN : cmd, {
      args: argv,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const watch = useTime ? undefined : watchPeakRss(child.pid);
    const out = await child.output();
    const seconds = (performance.now() - start) / 1000;
    let peak = watch?.stop() ?? NaN;
    if (useTime) {
      const kb = Number((await Deno.readTextFile(rssFile)).trim().split("\n").pop());
      peak = Number.isFinite(kb) && kb > 0 ? kb / 1024 : NaN;
    }
    const dec = new TextDecoder();
    return {
      code: out.code,
      seconds,
      peakRssMiB: peak,
      stdout: dec.decode(out.stdout),
      stderr: dec.decode(out.stderr),
    };
  } finally {
    if (useTime) await Deno.remove(rssFile).catch(() => {});
  }
}

/**
 * Like {@link runTimed}, but throws when the command fails.
 *
 * @param what name used in the error
 * @param cmd program
 * @param args its arguments
 * @returns the run
 * @throws {Error} when the exit code is not 0 (with the end of its stderr)
 */
export async function runChecked(
  what: string,
  cmd: string,
  args: readonly string[],
): Promise<RunResult> {
  const r = await runTimed(cmd, args);
  if (r.code !== 0) {
    throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim().slice(-600)}`);
  }
  return r;
}

/** A server started by the benchmarks. */
export interface BenchServer {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Process id (for peak RSS); NaN when it could not be found. */
  pid: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

function _findPidByArg(needle: string): number {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      if (cmdline.includes(needle)) return Number(e.name);
    } catch {
      // gone, or not ours to read
    }
  }
  return NaN;
}

/**
 * Starts Debian's docker-registry (CNCF distribution) on 127.0.0.1 with the
 * tests' helper, and finds its process id by its config path.
 *
 * @returns the running registry
 * @throws {Error} when it is not installed or does not start
 */
export async function startDockerRegistry(): Promise<BenchServer> {
  if (!hasDistribution) throw new Error("docker-registry is not installed");
  const d: Distribution = await startDistribution();
  return {
    host: d.host,
    url: `http://${d.host}`,
    pid: _findPidByArg(`${d.dir}/config.yml`),
    stop: () => d.stop(),
  };
}

/**
 * Starts `ocictl serve` as its own process, run as the binary would be
 * ({@link asCompiled} `serve --dir DIR --addr 127.0.0.1:0`), on a new
 * temporary directory and reads the URL it prints first.
 *
 * @param flags more `serve` flags, e.g. `--verify-every-read`
 * @returns the running server
 * @throws {Error} when it exits or prints no URL within 30 s
 */
export async function startOcictlServe(flags: readonly string[] = []): Promise<BenchServer> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bench-serve-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [...(await asCompiled()), "serve", "--dir", dir, "--addr", "127.0.0.1:0", ...flags],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stop = async () => {
    if (!exited) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
    }
    await reader.cancel().catch(() => {});
    await status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  let text = "";
  const timeout = new Promise<"timeout">((r) => {
    const t = setTimeout(() => r("timeout"), 30_000);
    status.finally(() => clearTimeout(t));
  });
  for (;;) {
    const next = await Promise.race([reader.read(), timeout]);
    if (next === "timeout" || next.done) break;
    text += next.value;
    const m = /^(http:\/\/127\.0\.0\.1:(\d+))\n/.exec(text);
    if (m) {
      // Keep draining stdout so the server never blocks on a full pipe.
      void (async () => {
        try {
          for (;;) if ((await reader.read()).done) break;
        } catch {
          // cancelled by stop()
        }
      })();
      return { host: `127.0.0.1:${m[2]}`, url: m[1]!, pid: child.pid, stop };
    }
  }
  await stop();
  throw new Error(`ocictl serve did not print its URL: ${JSON.stringify(text.slice(0, 200))}`);
}

/** A counting HTTP proxy in front of a registry. */
export interface CountingProxy {
  /** `127.0.0.1:<port>` of the proxy. */
  host: string;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  /** Stops the proxy. */
  stop(): Promise<void>;
}

/**
 * Starts a tiny proxy on 127.0.0.1 that forwards every request to a
 * registry and records it (to count the requests of a no-op copy).
 *
 * @param target `127.0.0.1:<port>` of the registry
 * @returns the running proxy
 * @throws {Deno.errors.AddrInUse} never in practice (port 0)
 */
export function startCountingProxy(target: string): CountingProxy {
  const requests: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const u = new URL(req.url);
      requests.push(`${req.method} ${u.pathname}`);
      const headers = new Headers(req.headers);
      headers.delete("host");
      const res = await fetch(`http://${target}${u.pathname}${u.search}`, {
        method: req.method,
        headers,
        body: req.body,
        redirect: "manual",
      });
      const out = new Headers(res.headers);
      const loc = out.get("location");
      if (loc !== null) out.set("location", loc.replace(`//${target}`, `//${host}`));
      return new Response(res.body, { status: res.status, headers: out });
    },
  );
  const host = `127.0.0.1:${server.addr.port}`;
  return { host, requests, stop: () => server.shutdown() };
}

/**
 * Formats a number for the table.
 *
 * @param n the number
 * @param digits decimals
 * @returns text, `-` for NaN or undefined
 * @throws never
 */
export function fmtNum(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(digits);
}

/** A layer blob already stored in a layout, as {@link writeImageLayout} lists it. */
export interface LayoutLayer {
  /** Media type. */
  mediaType: string;
  /** Digest of the blob. */
  digest: string;
  /** Size of the blob. */
  size: number;
  /** Digest of its uncompressed content (the config's diff_id). */
  diffId: string;
}

/**
 * Finishes a single-platform OCI layout whose layer blobs are already in
 * `blobs/sha256/`: writes the config (with `extra` fields), the manifest,
 * `index.json` naming it by `tag`, and `oci-layout`.
 *
 * @param layout the layout directory
 * @param tag the tag of the image
 * @param layers its layers, in order
 * @param extra more config fields (`created`, `history`, …)
 * @returns nothing
 * @throws {Deno.errors.NotFound} when `blobs/sha256/` does not exist
 */
export async function writeImageLayout(
  layout: string,
  tag: string,
  layers: readonly LayoutLayer[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const enc = new TextEncoder();
  const put = async (bytes: Uint8Array) => {
    const hex = createHash("sha256").update(bytes).digest("hex");
    await Deno.writeFile(`${layout}/blobs/sha256/${hex}`, bytes);
    return `sha256:${hex}`;
  };
  const config = enc.encode(JSON.stringify({
    ...extra,
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
  }));
  const manifestType = "application/vnd.oci.image.manifest.v1+json";
  const manifest = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: manifestType,
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: await put(config),
      size: config.byteLength,
    },
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  }));
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{
      mediaType: manifestType,
      digest: await put(manifest),
      size: manifest.byteLength,
      annotations: { "org.opencontainers.image.ref.name": tag },
    }],
  };
  await Deno.writeTextFile(`${layout}/index.json`, JSON.stringify(index));
  await Deno.writeTextFile(`${layout}/oci-layout`, JSON.stringify({ imageLayoutVersion: "1.0.0" }));
}

/**
 * Benchmark: `ocictl serve` (its own process, run as the compiled binary
 * runs it: `asCompiled()`) against Debian's docker-registry (CNCF
 * distribution), each on its own port and temporary directory on 127.0.0.1.
 * One client, curl, for both: blob upload throughput (monolithic POST + PUT
 * with Content-Length, and chunked: one PATCH per chunk with Content-Range,
 * then a PUT without body), blob download throughput of the same blob, and
 * concurrent pulls of a smaller blob (total MiB/s and wall time). Prints
 * each server's numbers, the ratio serve/distribution and each server's
 * peak RSS (VmHWM). One more row times serve's GET of a blob it has not
 * checked yet (a second serve with `--verify-every-read`, the path of every
 * blob's first GET after a restart), against distribution's GET. The
 * servers take turns within each timed round, step by step, so that a slow
 * or fast spell of the machine falls on all of them.
 *
 * Run alone: `deno run -A scripts/bench/serve_vs_distribution.ts [--quick]`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  type BenchServer,
  fmtNum,
  type Metric,
  MIB,
  peakRssMiB,
  say,
  startDockerRegistry,
  startOcictlServe,
  timeInTurns,
  writeRandomFile,
} from "./_common.ts";

/** Options of {@link benchServeVsDistribution}. */
export interface ServeBenchOptions {
  /** Size of the blob pushed and pulled, in MiB. @default 256 */
  blobMiB?: number | undefined;
  /** Size of each PATCH of the chunked upload, in MiB. @default 8 */
  chunkMiB?: number | undefined;
  /** Size of the blob pulled concurrently, in MiB. @default 16 */
  pullMiB?: number | undefined;
  /** Number of concurrent pulls. @default 32 */
  pulls?: number | undefined;
  /** Untimed runs first. @default 1 */
  warmup?: number | undefined;
  /** Timed runs (the median is reported). @default 3 */
  repeats?: number | undefined;
}

/** Target: serve's throughput over docker-registry's. */
export const SERVE_TARGET = 1.2;
/** Target of one blob GET against docker-registry, which sends files with sendfile(2). */
export const SERVE_GET_TARGET = 1.0;

/** The GET step runs this many times the timed rounds of the others. */
const GET_ROUNDS_FACTOR = 3;

/** {@link ServeBenchOptions} with every default filled in. */
interface _Settings {
  blobMiB: number;
  chunkMiB: number;
  pullMiB: number;
  pulls: number;
  warmup: number;
  repeats: number;
}

/** A blob file on disk and its digest. */
interface _Blob {
  path: string;
  digest: string;
  size: number;
}

async function _randomBlob(path: string, mib: number): Promise<_Blob> {
  const hash = createHash("sha256");
  await writeRandomFile(path, mib * MIB, (c) => hash.update(c));
  return { path, digest: `sha256:${hash.digest("hex")}`, size: mib * MIB };
}

async function _curl(args: string[]): Promise<string> {
  const out = await new Deno.Command("curl", {
    args: ["-sS", "-f", "-H", "Expect:", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`curl failed: ${dec.decode(out.stderr).trim()}`);
  return dec.decode(out.stdout);
}

/** Monolithic upload: POST to open the session, then one PUT of the file with its length. */
async function _push(server: BenchServer, repo: string, blob: _Blob): Promise<void> {
  const res = await fetch(`${server.url}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  await res.body?.cancel();
  const loc = res.headers.get("location");
  if (res.status !== 202 || loc === null) {
    throw new Error(`POST upload to ${server.host} answered ${res.status}`);
  }
  const url = new URL(loc, server.url);
  url.searchParams.set("digest", blob.digest);
  const out = await _curl([
    "-T",
    blob.path,
    "-H",
    "Content-Type: application/octet-stream",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    url.href,
  ]);
  if (out.trim() !== "201") throw new Error(`PUT upload to ${server.host} answered ${out}`);
}

/** Splits a blob file into chunk files of `chunkMiB` (untimed set-up for the chunked upload). */
async function _splitBlob(blob: _Blob, chunkMiB: number): Promise<string[]> {
  const paths: string[] = [];
  using src = await Deno.open(blob.path, { read: true });
  const buf = new Uint8Array(chunkMiB * MIB);
  for (let i = 0;; i++) {
    let used = 0;
    while (used < buf.byteLength) {
      const n = await src.read(buf.subarray(used));
      if (n === null) break;
      used += n;
    }
    if (used === 0) break;
    const path = `${blob.path}.chunk-${i}`;
    await Deno.writeFile(path, buf.subarray(0, used));
    paths.push(path);
    if (used < buf.byteLength) break;
  }
  return paths;
}

/** Chunked upload: POST, one PATCH per chunk file with Content-Range, then PUT ?digest= without a body. */
async function _pushChunked(
  server: BenchServer,
  repo: string,
  blob: _Blob,
  chunks: readonly string[],
): Promise<void> {
  const res = await fetch(`${server.url}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  await res.body?.cancel();
  let loc = res.headers.get("location");
  if (res.status !== 202 || loc === null) {
    throw new Error(`POST upload to ${server.host} answered ${res.status}`);
  }
  let offset = 0;
  for (const path of chunks) {
    const size = (await Deno.stat(path)).size;
    const head = await _curl([
      "-X",
      "PATCH",
      "-T",
      path,
      "-H",
      "Content-Type: application/octet-stream",
      "-H",
      `Content-Range: ${offset}-${offset + size - 1}`,
      "-D",
      "-",
      "-o",
      "/dev/null",
      new URL(loc, server.url).href,
    ]);
    offset += size;
    const m = /^location:\s*(\S+)/im.exec(head);
    if (m === null || m[1] === undefined) {
      throw new Error(`PATCH to ${server.host} gave no Location`);
    }
    loc = m[1];
  }
  const url = new URL(loc, server.url);
  url.searchParams.set("digest", blob.digest);
  const put = await fetch(url, { method: "PUT" });
  await put.body?.cancel();
  if (put.status !== 201) {
    throw new Error(`PUT after PATCH to ${server.host} answered ${put.status}`);
  }
}

function _blobUrl(server: BenchServer, repo: string, blob: _Blob): string {
  return `${server.url}/v2/${repo}/blobs/${blob.digest}`;
}

/** Downloads a blob `count` times at once; checks every size. */
async function _pull(server: BenchServer, repo: string, blob: _Blob, count = 1): Promise<void> {
  const urls = Array.from(
    { length: count },
    () => ["-o", "/dev/null", _blobUrl(server, repo, blob)],
  );
  const out = await _curl([
    ...(count > 1 ? ["-Z", "--parallel-max", String(count), "--parallel-immediate"] : []),
    "-w",
    "%{size_download}\\n",
    ...urls.flat(),
  ]);
  const sizes = out.trim().split("\n").map(Number);
  if (sizes.length !== count || sizes.some((s) => s !== blob.size)) {
    throw new Error(`pull from ${server.host} got sizes ${sizes.join(",")}, want ${blob.size}`);
  }
}

/** What one server measured. */
interface _ServerFigures {
  putMiBps: number;
  patchMiBps: number;
  getMiBps: number;
  pullsMiBps: number;
  pullsWall: number;
  rss: number;
}

/** Each server's median seconds for one step, the servers taking turns ({@link timeInTurns}). */
async function _turns<K>(
  servers: readonly K[],
  run: (server: K, round: number) => Promise<void>,
  o: _Settings,
): Promise<number[]> {
  const t = await timeInTurns(servers, (k: K, _s: undefined, r) => run(k, r), o);
  return servers.map((k) => t.get(k)!.median);
}

/**
 * Measures docker-registry and ocictl serve step by step (PUT, chunked
 * PATCH, GET, concurrent pulls), the two taking turns within each round,
 * and the GET of a serve that checks every read beside them.
 */
async function _measure(
  dist: BenchServer,
  serve: BenchServer,
  unchecked: BenchServer,
  big: _Blob,
  small: _Blob,
  chunks: readonly string[],
  o: _Settings,
): Promise<{ d: _ServerFigures; s: _ServerFigures; uncheckedGetMiBps: number }> {
  const both = [dist, serve];
  const put = await _turns(both, (srv, r) => _push(srv, `bench/put-${r}`, big), o);
  const patch = await _turns(
    both,
    (srv, r) => _pushChunked(srv, `bench/patch-${r}`, big, chunks),
    o,
  );
  await _push(unchecked, "bench/put-0", big);
  // A GET takes a fifth of a second: three times the rounds, for a steadier
  // median (with 3, the ratio moved between 0.78 and 1.01 from run to run).
  const get = await _turns(
    [...both, unchecked],
    (srv) => _pull(srv, "bench/put-0", big),
    { ...o, repeats: o.repeats * GET_ROUNDS_FACTOR },
  );
  for (const srv of both) await _push(srv, "bench/pull", small);
  const pulls = await _turns(both, (srv) => _pull(srv, "bench/pull", small, o.pulls), o);
  const figures = (i: number): _ServerFigures => ({
    putMiBps: o.blobMiB / put[i]!,
    patchMiBps: o.blobMiB / patch[i]!,
    getMiBps: o.blobMiB / get[i]!,
    pullsMiBps: (o.pulls * o.pullMiB) / pulls[i]!,
    pullsWall: pulls[i]!,
    rss: peakRssMiB(both[i]!.pid),
  });
  const d = figures(0);
  const s = figures(1);
  for (const [name, f] of [["docker-registry", d], ["ocictl serve", s]] as const) {
    say(
      `  ${name}: PUT ${fmtNum(f.putMiBps)} MiB/s, PATCH ${fmtNum(f.patchMiBps)} MiB/s, ` +
        `GET ${fmtNum(f.getMiBps)} MiB/s, ` +
        `${o.pulls}x${o.pullMiB} MiB pulls ${fmtNum(f.pullsMiBps)} MiB/s in ${
          fmtNum(f.pullsWall, 2)
        } s, peak RSS ${fmtNum(f.rss)} MiB`,
    );
  }
  const uncheckedGetMiBps = o.blobMiB / get[2]!;
  say(`  ocictl serve --verify-every-read: GET ${fmtNum(uncheckedGetMiBps)} MiB/s`);
  return { d, s, uncheckedGetMiBps };
}

/**
 * Compares `ocictl serve` with docker-registry on blob upload, download and
 * concurrent pulls, with curl as the one client.
 *
 * @param options blob sizes, pull count, warm-up and repeats
 * @returns one summary row per metric
 * @throws {Error} when docker-registry or curl is missing, or a server fails to start or answer
 */
export async function benchServeVsDistribution(
  options: ServeBenchOptions = {},
): Promise<Metric[]> {
  const o: _Settings = {
    blobMiB: options.blobMiB ?? 256,
    chunkMiB: options.chunkMiB ?? 8,
    pullMiB: options.pullMiB ?? 16,
    pulls: options.pulls ?? 32,
    warmup: options.warmup ?? 1,
    repeats: options.repeats ?? 3,
  };
  say(
    `serve_vs_distribution: ${o.blobMiB} MiB blob (chunked in ${o.chunkMiB} MiB PATCHes), ` +
      `${o.pulls}x${o.pullMiB} MiB concurrent pulls, ` +
      `${o.warmup} warm-up + ${o.repeats} timed runs (GET ${
        o.repeats * GET_ROUNDS_FACTOR
      }), client curl`,
  );
  const root = await Deno.makeTempDir({ prefix: "ocictl-bench-serve-data-" });
  const servers: BenchServer[] = [];
  try {
    const big = await _randomBlob(`${root}/big`, o.blobMiB);
    const small = await _randomBlob(`${root}/small`, o.pullMiB);
    const chunks = await _splitBlob(big, o.chunkMiB);
    const dist = await startDockerRegistry();
    servers.push(dist);
    const serve = await startOcictlServe();
    servers.push(serve);
    const unchecked = await startOcictlServe(["--verify-every-read"]);
    servers.push(unchecked);
    const { d, s, uncheckedGetMiBps } = await _measure(
      dist,
      serve,
      unchecked,
      big,
      small,
      chunks,
      o,
    );
    const row = (name: string, a: number, b: number, target = SERVE_TARGET): Metric => ({
      name,
      ocictl: a,
      peer: b,
      better: "higher",
      target: `>= ${target}x`,
      ok: a / b >= target,
    });
    return [
      row(`serve blob PUT ${o.blobMiB} MiB (MiB/s)`, s.putMiBps, d.putMiBps),
      row(
        `serve blob PATCH ${o.blobMiB} MiB in ${o.chunkMiB} MiB chunks (MiB/s)`,
        s.patchMiBps,
        d.patchMiBps,
      ),
      row(`serve blob GET ${o.blobMiB} MiB (MiB/s)`, s.getMiBps, d.getMiBps, SERVE_GET_TARGET),
      {
        name: `serve blob GET ${o.blobMiB} MiB unchecked (MiB/s)`,
        ocictl: uncheckedGetMiBps,
        peer: d.getMiBps,
        better: "higher",
        target: "-",
        ok: undefined,
      },
      row(`serve ${o.pulls}x${o.pullMiB} MiB pulls (MiB/s)`, s.pullsMiBps, d.pullsMiBps),
      {
        name: `serve ${o.pulls}x${o.pullMiB} MiB pulls wall (s)`,
        ocictl: s.pullsWall,
        peer: d.pullsWall,
        better: "lower",
        target: `<= ${(1 / SERVE_TARGET).toFixed(2)}x`,
        ok: s.pullsWall / d.pullsWall <= 1 / SERVE_TARGET,
      },
      {
        name: "serve peak RSS (MiB)",
        ocictl: s.rss,
        peer: d.rss,
        better: "lower",
        target: "-",
        ok: undefined,
      },
    ];
  } finally {
    for (const srv of servers.reverse()) await srv.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rows = await benchServeVsDistribution(
    quick ? { blobMiB: 16, chunkMiB: 4, pullMiB: 1, warmup: 0, repeats: 1 } : {},
  );
  for (const r of rows) say(`${r.name}: ocictl ${fmtNum(r.ocictl, 2)} peer ${fmtNum(r.peer, 2)}`);
}

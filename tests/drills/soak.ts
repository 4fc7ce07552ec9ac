/**
 * Soak and load: `ocictl serve` (its own process) under 32 concurrent
 * clients pushing and pulling random images on 127.0.0.1 for a bounded
 * time. Reports requests per second, p50/p99 latency, errors, and the
 * server's RSS and open file descriptors before and after the load.
 *
 * Figures are measured after a warm-up under the same load (`PHASES`).
 * RSS growth is measured under load, from the end of the warm-up to the end
 * of the run, each as the median of the samples (every 500 ms) in a window
 * of a tenth of the measured time, so a single sample taken in a burst of
 * requests does not decide it.
 *
 * @module
 */
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import type { DrillResult, DrillSize } from "./_drill.ts";
import { seededRandom } from "./crash.ts";
import { startServeProcess } from "./_proc.ts";

const CLIENTS = 32;
/**
 * V8 heap bounds of the served process (old space, and 2 MiB semi-spaces):
 * V8 otherwise grows its heap lazily, so RSS would rise by tens of MiB
 * without any leak (measured: heap in use stays 10-35 MiB while the
 * reserved heap grows). With bounds it must collect; a leak then shows as
 * RSS growth, errors or a crash.
 */
const SERVE_HEAP_MIB = 96;
/**
 * Seconds of load before anything is measured, then seconds measured. The
 * full warm-up is long because RSS rises for about three minutes under this
 * load before it levels off (measured in a 6-minute run: medians of 36 s
 * windows 88, 92, 102, 107, 115, 130, 127, 126, 129 MiB): the repositories'
 * index.json files and the blob-check memory grow, and the allocator's
 * arenas settle.
 */
const PHASES = { short: { warmup: 4, measure: 6 }, full: { warmup: 180, measure: 120 } };
/** Share of the measured time each RSS window lasts. */
const WINDOW = 0.1;
/** Milliseconds between RSS samples. */
const SAMPLE_MS = 500;
const enc = new TextEncoder();

/**
 * A process's resident memory in bytes and its open descriptors (Linux /proc).
 *
 * @param pid process id
 * @returns RSS bytes and descriptor count
 */
export async function processFigures(pid: number): Promise<{ rss: number; fds: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fds = (await Array.fromAsync(Deno.readDir(`/proc/${pid}/fd`))).length;
  return { rss: kb * 1024, fds };
}

/**
 * The median of some numbers (0 for none).
 *
 * @param xs the numbers
 * @returns their median
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] ?? 0 : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function _percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/**
 * Runs the soak.
 *
 * @param size short (4 s warm-up, 6 s measured) or full (3 minutes warm-up, 2 measured)
 * @param seed random seed
 * @returns the drill's row
 */
export async function soakDrill(size: DrillSize, seed: number): Promise<DrillResult> {
  const { warmup, measure } = PHASES[size === "short" ? "short" : "full"];
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-drill-soak-" });
  const { child, base } = await startServeProcess(
    `${tmp}/served`,
    0,
    `--max-old-space-size=${SERVE_HEAP_MIB},--max-semi-space-size=2`,
  );
  const notes: string[] = [];
  const client = Deno.createHttpClient({});
  try {
    // settled before the first figures: one request answered on a connection
    // closed since (what the server opens lazily counts from the start), a pause
    const first = Deno.createHttpClient({});
    await (await fetch(`${base}/v2/`, { client: first })).body?.cancel();
    first.close();
    await new Promise((r) => setTimeout(r, 500));
    const idle = await processFigures(child.pid);
    const latencies: number[] = [];
    let errors = 0;
    const pushed: { repo: string; tag: string; blobs: string[] }[] = [];
    const timed = async (method: string, url: string, init: RequestInit = {}) => {
      const t0 = performance.now();
      try {
        const res = await fetch(url, { ...init, method, client });
        await res.body?.cancel();
        latencies.push(performance.now() - t0);
        if (res.status >= 400) {
          errors++;
          if (notes.length < 5) notes.push(`${method} ${url}: ${res.status}`);
        }
        return res;
      } catch (err) {
        errors++;
        if (notes.length < 5) notes.push(`${method} ${url}: ${(err as Error).message}`);
        return undefined;
      }
    };
    const start = performance.now();
    const warmupEnd = start + warmup * 1000;
    const end = warmupEnd + measure * 1000;
    const samples: { at: number; rss: number }[] = [];
    const sampling = (async () => {
      while (performance.now() < end) {
        samples.push({ at: performance.now(), rss: (await processFigures(child.pid)).rss });
        await new Promise((r) => setTimeout(r, SAMPLE_MS));
      }
    })();
    let warmedUp = false;
    let measured = 0;
    let measureStart = 0;
    const worker = async (w: number) => {
      const rand = seededRandom(seed + w);
      let n = 0;
      while (performance.now() < end) {
        if (!warmedUp && performance.now() >= warmupEnd) {
          warmedUp = true;
          measureStart = performance.now();
          measured = latencies.length;
        }
        const known = pushed[Math.floor(rand() * pushed.length)];
        if (known !== undefined && rand() < 0.5) {
          await timed("GET", `${base}/v2/${known.repo}/manifests/${known.tag}`);
          for (const d of known.blobs) await timed("GET", `${base}/v2/${known.repo}/blobs/${d}`);
          continue;
        }
        const repo = `soak/c${w % 8}`;
        const tag = `w${w}-${n++}`;
        const layer = new Uint8Array(1024 + Math.floor(rand() * 64 * 1024));
        crypto.getRandomValues(layer.subarray(0, Math.min(layer.length, 65536)));
        const config = enc.encode(JSON.stringify({ architecture: "amd64", os: "linux", tag }));
        for (const b of [layer, config]) {
          await timed("POST", `${base}/v2/${repo}/blobs/uploads/?digest=${await digestOf(b)}`, {
            body: b,
            headers: { "Content-Type": "application/octet-stream" },
          });
        }
        const [configDigest, layerDigest] = [await digestOf(config), await digestOf(layer)];
        const manifest = enc.encode(JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.OCI_MANIFEST,
          config: { mediaType: MediaType.OCI_CONFIG, digest: configDigest, size: config.length },
          layers: [{ mediaType: MediaType.OCI_LAYER, digest: layerDigest, size: layer.length }],
        }));
        const put = await timed("PUT", `${base}/v2/${repo}/manifests/${tag}`, {
          body: manifest,
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
        });
        if (put?.status === 201) {
          pushed.push({ repo, tag, blobs: [configDigest, layerDigest] });
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
    await sampling;
    const elapsed = (performance.now() - measureStart) / 1000;
    const requests = latencies.length - measured;
    client.close();
    // the server closes the clients' connections: up to 5 s for that
    let after = await processFigures(child.pid);
    for (let i = 0; i < 20 && after.fds !== idle.fds; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await processFigures(child.pid);
    }
    const sorted = latencies.slice(measured).sort((a, b) => a - b);
    const window = Math.max(1000, measure * 1000 * WINDOW);
    const rssIn = (from: number, to: number) =>
      median(samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rss)) / 2 ** 20;
    const rssWarm = rssIn(warmupEnd, warmupEnd + window);
    const rssEnd = rssIn(end - window, end);
    const rssGrowth = rssEnd - rssWarm;
    if (errors > 0) notes.unshift(`${errors} errors`);
    if (rssGrowth > 20) notes.push(`RSS grew ${rssGrowth.toFixed(1)} MiB after warm-up (over 20)`);
    if (after.fds !== idle.fds) {
      notes.push(`open descriptors ${idle.fds} before, ${after.fds} after`);
    }
    return {
      drill: `soak: serve, ${CLIENTS} clients push/pull, ${warmup} s warm-up + ${measure} s`,
      cases: requests,
      failures: errors + (rssGrowth > 20 ? 1 : 0) + (after.fds !== idle.fds ? 1 : 0),
      figures: {
        rps: (requests / elapsed).toFixed(0),
        p50ms: _percentile(sorted, 0.5).toFixed(1),
        p99ms: _percentile(sorted, 0.99).toFixed(1),
        errors,
        rssStartMiB: (idle.rss / 2 ** 20).toFixed(0),
        rssWarmMiB: rssWarm.toFixed(0),
        rssEndMiB: rssEnd.toFixed(0),
        rssGrowthMiB: rssGrowth.toFixed(1),
        rssIdleEndMiB: (after.rss / 2 ** 20).toFixed(0),
        fdsStart: idle.fds,
        fdsEnd: after.fds,
        serveHeapMiB: SERVE_HEAP_MIB,
      },
      notes,
    };
  } finally {
    try {
      client.close();
    } catch {
      // already closed
    }
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    await Deno.remove(tmp, { recursive: true });
  }
}

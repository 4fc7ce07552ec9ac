/**
 * Benchmark: push and pull one random blob through the registry transport
 * against docker-registry on loopback, reporting MiB/s each way, the peak
 * RSS of this process (VmHWM) and how much it grew over the baseline. The
 * transport streams, so the growth must stay under 64 MiB whatever the size;
 * a warning line is printed when it does not (benchmarks never fail tests).
 *
 * Run: `deno run -A scripts/bench/registry_blob.ts [sizeMiB]` (default 256).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { parseRef } from "../../src/types/ref.ts";
import { hasDistribution, startDistribution } from "../../tests/registry/_distribution.ts";

/** What {@link benchRegistryBlob} measured. */
export interface BenchResult {
  /** Benchmark name. */
  name: string;
  /** Blob size in MiB. */
  sizeMiB: number;
  /** Push throughput in MiB/s. */
  pushMiBps: number;
  /** Pull throughput (digest-verified) in MiB/s. */
  pullMiBps: number;
  /** Peak resident set size of this process in MiB (VmHWM). */
  peakRssMiB: number;
  /** Peak RSS minus the RSS before the transfers, in MiB. */
  rssGrowthMiB: number;
  /** Problems worth a look (RSS growth over the budget). */
  warnings: string[];
}

/** RSS growth budget in MiB. */
export const RSS_GROWTH_BUDGET_MIB = 64;
const MIB = 1024 * 1024;
const PIECE = 64 * 1024;

function _status(field: "VmHWM" | "VmRSS"): number {
  const text = Deno.readTextFileSync("/proc/self/status");
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) / 1024 : 0;
}

/** Resets VmHWM to the current RSS (Linux `clear_refs` 5), so the peak is this run's. */
function _resetPeak(): void {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch {
    // not Linux, or not allowed: the peak then covers the whole process
  }
}

/** A 1 MiB random block; chunk `i` is the block with `i` stamped in front. */
function _block(): Uint8Array {
  const b = new Uint8Array(MIB);
  for (let off = 0; off < MIB; off += 65536) crypto.getRandomValues(b.subarray(off, off + 65536));
  return b;
}

function _chunk(block: Uint8Array, i: number): Uint8Array {
  const c = block.slice();
  new DataView(c.buffer).setUint32(0, i);
  return c;
}

/** The blob as a stream of 64 KiB pieces (what a file or stdin gives). */
function _stream(block: Uint8Array, chunks: number): ReadableStream<Uint8Array> {
  let i = 0;
  let current: Uint8Array = new Uint8Array();
  let off = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (off >= current.byteLength) {
        if (i >= chunks) {
          controller.close();
          return;
        }
        current = _chunk(block, i++);
        off = 0;
      }
      controller.enqueue(current.slice(off, off + PIECE));
      off += PIECE;
    },
  }, { highWaterMark: 0 });
}

/**
 * Pushes and pulls a random blob through the registry transport.
 *
 * @param opts blob size in MiB
 * @returns throughput and memory figures
 * @throws {Error} when docker-registry is not installed or does not start
 */
export async function benchRegistryBlob(opts: { sizeMiB: number }): Promise<BenchResult> {
  if (!hasDistribution) throw new Error("docker-registry is not installed");
  const chunks = Math.max(1, Math.floor(opts.sizeMiB));
  const block = _block();
  const hash = createHash("sha256");
  const scratch = block.slice();
  for (let i = 0; i < chunks; i++) {
    new DataView(scratch.buffer).setUint32(0, i);
    hash.update(scratch);
  }
  const digest = `sha256:${hash.digest("hex")}`;
  const size = chunks * MIB;

  const d = await startDistribution();
  const t = new RegistryTransport({ hosts: [{ name: d.host, tls: "disabled" }] });
  const ref = parseRef(`${d.host}/bench/blob`);
  try {
    _resetPeak();
    const baseline = _status("VmRSS");
    let start = performance.now();
    await t.blobPut(ref, _stream(block, chunks), { digest, size });
    const pushSec = (performance.now() - start) / 1000;
    const pushPeak = _status("VmHWM");

    start = performance.now();
    const reader = await t.blobGet(ref, digest, { size });
    let got = 0;
    for await (const c of reader.body) got += c.byteLength;
    const pullSec = (performance.now() - start) / 1000;
    if (got !== size) throw new Error(`pulled ${got} bytes, expected ${size}`);

    const peak = Math.max(pushPeak, _status("VmHWM"));
    const growth = peak - baseline;
    const warnings = growth >= RSS_GROWTH_BUDGET_MIB
      ? [`RSS grew by ${growth.toFixed(1)} MiB (budget ${RSS_GROWTH_BUDGET_MIB} MiB)`]
      : [];
    return {
      name: "registry blob push/pull",
      sizeMiB: chunks,
      pushMiBps: chunks / pushSec,
      pullMiBps: chunks / pullSec,
      peakRssMiB: peak,
      rssGrowthMiB: growth,
      warnings,
    };
  } finally {
    await t.close();
    await d.stop();
  }
}

if (import.meta.main) {
  const sizeMiB = Number(Deno.args[0] ?? 256);
  const r = await benchRegistryBlob({ sizeMiB });
  const line = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
  line(`${r.name}: ${r.sizeMiB} MiB`);
  line(`  push ${r.pushMiBps.toFixed(1)} MiB/s, pull ${r.pullMiBps.toFixed(1)} MiB/s`);
  line(`  peak RSS ${r.peakRssMiB.toFixed(1)} MiB, growth ${r.rssGrowthMiB.toFixed(1)} MiB`);
  for (const w of r.warnings) line(`  WARNING: ${w}`);
}

/**
 * Benchmark: peak RSS and time of `ocictl image copy` pulling from a
 * `tls: insecure` registry (docker-registry over https with a self-signed
 * certificate made by openssl) into a new layout, plain `deno run`, for
 * 4×64 MiB and 1×256 MiB images.
 *
 * Two rows per image: the server's certificate is pinnable (a self-signed
 * leaf, `CA:FALSE`), so the pull goes through a pinned Deno client
 * (ocictl column); or it is a CA certificate (`openssl req -x509`'s
 * default), which rustls refuses as a server certificate, so the pull stays
 * on `node:https`, the only path before pinning (peer column).
 *
 * Run alone: `deno run -A scripts/bench/insecure_pull.ts [--quick]`.
 *
 * @module
 */
import { startDistribution } from "../../tests/registry/_distribution.ts";
import { hasOpenssl, selfSigned } from "../../tests/registry/_tls_certs.ts";
import {
  asCompiled,
  fmtNum,
  hasDistribution,
  type Metric,
  MIB,
  runChecked,
  type RunResult,
  say,
} from "./_common.ts";
import { buildRandomLayout, RSS_TARGET_MIB } from "./copy_vs_skopeo.ts";

/** Options of {@link benchInsecurePull}. */
export interface InsecurePullOptions {
  /** Images to pull, as `[layers, MiB per layer]`. @default [[4, 64], [1, 256]] */
  shapes?: readonly (readonly [number, number])[] | undefined;
  /** Pulls per image and certificate (the highest peak and the median time are kept). @default 2 */
  repeats?: number | undefined;
}

const REPO = "bench/insecure";

/** Runs `ocictl image copy` against a `tls: insecure` host, with the debug log. */
async function _copy(host: string, src: string, dst: string): Promise<RunResult> {
  return runChecked("ocictl image copy (tls insecure)", Deno.execPath(), [
    ...(await asCompiled()),
    "image",
    "copy",
    "--host",
    `reg=${host},tls=insecure`,
    "-v",
    "debug",
    src,
    dst,
  ]);
}

/**
 * Pulls each image from a `tls: insecure` docker-registry with a pinnable
 * and with an unpinnable certificate, reading ocictl's peak RSS.
 *
 * @param options image shapes and repeats
 * @returns per image: a peak-RSS row (pinned vs node:https) and a time row
 * @throws {Error} when docker-registry or openssl is missing, a copy fails,
 *   or a pull did not take the path its certificate should give
 */
export async function benchInsecurePull(options: InsecurePullOptions = {}): Promise<Metric[]> {
  if (!hasDistribution) throw new Error("docker-registry is not installed");
  if (!hasOpenssl) throw new Error("openssl is not installed");
  const shapes = options.shapes ?? [[4, 64], [1, 256]];
  const repeats = options.repeats ?? 2;
  const root = await Deno.makeTempDir({ prefix: "ocictl-bench-insecure-" });
  const rows: Metric[] = [];
  try {
    const certs = {
      pinned: await selfSigned(root, { name: "leaf", san: "IP:127.0.0.1" }),
      node: await selfSigned(root, { name: "ca", san: "IP:127.0.0.1", ca: true }),
    };
    for (const [layers, layerMiB] of shapes) {
      const label = `${layers}x${layerMiB} MiB`;
      say(`insecure_pull: ${label} image, ${repeats} pulls per path`);
      const layout = await buildRandomLayout(
        `${root}/src-${label.replace(/ /g, "")}`,
        layers,
        layerMiB,
      );
      const figures: Record<string, { rss: number[]; secs: number[] }> = {};
      for (const [path, cert] of Object.entries(certs)) {
        const d = await startDistribution({ tls: cert });
        try {
          await _copy(d.host, `ocidir://${layout.dir}:v1`, `${d.host}/${REPO}:v1`);
          const f = figures[path] = { rss: [] as number[], secs: [] as number[] };
          const decide: string[] = [];
          for (let i = 0; i < repeats; i++) {
            const dst = `${root}/pull-${path}-${i}`;
            const r = await _copy(d.host, `${d.host}/${REPO}:v1`, `ocidir://${dst}:v1`);
            await Deno.remove(dst, { recursive: true });
            const pinned = /tls insecure: pinned/.test(r.stderr);
            if (pinned !== (path === "pinned")) {
              throw new Error(`the ${path} pull took the other path: ${r.stderr.slice(-600)}`);
            }
            f.rss.push(r.peakRssMiB);
            f.secs.push(r.seconds);
            // How long the pin (handshake, check, client) took, from the debug log.
            const ms = / ms=(\d+)/.exec(
              r.stderr.split("\n").find((l) => /tls insecure/.test(l)) ?? "",
            );
            if (ms) decide.push(ms[1]!);
          }
          say(
            `  ${path}: peak RSS ${f.rss.map((x) => fmtNum(x)).join(", ")} MiB; ${
              f.secs.map((x) => x.toFixed(2)).join(", ")
            } s; ${fmtNum(layout.bytes / MIB / Math.min(...f.secs))} MiB/s best${
              decide.length > 0 ? `; pinning took ${decide.join(", ")} ms` : ""
            }`,
          );
        } finally {
          await d.stop();
        }
      }
      const pinned = figures.pinned!;
      const node = figures.node!;
      rows.push({
        name: `insecure pull ${label} peak RSS, pinned vs node:https (MiB)`,
        ocictl: Math.max(...pinned.rss),
        peer: Math.max(...node.rss),
        better: "lower",
        target: `<= ${RSS_TARGET_MIB} MiB`,
        ok: Math.max(...pinned.rss) <= RSS_TARGET_MIB,
      }, {
        name: `insecure pull ${label}, pinned vs node:https (s)`,
        ocictl: Math.min(...pinned.secs),
        peer: Math.min(...node.secs),
        better: "lower",
        target: "-",
      });
    }
    return rows;
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const rows = await benchInsecurePull(quick ? { shapes: [[2, 4]], repeats: 1 } : {});
  for (const r of rows) say(`${r.name}: ocictl ${fmtNum(r.ocictl, 2)} peer ${fmtNum(r.peer, 2)}`);
}

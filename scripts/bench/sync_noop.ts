/**
 * Benchmark: a no-op `ocictl sync once` over a repository whose tags are all
 * up to date, on `ocictl serve` over loopback. Counts the requests through a
 * proxy (the goal: one tag list plus one manifest HEAD per tag on each side,
 * no manifest or blob GET) and times the whole run (process start included).
 *
 * Run alone: `deno run -A scripts/bench/sync_noop.ts [--quick]`.
 *
 * @module
 */
import { Client, createTransportFactory } from "../../src/client.ts";
import { createImage } from "../../src/ops/image_create.ts";
import { parseRef, withTag } from "../../src/types/ref.ts";
import {
  asCompiled,
  fmtNum,
  type Metric,
  runChecked,
  say,
  startCountingProxy,
  startOcictlServe,
} from "./_common.ts";

/** Options of {@link benchSyncNoop}. */
export interface SyncNoopOptions {
  /** Tags in the repository. @default 200 */
  tags?: number | undefined;
}

/** Target: seconds of the no-op pass over 200 tags. */
export const SYNC_NOOP_TARGET_S = 3;

/**
 * Runs the benchmark.
 *
 * @param options number of tags
 * @returns the metrics (seconds, requests per tag, GETs other than the tag lists)
 * @throws {Error} when a sync run fails
 */
export async function benchSyncNoop(options: SyncNoopOptions = {}): Promise<Metric[]> {
  const n = options.tags ?? 200;
  const serve = await startOcictlServe();
  const proxy = startCountingProxy(serve.host);
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bench-sync-" });
  const env = { OCICTL_CONFIG: `${dir}/config.json` };
  const client = new Client({
    transports: createTransportFactory(),
    settings: { env, hostFlags: [`reg=${serve.host},tls=disabled`] },
  });
  try {
    const src = parseRef(`${serve.host}/bench/src`);
    const first = await createImage(client, withTag(src, "t0"), {
      platform: { os: "linux", architecture: "amd64" },
    });
    const raw = first.manifest.raw;
    for (let i = 1; i < n; i++) {
      await client.manifestPut(withTag(src, `t${i}`), raw);
    }
    const config = (host: string) =>
      `creds:\n  - {registry: ${host}, tls: disabled}\n` +
      `sync:\n  - {source: ${host}/bench/src, target: ${host}/bench/dst, type: repository}\n`;
    await Deno.writeTextFile(`${dir}/seed.yml`, config(serve.host));
    await Deno.writeTextFile(`${dir}/noop.yml`, config(proxy.host));
    const args = [...(await asCompiled()), "-v", "warn", "sync", "once", "-c"];
    await runChecked("sync once (seed)", Deno.execPath(), [...args, `${dir}/seed.yml`]);
    proxy.requests.length = 0;
    const run = await runChecked("sync once (no-op)", Deno.execPath(), [
      ...args,
      `${dir}/noop.yml`,
    ]);
    const heads = proxy.requests.filter((r) => r.startsWith("HEAD ")).length;
    const tagLists = proxy.requests.filter((r) => /^GET .*\/tags\/list$/.test(r)).length;
    const gets = proxy.requests.filter((r) => /^GET .*\/(manifests|blobs)\//.test(r)).length;
    say(`sync_noop: ${n} up-to-date tags, ocictl sync once over ocictl serve`);
    say(`  ${fmtNum(run.seconds, 2)} s, ${proxy.requests.length} requests:`);
    say(`  ${tagLists} tag lists, ${heads} HEADs, ${gets} manifest/blob GETs`);
    return [
      {
        name: `sync no-op ${n} tags (s)`,
        ocictl: run.seconds,
        better: "lower",
        target: `< ${SYNC_NOOP_TARGET_S} s`,
        ok: run.seconds < SYNC_NOOP_TARGET_S,
      },
      {
        name: "sync no-op HEADs per tag",
        ocictl: heads / n,
        better: "lower",
        target: "<= 2",
        ok: heads <= 2 * n,
      },
      {
        name: "sync no-op manifest/blob GETs",
        ocictl: gets,
        better: "lower",
        target: "0",
        ok: gets === 0,
      },
    ];
  } finally {
    await client.close();
    await proxy.stop();
    await serve.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const metrics = await benchSyncNoop(Deno.args.includes("--quick") ? { tags: 20 } : {});
  for (const m of metrics) say(`${m.name}: ${fmtNum(m.ocictl, 2)} (target ${m.target})`);
}

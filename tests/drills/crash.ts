/**
 * Crash drills: `kill -9` at random moments of `image copy --referrers` of a
 * two-platform image with a referrer, into an `ocidir://` layout and into
 * `ocictl serve`; and `kill -9` of `serve` itself during pushes. After each
 * kill every manifest that index.json or a tag names exists, with every
 * blob it references (digest and size right), and a rerun completes.
 *
 * @module
 */
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef } from "../../src/types/ref.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import type { DrillResult, DrillSize } from "./_drill.ts";
import { layoutProblems, serveDirProblems } from "./_layout_check.ts";
import { ocictl, spawnOcictl, startServeProcess } from "./_proc.ts";

const enc = new TextEncoder();

/**
 * A small seeded random generator (mulberry32).
 *
 * @param seed the seed
 * @returns numbers in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function _bytes(size: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 4) {
    const v = (rand() * 2 ** 32) >>> 0;
    out[i] = v & 255;
    out[i + 1] = (v >>> 8) & 255;
    out[i + 2] = (v >>> 16) & 255;
    out[i + 3] = v >>> 24;
  }
  return out;
}

/**
 * Writes a two-platform index (three layers of `layerBytes` each per
 * platform) tagged `v1`, with an SBOM-like referrer, into a layout.
 *
 * @param dir layout directory
 * @param layerBytes size of each layer
 * @param seed content seed
 * @returns the index digest
 */
export async function buildCrashImage(
  dir: string,
  layerBytes: number,
  seed: number,
): Promise<string> {
  const rand = seededRandom(seed);
  const t = new OciDirTransport();
  const ref = parseRef(`ocidir://${dir}`);
  const put = async (b: Uint8Array) => {
    await t.blobPut(ref, ReadableStream.from([b]));
    return { digest: await digestOf(b), size: b.length };
  };
  const manifests = [];
  for (const arch of ["amd64", "arm64"]) {
    const layers = [];
    for (let i = 0; i < 3; i++) {
      layers.push({ mediaType: MediaType.OCI_LAYER, ...await put(_bytes(layerBytes, rand)) });
    }
    const config = enc.encode(
      JSON.stringify({ architecture: arch, os: "linux", rootfs: { type: "layers" } }),
    );
    const m = enc.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_MANIFEST,
      config: { mediaType: MediaType.OCI_CONFIG, ...await put(config) },
      layers,
    }));
    await t.manifestPut(parseRef(`ocidir://${dir}@${await digestOf(m)}`), m, { child: true });
    manifests.push({
      mediaType: MediaType.OCI_MANIFEST,
      digest: await digestOf(m),
      size: m.length,
      platform: { architecture: arch, os: "linux" },
    });
  }
  const index = enc.encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests }),
  );
  await t.manifestPut(parseRef(`ocidir://${dir}:v1`), index);
  const sbom = await put(enc.encode(`{"sbom":${seed}}`));
  const empty = await put(enc.encode("{}"));
  const artifact = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    artifactType: "application/vnd.example.sbom",
    config: { mediaType: "application/vnd.oci.empty.v1+json", ...empty },
    layers: [{ mediaType: "application/json", ...sbom }],
    subject: { mediaType: MediaType.OCI_INDEX, digest: await digestOf(index), size: index.length },
  }));
  await t.manifestPut(parseRef(`ocidir://${dir}@${await digestOf(artifact)}`), artifact);
  await t.close();
  return await digestOf(index);
}

interface _Kill {
  killedMidRun: boolean;
}

async function _runAndKill(args: string[], afterMs: number): Promise<_Kill> {
  const child = spawnOcictl(args);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  await new Promise((r) => setTimeout(r, afterMs));
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch {
      // it ended meanwhile
    }
  }
  const wasRunning = !exited;
  await status;
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  return { killedMidRun: wasRunning };
}

/**
 * Kills copies into a layout or into `serve` at random moments.
 *
 * @param size short (3 kills) or full (20)
 * @param into the target kind
 * @param seed random seed (kill times and content)
 * @returns the drill's row
 */
export async function copyCrashDrill(
  size: DrillSize,
  into: "ocidir" | "serve",
  seed: number,
): Promise<DrillResult> {
  const rounds = size === "short" ? 3 : 20;
  const rand = seededRandom(seed);
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-drill-crash-" });
  const notes: string[] = [];
  let midRun = 0;
  const server = into === "serve"
    ? await startRegistryServer({ dir: `${tmp}/served`, hostname: "127.0.0.1", port: 0 })
    : undefined;
  try {
    await buildCrashImage(`${tmp}/src`, size === "short" ? 512 * 1024 : 2 * 1024 * 1024, seed);
    const host = server ? `127.0.0.1:${server.addr.port}` : "";
    const global = server ? ["--host", `reg=${host},tls=disabled`] : [];
    const target = (i: number) => server ? `${host}/crash/r${i}:v1` : `ocidir://${tmp}/dst-${i}:v1`;
    const copyArgs = (
      i: number,
    ) => [...global, "image", "copy", "--referrers", `ocidir://${tmp}/src:v1`, target(i)];
    // how long one full copy takes, to spread the kills over it
    const t0 = performance.now();
    const first = await ocictl(copyArgs(-1));
    const full = performance.now() - t0;
    if (first.code !== 0) notes.push(`reference copy failed: ${first.stderr}`);
    for (let i = 0; i < rounds; i++) {
      const at = full * (0.3 + 0.6 * rand());
      if ((await _runAndKill(copyArgs(i), at)).killedMidRun) midRun++;
      const problems = server
        ? await serveDirProblems(`${tmp}/served`)
        : await _layoutIfAny(`${tmp}/dst-${i}`);
      for (const p of problems) notes.push(`after kill ${i} at ${at.toFixed(0)} ms: ${p}`);
      const again = await ocictl(copyArgs(i));
      if (again.code !== 0) notes.push(`rerun ${i} failed: ${again.stderr.trim()}`);
      const after = server
        ? await serveDirProblems(`${tmp}/served`)
        : await _layoutIfAny(`${tmp}/dst-${i}`);
      for (const p of after) notes.push(`after rerun ${i}: ${p}`);
    }
    return {
      drill: `crash: kill -9 during copies into ${into === "serve" ? "serve" : "ocidir"}`,
      cases: rounds,
      failures: notes.length,
      figures: { seed, killedMidCopy: midRun, copyMs: full.toFixed(0) },
      notes,
    };
  } finally {
    await server?.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
}

async function _layoutIfAny(dir: string): Promise<string[]> {
  const exists = await Deno.stat(`${dir}/index.json`).then(() => true, () => false);
  return exists ? await layoutProblems(dir) : [];
}

/**
 * Kills `ocictl serve` itself during pushes, restarts it on the same
 * directory, checks the repositories and reruns the push.
 *
 * @param size short (2 kills) or full (10)
 * @param seed random seed
 * @returns the drill's row
 */
export async function serveCrashDrill(size: DrillSize, seed: number): Promise<DrillResult> {
  const rounds = size === "short" ? 2 : 10;
  const rand = seededRandom(seed ^ 0x5EED);
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-drill-servecrash-" });
  const dir = `${tmp}/served`;
  const notes: string[] = [];
  let midRun = 0;
  try {
    await buildCrashImage(`${tmp}/src`, size === "short" ? 512 * 1024 : 2 * 1024 * 1024, seed);
    let serve = await startServeProcess(dir, 0);
    const port = serve.port;
    const args = (i: number) => [
      "--host",
      `reg=127.0.0.1:${port},tls=disabled`,
      "image",
      "copy",
      "--referrers",
      `ocidir://${tmp}/src:v1`,
      `127.0.0.1:${port}/pushed/r${i}:v1`,
    ];
    // how long one full push takes, so that the kills land while pushes run
    // (a fixed window missed them all once start-up got faster)
    const t0 = performance.now();
    const reference = await ocictl([...args(-1)]);
    const full = performance.now() - t0;
    if (reference.code !== 0) notes.push(`reference push failed: ${reference.stderr.trim()}`);
    for (let i = 0; i < rounds; i++) {
      const copy = spawnOcictl(args(i));
      let copyEnded = false;
      copy.status.then(() => (copyEnded = true));
      await new Promise((r) => setTimeout(r, full * (0.3 + 0.6 * rand())));
      if (!copyEnded) midRun++;
      serve.child.kill("SIGKILL");
      await serve.child.status;
      await serve.child.stdout.cancel().catch(() => {});
      await serve.child.stderr.cancel().catch(() => {});
      await copy.output();
      for (const p of await serveDirProblems(dir)) notes.push(`after kill ${i}: ${p}`);
      serve = await startServeProcess(dir, port);
      const again = await ocictl(args(i));
      if (again.code !== 0) notes.push(`rerun ${i} failed: ${again.stderr.trim()}`);
      for (const p of await serveDirProblems(dir)) notes.push(`after rerun ${i}: ${p}`);
    }
    serve.child.kill("SIGTERM");
    await serve.child.status;
    await serve.child.stdout.cancel().catch(() => {});
    await serve.child.stderr.cancel().catch(() => {});
    return {
      drill: "crash: kill -9 of serve during pushes",
      cases: rounds,
      failures: notes.length,
      figures: { seed, killedMidPush: midRun, pushMs: full.toFixed(0) },
      notes,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

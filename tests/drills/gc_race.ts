/**
 * The ocidir garbage-collection race, with two processes: process A copies
 * an image into a layout, finding one layer already there; meanwhile process
 * B removes the tag that was the layer's only user and collects garbage.
 * In the "child" variant A copies an index one of whose child manifests is
 * that tag's manifest, found in the layout by digest, and waits for the
 * other child before writing anything. B's collection must wait for A's copy (A holds the layout's shared GC
 * lease), so the layer A relies on survives. Rounds also start from a
 * layout without ocictl's lock files (as another tool leaves it), and a
 * control round runs A with its leases off, where the layer must be lost
 * (the drill can see the race).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { createRegistryHandler } from "../../src/serve/handler.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef } from "../../src/types/ref.ts";
import { imageManifest } from "../registry/_image.ts";
import { jsonBytes, pushBlob, send } from "../serve/_client.ts";
import type { DrillResult, DrillSize } from "./_drill.ts";
import { layoutProblems } from "./_layout_check.ts";
import { spawnOcictl } from "./_proc.ts";

const enc = new TextEncoder();

async function _image(seed: string, layers: Uint8Array[]) {
  const config = jsonBytes({
    architecture: "amd64",
    os: "linux",
    seed,
    rootfs: { type: "layers" },
  });
  const manifest = await imageManifest(config, layers);
  return { config, layers, manifest, digest: await digestOf(manifest) };
}

async function _exited(child: Deno.ChildProcess, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = await Promise.race([child.status.then(() => true), late]);
  clearTimeout(timer);
  return done;
}

/** How a round of the race starts. */
export interface GcRaceOptions {
  /** Remove ocictl's lock files from the layout first (a layout another tool made). */
  noLockFile?: boolean | undefined;
  /** The control: process A copies with its garbage-collection leases off. */
  leasesOff?: boolean | undefined;
  /** What A finds: a layer of an image (default) or a child manifest of an index. */
  variant?: "layer" | "child" | undefined;
}

const CHILD = fileURLToPath(new URL("./_gc_copy_child.ts", import.meta.url));

/**
 * One round of the race; returns what went wrong (empty when nothing did).
 *
 * @param options lock files removed first, leases off (the control)
 * @returns problems
 */
export async function gcRaceRound(options: GcRaceOptions = {}): Promise<string[]> {
  const notes: string[] = [];
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-gcrace-" });
  const shared = enc.encode("the shared layer ".repeat(100));
  const fresh = enc.encode("a new layer ".repeat(100));
  const old = await _image("old", [shared]);
  const child = options.variant === "child";
  // "child": an index of old's manifest and one with the fresh layer, whose GET waits
  const next = await _image("next", child ? [fresh] : [shared, fresh]);
  const top = child
    ? jsonBytes({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [old, next].map((m, i) => ({
        mediaType: MediaType.OCI_MANIFEST,
        digest: m.digest,
        size: m.manifest.length,
        platform: { architecture: i === 0 ? "amd64" : "arm64", os: "linux" },
      })),
    })
    : next.manifest;
  const gated = child ? `/manifests/${next.digest}` : `/blobs/${await digestOf(fresh)}`;
  const layout = `${tmp}/layout`;
  // the layout: tag "old" is the shared layer's only user
  const t = new OciDirTransport();
  for (const b of [old.config, shared]) {
    await t.blobPut(parseRef(`ocidir://${layout}`), ReadableStream.from([b]));
  }
  await t.manifestPut(parseRef(`ocidir://${layout}:old`), old.manifest);
  await t.close();
  if (options.noLockFile === true) {
    for (const f of [".ocictl.gc.lock", ".ocictl.lock"]) await Deno.remove(`${layout}/${f}`);
  }
  // the source: a registry whose answer for the new layer waits for a gate
  const reg = createRegistryHandler({ dir: `${tmp}/registry` });
  let seen!: () => void;
  const asked = new Promise<void>((r) => (seen = r));
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (req.method === "GET" && req.url.endsWith(gated)) {
      seen();
      await gate;
    }
    return await reg.fetch(req);
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const host = `127.0.0.1:${server.addr.port}`;
  try {
    for (const b of [old.config, next.config, shared, fresh]) {
      const r = await pushBlob(reg.fetch, base, "src", b);
      if (r.status !== 201) throw new Error(`source push failed: ${r.status}`);
    }
    const manifests: [string, string, Uint8Array][] = [
      [old.digest, MediaType.OCI_MANIFEST, old.manifest],
      [next.digest, MediaType.OCI_MANIFEST, next.manifest],
      ["v1", child ? MediaType.OCI_INDEX : MediaType.OCI_MANIFEST, top],
    ];
    for (const [name, type, body] of manifests) {
      const put = await send(reg.fetch, "PUT", `${base}/v2/src/manifests/${name}`, {
        headers: { "Content-Type": type },
        body,
      });
      if (put.status !== 201) throw new Error(`source push failed: ${put.status}`);
    }

    const copy = options.leasesOff === true
      ? new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", CHILD, host, `${host}/src:v1`, `ocidir://${layout}:next`],
        stdout: "piped",
        stderr: "piped",
      }).spawn()
      : spawnOcictl([
        "--host",
        `reg=${host},tls=disabled`,
        "image",
        "copy",
        `${host}/src:v1`,
        `ocidir://${layout}:next`,
      ]);
    await asked;
    // A has found the shared layer in the layout and waits for the new one.
    await new Promise((r) => setTimeout(r, 300));
    const gc = spawnOcictl(["tag", "rm", `ocidir://${layout}:old`]);
    const early = await _exited(gc, 2500);
    open();
    const [a, b] = await Promise.all([copy.output(), gc.output()]);
    notes.push(...await layoutProblems(layout));
    if (early) notes.push("the collection did not wait for the copy");
    if (a.code !== 0) notes.push(`copy failed: ${new TextDecoder().decode(a.stderr)}`);
    if (b.code !== 0) notes.push(`tag rm failed: ${new TextDecoder().decode(b.stderr)}`);
    const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
    const digests = index.manifests.map((m: { digest: string }) => m.digest).join();
    if (digests !== await digestOf(top)) notes.push(`index.json holds ${digests}`);
    // the collection did run once the copy ended: the old manifest and config are gone
    // (in the "child" variant the copied index uses them again)
    const hex = (d: string) => d.slice("sha256:".length);
    for (const d of child ? [] : [old.digest, await digestOf(old.config)]) {
      if (await Deno.stat(`${layout}/blobs/sha256/${hex(d)}`).then(() => true, () => false)) {
        notes.push(`${d} was not collected`);
      }
    }
    return notes;
  } finally {
    open();
    await server.shutdown();
    await reg.close();
    await Deno.remove(tmp, { recursive: true });
  }
}

const _PLAN: GcRaceOptions[] = [
  { variant: "layer" },
  { variant: "child", noLockFile: true },
  { variant: "child" },
  { variant: "layer", noLockFile: true },
];

/**
 * The race, several rounds: both variants, with and without lock files in
 * the layout; then one control round with the copy's leases off, which
 * must lose (a control that does not counts as a failure: the drill would
 * not see the race).
 *
 * @param size short (2 rounds and the control) or full (8 and the control)
 * @returns the drill's row
 */
export async function gcRaceDrill(size: DrillSize): Promise<DrillResult> {
  const rounds = size === "short" ? 2 : 8;
  const notes: string[] = [];
  for (let i = 0; i < rounds; i++) notes.push(...await gcRaceRound(_PLAN[i % _PLAN.length]));
  const control = await gcRaceRound({ variant: "child", noLockFile: true, leasesOff: true });
  const lost = control.some((n) => n.includes("the collection did not wait")) &&
    control.some((n) => n.includes("missing") || n.includes("not found") || n.includes("absent"));
  if (!lost) notes.push(`control (leases off) did not lose the race: ${control.join("; ")}`);
  return {
    drill: "ocidir GC vs a copy in another process",
    cases: rounds,
    failures: notes.length,
    figures: { controlLost: lost ? "yes" : "no" },
    notes,
  };
}

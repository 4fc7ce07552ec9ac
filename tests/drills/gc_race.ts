/**
 * The ocidir garbage-collection race, with two processes: process A copies
 * an image into a layout, finding one layer already there; meanwhile process
 * B removes the tag that was the layer's only user and collects garbage.
 * B's collection must wait for A's copy (A holds the layout's shared GC
 * lease), so the layer A relies on survives.
 *
 * @module
 */
import { createRegistryHandler } from "../../src/serve/handler.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef } from "../../src/types/ref.ts";
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
  const manifest = jsonBytes({
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: {
      mediaType: MediaType.OCI_CONFIG,
      digest: await digestOf(config),
      size: config.length,
    },
    layers: await Promise.all(layers.map(async (l) => ({
      mediaType: MediaType.OCI_LAYER,
      digest: await digestOf(l),
      size: l.length,
    }))),
  });
  return { config, layers, manifest, digest: await digestOf(manifest) };
}

async function _exited(child: Deno.ChildProcess, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = await Promise.race([child.status.then(() => true), late]);
  clearTimeout(timer);
  return done;
}

/**
 * One round of the race; returns what went wrong (empty when nothing did).
 *
 * @returns problems
 */
export async function gcRaceRound(): Promise<string[]> {
  const notes: string[] = [];
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-gcrace-" });
  const shared = enc.encode("the shared layer ".repeat(100));
  const fresh = enc.encode("a new layer ".repeat(100));
  const old = await _image("old", [shared]);
  const next = await _image("next", [shared, fresh]);
  const layout = `${tmp}/layout`;
  // the layout: tag "old" is the shared layer's only user
  const t = new OciDirTransport();
  for (const b of [old.config, shared]) {
    await t.blobPut(parseRef(`ocidir://${layout}`), ReadableStream.from([b]));
  }
  await t.manifestPut(parseRef(`ocidir://${layout}:old`), old.manifest);
  await t.close();
  // the source: a registry whose answer for the new layer waits for a gate
  const reg = createRegistryHandler({ dir: `${tmp}/registry` });
  let seen!: () => void;
  const asked = new Promise<void>((r) => (seen = r));
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (req.method === "GET" && req.url.endsWith(`/blobs/${await digestOf(fresh)}`)) {
      seen();
      await gate;
    }
    return await reg.fetch(req);
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const host = `127.0.0.1:${server.addr.port}`;
  try {
    for (const b of [next.config, shared, fresh]) {
      const r = await pushBlob(reg.fetch, base, "src", b);
      if (r.status !== 201) throw new Error(`source push failed: ${r.status}`);
    }
    const put = await send(reg.fetch, "PUT", `${base}/v2/src/manifests/v1`, {
      headers: { "Content-Type": MediaType.OCI_MANIFEST },
      body: next.manifest,
    });
    if (put.status !== 201) throw new Error(`source push failed: ${put.status}`);

    const copy = spawnOcictl([
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
    if (digests !== next.digest) notes.push(`index.json holds ${digests}`);
    // the collection did run once the copy ended: the old manifest and config are gone
    const hex = (d: string) => d.slice("sha256:".length);
    for (const d of [old.digest, await digestOf(old.config)]) {
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

/**
 * The race, several rounds.
 *
 * @param size short (1 round) or full (5)
 * @returns the drill's row
 */
export async function gcRaceDrill(size: DrillSize): Promise<DrillResult> {
  const rounds = size === "short" ? 1 : 5;
  const notes: string[] = [];
  for (let i = 0; i < rounds; i++) notes.push(...await gcRaceRound());
  return {
    drill: "ocidir GC vs a copy in another process",
    cases: rounds,
    failures: notes.length,
    figures: {},
    notes,
  };
}

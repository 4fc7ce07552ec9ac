import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { LayoutError } from "../errors.ts";
import { digestOf } from "../types/digest.ts";
import { buildImage, pushBlob, pushImage, send } from "../../tests/serve/_client.ts";
import { collectGarbage } from "./gc.ts";
import { createRegistryHandler } from "./handler.ts";

const BASE = "http://registry.test";
const HOUR = 60 * 60 * 1000;

async function exists(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => undefined)) !== undefined;
}

Deno.test("collectGarbage() removes unreferenced old blobs and keeps referenced and young ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-gc-" });
  const h = createRegistryHandler({ dir });
  const s = (r: Request) => h.fetch(r);
  try {
    const kept = await buildImage("kept");
    const moved = await buildImage("moved");
    equal((await pushImage(s, BASE, "gc/repo", "v1", kept)).status, 201);
    equal((await pushImage(s, BASE, "gc/repo", "v2", moved)).status, 201);
    equal((await pushImage(s, BASE, "gc/repo", "v2", kept)).status, 201);
    const orphan = new TextEncoder().encode("orphan blob");
    equal((await pushBlob(s, BASE, "gc/repo", orphan)).status, 201);
    await Deno.mkdir(`${dir}/.uploads`, { recursive: true });
    await Deno.writeTextFile(`${dir}/.uploads/stale.tmp`, "x");
    await Deno.writeTextFile(`${dir}/gc/repo/index.json.crashed.tmp`, "{");
    const path = (d: string) => `${dir}/gc/repo/blobs/sha256/${d.slice(7)}`;

    const young = await collectGarbage(dir);
    deepEqual(young.removed, []);
    equal(young.staleFiles, 0);

    const later = () => Date.now() + 2 * HOUR;
    const dry = await collectGarbage(dir, { now: later, dryRun: true });
    ok(dry.removed.length > 0);
    ok(await exists(path(await digestOf(orphan))));

    const report = await collectGarbage(dir, { now: later });
    deepEqual(report.repositories, ["gc/repo"]);
    const removed = report.removed.map((r) => r.digest).sort();
    const expected = [
      await digestOf(orphan),
      moved.digest,
      ...await Promise.all(moved.blobs.map((b) => digestOf(b))),
    ]
      .sort();
    deepEqual(removed, expected);
    equal(report.staleFiles, 2);
    equal(await exists(`${dir}/gc/repo/index.json.crashed.tmp`), false);
    for (const d of expected) equal(await exists(path(d)), false, d);
    for (const d of [kept.digest, ...await Promise.all(kept.blobs.map((b) => digestOf(b)))]) {
      ok(await exists(path(d)), d);
    }
    const g = await send(s, "GET", `${BASE}/v2/gc/repo/manifests/v2`);
    equal(g.status, 200);
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("collectGarbage() refuses a broken layout and removes nothing from it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-gc-" });
  try {
    await Deno.mkdir(`${dir}/broken/blobs/sha256`, { recursive: true });
    await Deno.writeTextFile(`${dir}/broken/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
    await Deno.writeTextFile(`${dir}/broken/index.json`, "{nope");
    const blob = `${dir}/broken/blobs/sha256/${"a".repeat(64)}`;
    await Deno.writeTextFile(blob, "x");
    await rejects(
      collectGarbage(dir, { now: () => Date.now() + 2 * HOUR }),
      (e: unknown) => e instanceof LayoutError && e.code === "LAYOUT_INVALID",
    );
    ok(await exists(blob));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import { equal, notEqual } from "node:assert/strict";
import { denoFileSystem as fs } from "./file_system.ts";
import { IndexCache } from "./_index_cache.ts";
import { openLayoutForWrite, writeIndex } from "./layout.ts";

async function _layout(base: string, name: string): Promise<string> {
  const dir = `${base}/${name}`;
  await Deno.mkdir(dir);
  await openLayoutForWrite(fs, dir);
  return dir;
}

const entry = (n: number) => ({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest: `sha256:${n.toString(16).padStart(64, "0")}`,
  size: n,
});

Deno.test("IndexCache reuses a parsed index.json until the file is replaced", async () => {
  const base = await Deno.makeTempDir();
  try {
    const dir = await _layout(base, "a");
    const cache = new IndexCache();
    const first = await cache.read(fs, dir);
    equal(await cache.read(fs, dir), first);
    await writeIndex(fs, dir, { schemaVersion: 2, manifests: [entry(1)] });
    const second = await cache.read(fs, dir);
    notEqual(second, first);
    equal(second.manifests[0]?.digest, entry(1).digest);
    equal(await cache.read(fs, dir), second);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("IndexCache keeps files within its byte budget, least recently used out first", async () => {
  const base = await Deno.makeTempDir();
  try {
    const a = await _layout(base, "a");
    const b = await _layout(base, "b");
    const size = (await Deno.stat(`${a}/index.json`)).size;
    const cache = new IndexCache(size + 1);
    const ia = await cache.read(fs, a);
    equal(await cache.read(fs, a), ia);
    const ib = await cache.read(fs, b);
    equal(await cache.read(fs, b), ib);
    // a was pushed out by b
    notEqual(await cache.read(fs, a), ia);
    const none = new IndexCache(size - 1);
    notEqual(await none.read(fs, a), await none.read(fs, a));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

import { deepEqual, equal } from "node:assert/strict";
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import { denoFileSystem as fs } from "./file_system.ts";
import { collectGarbage, type GcCandidates, recordCandidates, walkBlobs } from "./gc.ts";
import { blobPath, type LayoutIndex } from "./layout.ts";

const enc = new TextEncoder();

async function put(dir: string, bytes: Uint8Array, mediaType: string): Promise<Descriptor> {
  const digest = await digestOf(bytes);
  await Deno.writeFile(blobPath(dir, digest), bytes);
  return { mediaType, digest, size: bytes.length };
}

async function fixture(dir: string) {
  await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
  const layer = await put(dir, enc.encode("layer"), MediaType.OCI_LAYER);
  const config = await put(dir, enc.encode("{}"), MediaType.OCI_CONFIG);
  const image = await put(
    dir,
    enc.encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OCI_MANIFEST,
        config,
        layers: [layer],
      }),
    ),
    MediaType.OCI_MANIFEST,
  );
  const index = await put(
    dir,
    enc.encode(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [image] }),
    ),
    MediaType.OCI_INDEX,
  );
  return { layer, config, image, index };
}

Deno.test("walkBlobs() follows an index to its manifests, config and layers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_gc_" });
  try {
    const f = await fixture(dir);
    const seen: string[] = [];
    await walkBlobs(fs, dir, [{ digest: f.index.digest }], (d) => seen.push(d));
    deepEqual(seen, [f.index.digest, f.image.digest, f.config.digest, f.layer.digest]);
    const none: string[] = [];
    await walkBlobs(
      fs,
      dir,
      [{ digest: await digestOf(enc.encode("missing")) }],
      (d) => none.push(d),
    );
    deepEqual(none, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("collectGarbage() deletes only unreachable candidates not rewritten since", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_gc_" });
  try {
    const f = await fixture(dir);
    const candidates: GcCandidates = new Map();
    await recordCandidates(fs, dir, [{ digest: f.index.digest }], candidates);
    equal(candidates.size, 4);
    const keepImage: LayoutIndex = { schemaVersion: 2, manifests: [{ ...f.image }] };
    const byHand = await put(dir, enc.encode("unrelated"), MediaType.OCI_LAYER);
    deepEqual(await collectGarbage(fs, dir, keepImage, candidates), [f.index.digest]);
    const empty: LayoutIndex = { schemaVersion: 2, manifests: [] };
    const again: GcCandidates = new Map();
    await recordCandidates(fs, dir, [{ digest: f.image.digest }], again);
    const tmp = await fs.writeTemp(`${dir}/blobs/sha256`, ReadableStream.from([enc.encode("{}")]));
    await fs.rename(tmp, blobPath(dir, f.config.digest));
    deepEqual(
      (await collectGarbage(fs, dir, empty, again)).sort(),
      [f.image.digest, f.layer.digest].sort(),
    );
    equal((await fs.stat(blobPath(dir, f.config.digest)))?.isFile, true);
    equal((await fs.stat(blobPath(dir, byHand.digest)))?.isFile, true);
    deepEqual(await collectGarbage(fs, dir, empty, new Map()), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * A test image with large layers in an OCI layout, and checks of copies made
 * from it: which raw reads and writes a copy used, and whether a target has
 * every blob byte for byte.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createTransportFactory, type TransportFactory } from "../../src/client.ts";
import { blobPath } from "../../src/transport/ocidir/layout.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import type { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import type { Ref } from "../../src/types/ref.ts";
import { strayBlobFiles } from "../_files.ts";
import { imageManifest, randomBytes } from "../registry/_image.ts";

const enc = new TextEncoder();

function layout(path: string, tag = ""): Ref {
  return { scheme: "ocidir", registry: "", repository: "", path, tag, digest: "" };
}

/** What was built in the source layout. */
export interface Built {
  index: string;
  manifest: string;
  layers: string[];
  blobs: string[];
}

/**
 * Writes an index → manifest → config + two >= 2 MiB layers under tag v1.
 *
 * @param dir the layout's directory
 * @returns the digests written
 */
export async function buildImage(dir: string): Promise<Built> {
  const t = new OciDirTransport();
  try {
    const layers = [randomBytes(2 * 1024 * 1024 + 1234, 7), randomBytes(3 * 1024 * 1024 + 77, 8)];
    const config = enc.encode(JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: await Promise.all(layers.map((l) => digestOf(l))) },
    }));
    for (const b of [config, ...layers]) {
      await t.blobPut(layout(dir), ReadableStream.from([b]), {
        digest: await digestOf(b),
        size: b.byteLength,
      });
    }
    const manifest = await imageManifest(config, layers);
    await t.manifestPut(layout(dir, "single"), manifest);
    const index = enc.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [{
        mediaType: MediaType.OCI_MANIFEST,
        digest: await digestOf(manifest),
        size: manifest.byteLength,
        platform: { architecture: "amd64", os: "linux" },
      }],
    }));
    await t.manifestPut(layout(dir, "v1"), index);
    const layerDigests = await Promise.all(layers.map((l) => digestOf(l)));
    return {
      index: await digestOf(index),
      manifest: await digestOf(manifest),
      layers: layerDigests,
      blobs: [
        await digestOf(config),
        ...layerDigests,
        await digestOf(manifest),
        await digestOf(index),
      ],
    };
  } finally {
    await t.close();
  }
}

/**
 * A transport factory whose layouts count raw reads and writes, and the raw
 * writes given a byte source.
 */
export function counting(): { factory: TransportFactory; counts: () => [number, number, number] } {
  const base = createTransportFactory();
  let gets = 0;
  let puts = 0;
  let sourced = 0;
  class Local extends OciDirTransport {
    override blobGetRaw(...a: Parameters<OciDirTransport["blobGetRaw"]>) {
      gets++;
      return super.blobGetRaw(...a);
    }
    override async blobPutRaw(...[ref, pending, o]: Parameters<OciDirTransport["blobPutRaw"]>) {
      puts++;
      const blob = await pending;
      if (blob.source !== undefined) sourced++;
      return await super.blobPutRaw(ref, blob, o);
    }
  }
  return {
    factory: (scheme, settings) => scheme === "ocidir" ? new Local() : base(scheme, settings),
    counts: () => [gets, puts, sourced],
  };
}

/**
 * Every blob of the source is in the target with the same bytes, and the
 * target has no stray temp files.
 *
 * @param src source layout directory
 * @param dst target layout directory
 * @param blobs the digests to compare
 */
export async function assertSameBlobs(src: string, dst: string, blobs: string[]): Promise<void> {
  for (const d of blobs) {
    assert.deepEqual(
      await Deno.readFile(blobPath(dst, d)),
      await Deno.readFile(blobPath(src, d)),
      d,
    );
  }
  assert.deepEqual(await strayBlobFiles(dst), []);
}

/**
 * A transport factory whose registries record, for each raw blob put, whether
 * it was given a byte source.
 *
 * @returns the factory, and what each raw put was given (in order)
 */
export function registryPuts(): { factory: TransportFactory; sourced: boolean[] } {
  const sourced: boolean[] = [];
  const base = createTransportFactory();
  const factory: TransportFactory = (scheme, settings) => {
    const t = base(scheme, settings) as RegistryTransport;
    if (scheme !== "reg") return t;
    const put = t.blobPutRaw.bind(t);
    t.blobPutRaw = async (ref, blob, o) => {
      const b = await blob;
      sourced.push(b.source !== undefined);
      return await put(ref, b, o);
    };
    return t;
  };
  return { factory, sourced };
}

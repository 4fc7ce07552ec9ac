/**
 * Builds small test images in memory.
 *
 * @module
 */
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";

/** A blob of a test image. */
export interface TestBlob {
  /** Digest. */
  digest: string;
  /** Bytes. */
  bytes: Uint8Array;
}

/** A test image. */
export interface TestImage {
  /** Config and layers. */
  blobs: TestBlob[];
  /** Manifest bytes. */
  manifest: Uint8Array;
  /** Manifest digest. */
  digest: string;
}

/**
 * Deterministic pseudo-random bytes.
 *
 * @param size length
 * @param seed seed
 * @returns bytes
 */
export function randomBytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * The manifest of an OCI image whose config and layers are given: each named
 * by a plain descriptor (OCI config and layer media types).
 *
 * @param config the config blob
 * @param layers the layer blobs, in order
 * @param extra fields merged into the manifest (subject, artifactType, annotations)
 * @returns the manifest's bytes
 */
export async function imageManifest(
  config: Uint8Array,
  layers: readonly Uint8Array[],
  extra: Record<string, unknown> = {},
): Promise<Uint8Array> {
  return new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: {
      mediaType: MediaType.OCI_CONFIG,
      digest: await digestOf(config),
      size: config.byteLength,
    },
    layers: await Promise.all(layers.map(async (l) => ({
      mediaType: MediaType.OCI_LAYER,
      digest: await digestOf(l),
      size: l.byteLength,
    }))),
    ...extra,
  }));
}

/**
 * Builds an OCI image with one layer.
 *
 * @param seed makes the image unique
 * @param extra fields merged into the manifest (subject, artifactType, annotations)
 * @returns the image
 */
export async function buildImage(
  seed: number,
  extra: Record<string, unknown> = {},
): Promise<TestImage> {
  const layer = randomBytes(1000 + seed, seed);
  const config = new TextEncoder().encode(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [await digestOf(layer)] },
    seed,
  }));
  const manifest = await imageManifest(config, [layer], extra);
  return {
    blobs: [{ digest: await digestOf(config), bytes: config }, {
      digest: await digestOf(layer),
      bytes: layer,
    }],
    manifest,
    digest: await digestOf(manifest),
  };
}

/**
 * A stream of bytes in pieces.
 *
 * @param bytes content
 * @param piece piece size
 * @returns the stream
 */
export function streamOf(bytes: Uint8Array, piece = 64 * 1024): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (off >= bytes.byteLength) {
        c.close();
        return;
      }
      c.enqueue(bytes.slice(off, off + piece));
      off += piece;
    },
  });
}

/**
 * Reads a stream to the end.
 *
 * @param s stream
 * @returns the bytes
 */
export async function collect(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/**
 * Helpers shared by the `ocidir` transport tests: small images, a temp
 * layout per test, raw index and blob writes, error-code matchers.
 *
 * @module
 */
import {
  DigestMismatchError,
  ErrorCode,
  type ErrorCodeValue,
  OciError,
  SizeMismatchError,
} from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { OciDirTransport } from "./ocidir_transport.ts";

/** Encodes test text. */
export const enc: TextEncoder = new TextEncoder();

/** A test blob: bytes and descriptor. */
export interface Blob {
  bytes: Uint8Array;
  desc: Descriptor;
}

export async function blob(text: string, mediaType: string = MediaType.OCI_LAYER): Promise<Blob> {
  const bytes = enc.encode(text);
  return { bytes, desc: { mediaType, digest: await digestOf(bytes), size: bytes.length } };
}

/** A test image: manifest bytes, digest, config and layers. */
export interface Image {
  raw: Uint8Array;
  digest: string;
  config: Blob;
  layers: Blob[];
}

export async function image(
  label: string,
  options: { layers?: Blob[]; subject?: Descriptor; artifactType?: string } = {},
): Promise<Image> {
  const config = await blob(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [] },
      label,
    }),
    MediaType.OCI_CONFIG,
  );
  const layers = options.layers ?? [await blob(`layer ${label}`)];
  const json: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: config.desc,
    layers: layers.map((l) => l.desc),
  };
  if (options.subject) json.subject = options.subject;
  if (options.artifactType) json.artifactType = options.artifactType;
  const raw = enc.encode(JSON.stringify(json));
  return { raw, digest: await digestOf(raw), config, layers };
}

export async function withLayout(
  fn: (dir: string, ref: (tag?: string, digest?: string) => Ref) => Promise<void>,
) {
  const base = await Deno.makeTempDir({ prefix: "ocictl_ocidir_" });
  const dir = `${base}/layout`;
  const ref = (tag = "", digest = ""): Ref => ({
    scheme: "ocidir",
    registry: "",
    repository: "",
    path: dir,
    tag,
    digest,
  });
  try {
    await fn(dir, ref);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

export async function push(t: OciDirTransport, ref: Ref, img: Image): Promise<void> {
  for (const b of [img.config, ...img.layers]) {
    await t.blobPut(ref, ReadableStream.from([b.bytes]), { digest: b.desc.digest });
  }
  await t.manifestPut(ref, img.raw);
}

export function code(c: ErrorCodeValue) {
  return (err: unknown) => {
    if (err instanceof OciError && err.code === c) return true;
    throw err;
  };
}

export function blobFile(dir: string, digest: string): string {
  return `${dir}/blobs/${digest.replace(":", "/")}`;
}

export async function readIndex(dir: string): Promise<{ manifests: Descriptor[] }> {
  return JSON.parse(await Deno.readTextFile(`${dir}/index.json`));
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value));
}

export async function writeBlob(dir: string, bytes: Uint8Array): Promise<string> {
  const digest = await digestOf(bytes);
  await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
  await Deno.writeFile(blobFile(dir, digest), bytes);
  return digest;
}

/** Everything under `blobs/`, relative to the layout. */
export async function blobFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const alg of Deno.readDir(`${dir}/blobs`)) {
    for await (const f of Deno.readDir(`${dir}/blobs/${alg.name}`)) {
      out.push(`${alg.name}/${f.name}`);
    }
  }
  return out.sort();
}

export function layoutRef(path: string): Ref {
  return { scheme: "ocidir", registry: "", repository: "", path, tag: "", digest: "" };
}

/**
 * Bodies a raw put must refuse for `bytes`, each with the check of its
 * error: one byte changed, `extra` bytes too many, `extra` too few, none.
 *
 * @param bytes the good bytes
 * @param extra how far off the long and short bodies are
 * @returns name, body and error check of each case
 */
export function badBodies(
  bytes: Uint8Array,
  extra: number,
): [string, Uint8Array, (e: unknown) => boolean][] {
  const size = bytes.byteLength;
  const wrong = bytes.slice();
  wrong[size >> 1] = (wrong[size >> 1] ?? 0) ^ 1;
  const long = new Uint8Array(size + extra);
  long.set(bytes);
  return [
    [
      "wrong",
      wrong,
      (e) => e instanceof DigestMismatchError && e.code === ErrorCode.DIGEST_MISMATCH,
    ],
    ["long", long, (e) => e instanceof SizeMismatchError && e.code === ErrorCode.SIZE_MISMATCH],
    ["short", bytes.subarray(0, size - extra), (e) => e instanceof SizeMismatchError],
    ["empty", new Uint8Array(), (e) => e instanceof SizeMismatchError],
  ];
}

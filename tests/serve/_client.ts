/**
 * Test helpers for the `serve` registry: a tiny HTTP client that always
 * consumes bodies, content builders, and push helpers. Works against the
 * handler (no socket) and against a real server alike.
 *
 * @module
 */
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { imageManifest } from "../registry/_image.ts";

/** Something that answers requests: `handler.fetch` or a wrapper of `fetch`. */
export type Send = (req: Request) => Promise<Response>;

/** A fully read reply. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** Body bytes. */
  body: Uint8Array;
  /** Body as text. */
  text: string;
}

/** Options of {@link send}. */
export interface SendInit {
  /** Request headers. */
  headers?: Record<string, string>;
  /** Request body. */
  body?: BodyInit | Uint8Array | null;
}

const enc = new TextEncoder();

/** The error codes of the distribution spec (§1.8) that an error body may carry. */
export const SPEC_CODES: ReadonlySet<string> = new Set([
  "BLOB_UNKNOWN",
  "BLOB_UPLOAD_INVALID",
  "BLOB_UPLOAD_UNKNOWN",
  "DIGEST_INVALID",
  "MANIFEST_BLOB_UNKNOWN",
  "MANIFEST_INVALID",
  "MANIFEST_UNKNOWN",
  "NAME_INVALID",
  "NAME_UNKNOWN",
  "SIZE_INVALID",
  "UNAUTHORIZED",
  "DENIED",
  "UNSUPPORTED",
  "TOOMANYREQUESTS",
]);

/**
 * Sends one request and reads the whole reply.
 *
 * @param s the registry
 * @param method HTTP method
 * @param url absolute URL
 * @param init headers and body
 * @returns the reply
 */
export async function send(
  s: Send,
  method: string,
  url: string,
  init: SendInit = {},
): Promise<Reply> {
  const res = await s(
    new Request(url, {
      method,
      headers: init.headers ?? {},
      body: (init.body ?? null) as BodyInit | null,
    }),
  );
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, text: new TextDecoder().decode(body) };
}

/**
 * The first error code of a reply's JSON error body.
 *
 * @param r reply
 * @returns the code, or undefined when the body is not an error body
 */
export function errorCode(r: Reply): string | undefined {
  try {
    const j = JSON.parse(r.text) as { errors?: { code?: string }[] };
    return j.errors?.[0]?.code;
  } catch {
    return undefined;
  }
}

/**
 * Encodes JSON as bytes.
 *
 * @param value JSON value
 * @returns UTF-8 bytes
 */
export function jsonBytes(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

/** A built image: blobs and the manifest bytes. */
export interface BuiltImage {
  /** Config and layer blobs. */
  blobs: Uint8Array[];
  /** Manifest bytes. */
  manifest: Uint8Array;
  /** Manifest digest. */
  digest: string;
}

/**
 * Builds a small OCI image with a config and one layer.
 *
 * @param seed makes the content unique
 * @param extra extra top-level manifest fields (subject, artifactType, annotations)
 * @returns the image
 */
export async function buildImage(
  seed: string,
  extra: Record<string, unknown> = {},
): Promise<BuiltImage> {
  const config = jsonBytes({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [] },
    seed,
  });
  const layer = enc.encode(`layer of ${seed}`);
  const manifest = await imageManifest(config, [layer], extra);
  return { blobs: [config, layer], manifest, digest: await digestOf(manifest) };
}

/**
 * Pushes a blob with a monolithic POST.
 *
 * @param s the registry
 * @param base base URL (`http://host:port`)
 * @param repo repository
 * @param bytes blob
 * @returns the reply
 */
export async function pushBlob(
  s: Send,
  base: string,
  repo: string,
  bytes: Uint8Array,
): Promise<Reply> {
  return await send(
    s,
    "POST",
    `${base}/v2/${repo}/blobs/uploads/?digest=${await digestOf(bytes)}`,
    {
      headers: { "Content-Type": "application/octet-stream" },
      body: bytes,
    },
  );
}

/**
 * Pushes an image's blobs and its manifest.
 *
 * @param s the registry
 * @param base base URL
 * @param repo repository
 * @param reference tag or digest
 * @param img the image
 * @returns the manifest PUT reply
 */
export async function pushImage(
  s: Send,
  base: string,
  repo: string,
  reference: string,
  img: BuiltImage,
): Promise<Reply> {
  for (const b of img.blobs) {
    const r = await pushBlob(s, base, repo, b);
    if (r.status !== 201) throw new Error(`blob push failed: ${r.status} ${r.text}`);
  }
  return await send(s, "PUT", `${base}/v2/${repo}/manifests/${reference}`, {
    headers: { "Content-Type": MediaType.OCI_MANIFEST },
    body: img.manifest,
  });
}

/**
 * Resolves a `Location` header against a base URL.
 *
 * @param base base URL
 * @param location header value
 * @returns an absolute URL object
 */
export function resolveLocation(base: string, location: string | null): URL {
  if (location === null) throw new Error("no Location header");
  return new URL(location, base);
}

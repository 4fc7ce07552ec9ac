/**
 * Small helpers that push in-memory blobs and manifest JSON into any
 * {@link Transport}, returning the descriptor of exactly the bytes pushed.
 *
 * @module
 */
import { DigestMismatchError, SizeLimitError } from "../errors.ts";
import type { Transport } from "../transport/transport.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import { encodeJson, MANIFEST_WRITE_LIMIT } from "../types/manifest.ts";
import { type Ref, withDigest } from "../types/ref.ts";
import { _checkAborted } from "./_abort.ts";

/** Options of {@link pushBlobBytes}. */
export interface PushBlobOptions {
  /** Cancels the push. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link pushManifestJson}. */
export interface PushManifestOptions {
  /**
   * Store the manifest as a child of an index (untagged; ocidir leaves it out
   * of `index.json`). @default false
   */
  child?: boolean | undefined;
  /** Cancels the push. */
  signal?: AbortSignal | undefined;
}

/**
 * Pushes bytes held in memory as a blob, with the expected digest and size so
 * the transport verifies them.
 *
 * @param transport destination
 * @param repo repository (tag and digest are ignored)
 * @param bytes blob content
 * @param mediaType media type recorded in the returned descriptor
 * @param options cancellation
 * @returns the descriptor of the bytes (`mediaType`, `digest`, `size`)
 * @throws {AbortedError} the signal was aborted
 * @throws {DigestMismatchError} the transport stored another digest
 * @throws {OciError} whatever the transport throws
 *
 * @example Push a blob
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { pushBlobBytes } from "./push_content.ts";
 * const transport = new MemoryTransport();
 * const repo = { scheme: "reg" as const, registry: "example.com", repository: "app", path: "", tag: "", digest: "" };
 * const d = await pushBlobBytes(transport, repo, new TextEncoder().encode("{}"), "application/vnd.oci.empty.v1+json");
 * assert.equal(d.digest, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
 * ```
 */
export async function pushBlobBytes(
  transport: Transport,
  repo: Ref,
  bytes: Uint8Array,
  mediaType: string,
  options: PushBlobOptions = {},
): Promise<Descriptor> {
  _checkAborted(options.signal);
  const digest = await digestOf(bytes);
  const size = bytes.byteLength;
  const stored = await transport.blobPut(repo, ReadableStream.from([bytes]), {
    digest,
    size,
    signal: options.signal,
  });
  if (stored.digest !== digest) {
    throw new DigestMismatchError(
      `pushed blob in "${repo.repository || repo.path}"`,
      digest,
      stored.digest,
    );
  }
  return { mediaType, digest, size };
}

/**
 * Serialises manifest JSON once with {@link encodeJson} and pushes exactly
 * those bytes. With a tag on `ref` the manifest is tagged; without one it is
 * pushed by its digest (computed here).
 *
 * @param transport destination
 * @param ref repository plus the tag to set (or no tag to push by digest)
 * @param json manifest JSON (index, image manifest, Docker list or manifest)
 * @param mediaType media type of the manifest (Content-Type)
 * @param options `child` for index children, cancellation
 * @returns the descriptor of the pushed bytes, with `artifactType` when the JSON has one
 * @throws {AbortedError} the signal was aborted
 * @throws {SizeLimitError} the serialised manifest is over 4 MiB
 * @throws {DigestMismatchError} `ref` carries a digest that is not the digest
 *   of the serialised bytes, or the transport stored another digest
 * @throws {OciError} whatever the transport throws
 *
 * @example Push an empty index under a tag
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { pushManifestJson } from "./push_content.ts";
 * const transport = new MemoryTransport();
 * const ref = { scheme: "reg" as const, registry: "example.com", repository: "app", path: "", tag: "v1", digest: "" };
 * const type = "application/vnd.oci.image.index.v1+json";
 * const d = await pushManifestJson(transport, ref, { schemaVersion: 2, mediaType: type, manifests: [] }, type);
 * assert.equal((await transport.manifestHead(ref)).digest, d.digest);
 * ```
 */
export async function pushManifestJson(
  transport: Transport,
  ref: Ref,
  json: unknown,
  mediaType: string,
  options: PushManifestOptions = {},
): Promise<Descriptor> {
  _checkAborted(options.signal);
  const raw = encodeJson(json);
  if (raw.byteLength > MANIFEST_WRITE_LIMIT) {
    throw new SizeLimitError("manifest to push", MANIFEST_WRITE_LIMIT);
  }
  const digest = await digestOf(raw);
  if (ref.digest !== "" && ref.digest !== digest) {
    throw new DigestMismatchError("manifest to push", ref.digest, digest);
  }
  const target = ref.tag === "" ? withDigest(ref, digest) : ref;
  const stored = await transport.manifestPut(target, raw, {
    mediaType,
    child: options.child,
    signal: options.signal,
  });
  if (stored.digest !== digest) {
    throw new DigestMismatchError("pushed manifest", digest, stored.digest);
  }
  const descriptor: Descriptor = { mediaType, digest, size: raw.byteLength };
  const artifactType = (json as { artifactType?: unknown } | null)?.artifactType;
  if (typeof artifactType === "string") descriptor.artifactType = artifactType;
  return descriptor;
}

/**
 * The checks every backend makes the same way before it does its own work:
 * a cancelled call stops first, a pushed manifest is size-capped, parsed and
 * matched against the reference's digest, a tag page honours `last` and
 * `limit`, and a referrer is described from its manifest. A new backend
 * starts from these (or from `forwarding_transport.ts` when it serves its
 * calls through another transport).
 *
 * @module
 */
import { AbortedError, DigestMismatchError, SizeLimitError } from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import {
  artifactTypeOf,
  type Manifest,
  MANIFEST_WRITE_LIMIT,
  parseManifest,
} from "../types/manifest.ts";
import type { TagListOptions } from "./transport.ts";

/**
 * Stops a call whose signal is already aborted.
 *
 * @param signal the call's signal
 * @param action what the call does, for the message (`push "ocidir://x:v1"`)
 * @returns nothing
 * @throws {AbortedError} when the signal is aborted
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkSignal } from "./transport_checks.ts";
 * checkSignal(undefined, "read");
 * assert.throws(() => checkSignal(AbortSignal.abort(), "read"), { code: "ABORTED" });
 * ```
 */
export function checkSignal(signal: AbortSignal | undefined, action: string): void {
  if (signal?.aborted) throw new AbortedError(`Cannot ${action}: the operation was cancelled`);
}

/**
 * Checks a manifest about to be pushed: at most 4 MiB, a valid manifest, and
 * the reference's digest when it has one.
 *
 * @param raw the exact bytes
 * @param options media type given by the caller, the reference's digest ("" for none)
 * @param subject names the manifest in messages (`manifest "ocidir://x:v1"`)
 * @returns the parsed manifest
 * @throws {SizeLimitError} over 4 MiB
 * @throws {ManifestInvalidError} when the bytes are not a manifest
 * @throws {DigestMismatchError} when the reference's digest differs
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkManifestPut } from "./transport_checks.ts";
 * const raw = new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * );
 * const m = await checkManifestPut(raw, { digest: "" }, "manifest");
 * assert.equal(m.mediaType, "application/vnd.oci.image.index.v1+json");
 * await assert.rejects(() => checkManifestPut(raw, { digest: `sha256:${"0".repeat(64)}` }, "manifest"));
 * ```
 */
export async function checkManifestPut(
  raw: Uint8Array,
  options: { mediaType?: string | undefined; digest: string },
  subject: string,
): Promise<Manifest> {
  if (raw.byteLength > MANIFEST_WRITE_LIMIT) {
    throw new SizeLimitError(subject, MANIFEST_WRITE_LIMIT);
  }
  const digest = options.digest;
  const m = await parseManifest(raw, {
    mediaType: options.mediaType,
    limit: MANIFEST_WRITE_LIMIT,
    ...(digest !== "" ? { digest } : {}),
  });
  if (digest !== "" && m.digest !== digest) {
    throw new DigestMismatchError(subject, digest, m.digest);
  }
  return m;
}

/**
 * One page of a sorted tag list: the tags after `last`, at most `limit`.
 *
 * @param tags all tags, sorted
 * @param options `last` and `limit`
 * @returns the page
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagPage } from "./transport_checks.ts";
 * assert.deepEqual(tagPage(["a", "b", "c"], { last: "a", limit: 1 }), ["b"]);
 * ```
 */
export function tagPage(tags: string[], options: TagListOptions): string[] {
  let page = tags;
  const last = options.last;
  if (last !== undefined && last !== "") page = page.filter((t) => t > last);
  if (options.limit !== undefined) page = page.slice(0, Math.max(0, options.limit));
  return page;
}

/**
 * Describes a referrer as a referrers list does: media type, digest, size,
 * artifact type (else the config's media type) and annotations.
 *
 * @param m the referrer's manifest
 * @returns its descriptor
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseManifest } from "../types/manifest.ts";
 * import { referrerDescriptor } from "./transport_checks.ts";
 * const m = await parseManifest(new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"x/y","manifests":[]}',
 * ));
 * assert.equal(referrerDescriptor(m).artifactType, "x/y");
 * ```
 */
export function referrerDescriptor(m: Manifest): Descriptor {
  const d: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.size };
  const at = artifactTypeOf(m) ??
    (m.json as { config?: { mediaType?: string } }).config?.mediaType;
  if (at !== undefined) d.artifactType = at;
  const annotations = (m.json as { annotations?: Record<string, string> }).annotations;
  if (annotations !== undefined && Object.keys(annotations).length > 0) {
    d.annotations = { ...annotations };
  }
  return d;
}

/**
 * The manifest reads of the registry transport: HEAD (falling back to
 * GET) and a verified GET with its ETag. A PUT is in `_manifest_put.ts`.
 *
 * @module
 */
import { DigestMismatchError, InvalidReferenceError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf, isDigest, parseDigest } from "../../types/digest.ts";
import {
  type Manifest,
  MANIFEST_READ_LIMIT,
  manifestDescriptor,
  parseManifest,
} from "../../types/manifest.ts";
import { MANIFEST_MEDIA_TYPES } from "../../types/media_type.ts";
import { commonName, type Ref } from "../../types/ref.ts";
import type { CallOptions } from "../transport.ts";
import { contentLength, discardBody, readCapped } from "./_body.ts";
import type { RegistryContext } from "./_registry_context.ts";
import { type PullHost, pullUrl } from "./host_config.ts";

const ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/** A manifest read with the ETag the registry sent. */
export interface ManifestRead {
  /** The manifest. */
  m: Manifest;
  /** The `ETag` header, for `If-Match`. */
  etag: string | undefined;
}

/**
 * Resolves a manifest on one host with HEAD, falling back to GET when HEAD
 * is disabled or the answer lacks a usable digest, length or media type.
 *
 * @param ctx shared state
 * @param h the host
 * @param ref the manifest reference
 * @param options cancellation
 * @returns the descriptor
 * @throws {NotFoundError} when it does not exist
 */
export async function manifestHeadAt(
  ctx: RegistryContext,
  h: PullHost,
  ref: Ref,
  options: CallOptions,
): Promise<Descriptor> {
  if (!h.host.disableHead) {
    const res = await ctx.http.request(h.host, {
      ..._manifestReq(h, ref, "get manifest", options),
      method: "HEAD",
    });
    await discardBody(res);
    const digest = res.headers.get("docker-content-digest")?.trim();
    const size = contentLength(res);
    const mediaType = mediaTypeOf(res);
    const digestOk = digest !== undefined && isDigest(digest) &&
      (ref.digest === "" || digest === ref.digest);
    if (digestOk && size !== undefined && mediaType) {
      return { mediaType, digest, size };
    }
  }
  return manifestDescriptor((await manifestGetAt(ctx, h, ref, options)).m);
}

/**
 * Reads a manifest on one host; the bytes are verified against
 * `Docker-Content-Digest` and the reference's digest, and capped at 8 MiB.
 *
 * @param ctx shared state
 * @param h the host
 * @param ref the manifest reference
 * @param options cancellation
 * @returns the manifest and its ETag
 * @throws {NotFoundError} when it does not exist
 * @throws {DigestMismatchError} when the bytes do not match
 */
export async function manifestGetAt(
  ctx: RegistryContext,
  h: PullHost,
  ref: Ref,
  options: CallOptions,
): Promise<ManifestRead> {
  const res = await ctx.http.request(h.host, {
    ..._manifestReq(h, ref, "get manifest", options),
    method: "GET",
  });
  const raw = await readCapped(res, MANIFEST_READ_LIMIT, `manifest "${commonName(ref)}"`);
  const header = res.headers.get("docker-content-digest")?.trim();
  if (header) {
    const alg = parseDigest(header).algorithm;
    const actual = await digestOf(raw, alg);
    if (actual !== header) {
      throw new DigestMismatchError(`manifest "${commonName(ref)}"`, header, actual);
    }
  }
  if (ref.digest) {
    const actual = await digestOf(raw, parseDigest(ref.digest).algorithm);
    if (actual !== ref.digest) {
      throw new DigestMismatchError(`manifest "${commonName(ref)}"`, ref.digest, actual);
    }
  }
  const m = await parseManifest(raw, {
    mediaType: mediaTypeOf(res),
    digest: ref.digest || header || undefined,
  });
  return { m, etag: res.headers.get("etag") ?? undefined };
}

function _manifestReq(h: PullHost, ref: Ref, action: string, options: CallOptions) {
  const reference = ref.digest || ref.tag;
  if (!reference) throw new InvalidReferenceError(commonName(ref), "no tag or digest");
  return {
    url: pullUrl(h, ref.repository, `manifests/${reference}`),
    action,
    subject: commonName(ref),
    repository: ref.repository,
    headers: { Accept: ACCEPT },
    noRetry: h.mirror,
    signal: options.signal,
  };
}

/**
 * The media type of a response (`Content-Type` without parameters).
 *
 * @param res the response
 * @returns the media type, or undefined
 * @throws never
 */
export function mediaTypeOf(res: Response): string | undefined {
  const ct = res.headers.get("content-type");
  const t = ct?.split(";")[0]?.trim();
  return t ? t : undefined;
}

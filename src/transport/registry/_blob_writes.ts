/**
 * The blob uploads of the registry transport (`blobPut`, `blobPutRaw`): the
 * transport's options turned into an upload (`blob_upload.ts`), and the hosts
 * that refuse a chunked upload remembered. Loaded on first use.
 *
 * @module
 */
import { RegistryError, UnsupportedError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import type { Ref } from "../../types/ref.ts";
import { cancelRawBlob } from "../byte_source.ts";
import type { RawBlob, RawPutOptions } from "../transport.ts";
import { hostOf, normRef, type RegistryContext, repoName } from "./_registry_context.ts";
import { uploadBlob, uploadRawBlob } from "./blob_upload.ts";
import { registryRepository } from "./host_config.ts";
import type { RegistryBlobPutOptions } from "./registry_options.ts";

/**
 * Uploads a blob (skipped when present, mounted when `mountFrom` is given).
 *
 * @param ctx shared state
 * @param ref repository reference
 * @param body the bytes
 * @param options expected digest and size, mount source, cancellation
 * @returns the descriptor
 * @throws {DigestMismatchError} bytes with another digest (nothing stored)
 * @throws {SizeMismatchError} bytes with another length (nothing stored)
 */
export async function pushBlob(
  ctx: RegistryContext,
  ref: Ref,
  body: ReadableStream<Uint8Array>,
  options: RegistryBlobPutOptions,
): Promise<Descriptor> {
  const r = normRef(ctx, ref);
  const host = hostOf(ctx, r);
  return await uploadBlob(body, {
    http: ctx.http,
    host,
    repository: r.repository,
    subject: repoName(r),
    digest: options.digest,
    size: options.size,
    mountFrom: options.mountFrom === undefined
      ? undefined
      : registryRepository(host, options.mountFrom),
    verified: options.verified,
    skipHead: options.skipHead,
    chunkLimit: ctx.blobLimit,
    signal: options.signal,
  });
}

/**
 * Uploads a raw blob in one chunked PUT (see {@link uploadRawBlob}), or
 * refuses at once (the blob cancelled) when the host takes no raw upload.
 * A host that answers 411 Length Required is added to `wantLength`.
 *
 * @param ctx shared state
 * @param ref repository reference
 * @param blob the raw blob, or its opening
 * @param options cancellation
 * @param fits whether the host takes a raw upload (`RegistryTransport.canPutRaw`)
 * @param wantLength the hosts that refused one
 * @returns the descriptor
 * @throws {UnsupportedError} when the host takes uploads with a length or in chunks
 * @throws {RegistryError} the registry refused the upload
 */
export async function pushRawBlob(
  ctx: RegistryContext,
  ref: Ref,
  blob: RawBlob | Promise<RawBlob>,
  options: RawPutOptions,
  fits: boolean,
  wantLength: Set<string>,
): Promise<Descriptor> {
  const r = normRef(ctx, ref);
  const host = hostOf(ctx, r);
  if (!fits) {
    await Promise.resolve(blob).then((b) => cancelRawBlob(b)).catch(() => {});
    const why = "the host takes uploads with a length or in chunks";
    throw new UnsupportedError(`Cannot push blob to "${repoName(r)}" raw: ${why}`);
  }
  try {
    return await uploadRawBlob(blob, {
      http: ctx.http,
      host,
      repository: r.repository,
      subject: repoName(r),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof RegistryError && err.status === 411) wantLength.add(host.name);
    throw err;
  }
}

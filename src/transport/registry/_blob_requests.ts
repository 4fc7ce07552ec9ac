/**
 * The blob reads of the registry transport: the size from a HEAD (or GET),
 * a verified stream, and the raw body for copy's fast path, each from the
 * reference's pull hosts in turn (mirrors first). Loaded on first use.
 *
 * @module
 */
import { RegistryError, UnsupportedError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { parseDigest } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import type {
  BlobGetOptions,
  BlobReader,
  CallOptions,
  RawBlob,
  RawGetOptions,
} from "../transport.ts";
import { contentLength, discardBody } from "./_body.ts";
import { normRef, pullFrom, type RegistryContext, repoName } from "./_registry_context.ts";
import { type PullHost, pullUrl } from "./host_config.ts";
import type { RegistryRequest } from "./http.ts";
import type { WireResponse } from "./wire_response.ts";
import { rawBlobFromSource } from "../byte_source.ts";

/**
 * Resolves a blob to its descriptor. Mirrors are tried first.
 *
 * @param ctx shared state
 * @param ref repository reference
 * @param digest blob digest
 * @param options cancellation
 * @returns the descriptor (media type `application/octet-stream`)
 * @throws {InvalidDigestError} when the digest is malformed
 * @throws {NotFoundError} when it does not exist
 */
export function headBlob(
  ctx: RegistryContext,
  ref: Ref,
  digest: string,
  options: CallOptions,
): Promise<Descriptor> {
  return _pull(ctx, ref, digest, options, (h, r) => blobHeadAt(ctx, h, r, digest, options));
}

/**
 * Opens a blob as a verified stream that resumes with `Range`. Mirrors are
 * tried first.
 *
 * @param ctx shared state
 * @param ref repository reference
 * @param digest blob digest
 * @param options expected size, cancellation
 * @returns the reader; consume or cancel its body
 * @throws {InvalidDigestError} when the digest is malformed
 * @throws {NotFoundError} when it does not exist
 */
export function getBlob(
  ctx: RegistryContext,
  ref: Ref,
  digest: string,
  options: BlobGetOptions,
): Promise<BlobReader> {
  return _pull(ctx, ref, digest, options, (h, r) => blobGetAt(ctx, h, r, digest, options));
}

/**
 * Opens a blob's body as is (see {@link blobGetRawAt}). Mirrors are tried first.
 *
 * @param ctx shared state
 * @param ref repository reference
 * @param digest blob digest
 * @param options expected size, cancellation
 * @param noRawGet where a host whose bodies come compressed or without a length is added
 * @returns the raw blob (consume or cancel its body)
 * @throws {InvalidDigestError} when the digest is malformed
 * @throws {UnsupportedError} when the answer needs checking on the way
 * @throws {NotFoundError} when it does not exist
 */
export function getRawBlob(
  ctx: RegistryContext,
  ref: Ref,
  digest: string,
  options: RawGetOptions,
  noRawGet: Set<string>,
): Promise<RawBlob> {
  const o = { ...options, onUnfit: (host: string) => noRawGet.add(host) };
  return _pull(ctx, ref, digest, options, (h, r) => blobGetRawAt(ctx, h, r, digest, o));
}

/** Checks the digest, then runs a blob read on each pull host in turn (see `pullFrom`). */
async function _pull<T>(
  ctx: RegistryContext,
  ref: Ref,
  digest: string,
  options: CallOptions,
  read: (h: PullHost, r: Ref) => Promise<T>,
): Promise<T> {
  parseDigest(digest);
  const r = normRef(ctx, ref);
  return await pullFrom(ctx, r, options, (h) => read(h, r));
}

/**
 * Resolves a blob's size on one host (HEAD, or GET when HEAD is disabled).
 *
 * @param ctx shared state
 * @param h the host
 * @param r repository reference
 * @param digest blob digest
 * @param options cancellation
 * @returns the descriptor (media type `application/octet-stream`)
 * @throws {NotFoundError} when it does not exist
 * @throws {RegistryError} when the answer has no usable length
 */
export async function blobHeadAt(
  ctx: RegistryContext,
  h: PullHost,
  r: Ref,
  digest: string,
  options: CallOptions,
): Promise<Descriptor> {
  const method = h.host.disableHead ? "GET" : "HEAD";
  const res = await ctx.http.request(h.host, _blobRequest(h, r, digest, method, options));
  await discardBody(res);
  const size = _encoded(res) ? undefined : contentLength(res);
  if (size === undefined) {
    throw new RegistryError(
      `Cannot get blob "${repoName(r)}@${digest}": registry returned no usable Content-Length`,
      { status: res.status, method, url: res.url },
    );
  }
  return { mediaType: MediaType.OCTET_STREAM, digest, size };
}

/**
 * Opens a blob on one host as a verified stream that resumes with `Range`.
 *
 * @param ctx shared state
 * @param h the host
 * @param r repository reference
 * @param digest blob digest
 * @param options expected size, cancellation
 * @returns the reader; consume or cancel its body
 * @throws {NotFoundError} when it does not exist
 */
export async function blobGetAt(
  ctx: RegistryContext,
  h: PullHost,
  r: Ref,
  digest: string,
  options: BlobGetOptions,
): Promise<BlobReader> {
  // loaded here: its verifying stream loads Deno's web streams, which a
  // HEAD or a raw read never needs
  const { openBlob } = await import("./_blob_reader.ts");
  return await openBlob({
    http: ctx.http,
    host: h.host,
    digest,
    size: options.size,
    request: {
      method: "GET",
      url: pullUrl(h, r.repository, `blobs/${digest}`),
      action: "get blob",
      subject: `${repoName(r)}@${digest}`,
      repository: r.repository,
      noRetry: h.mirror,
      signal: options.signal,
    },
  });
}

/**
 * Opens a blob's body on one host as is: only a plain body of exactly the
 * expected size qualifies.
 *
 * @param ctx shared state
 * @param h the host
 * @param r repository reference
 * @param digest blob digest
 * @param options expected size, cancellation, and `onUnfit` told of a host
 *   whose bodies come compressed or without a length
 * @returns the raw blob (consume or cancel its body)
 * @throws {UnsupportedError} when the answer needs checking on the way
 * @throws {NotFoundError} when it does not exist
 */
export async function blobGetRawAt(
  ctx: RegistryContext,
  h: PullHost,
  r: Ref,
  digest: string,
  options: RawGetOptions & { onUnfit: (host: string) => void },
): Promise<RawBlob> {
  const res = await ctx.http.request(h.host, {
    ..._blobRequest(h, r, digest, "GET", options),
    preferWire: options.byteSource === true,
  });
  const header = res.headers.get("docker-content-digest")?.trim();
  // A wire answer's body is read off its connection (asking for `body`
  // would build a stream); a GET answered 2xx has one unless it is a 204.
  const wire = typeof (res as Partial<WireResponse>).byteSource === "function";
  const hasBody = wire ? res.status !== 204 : res.body !== null;
  // A length and no transfer coding: the bytes are framed by that length, so
  // exactly `size` of them come or the read fails.
  const plain = hasBody && !_encoded(res) && contentLength(res) === options.size &&
    !res.headers.has("transfer-encoding") &&
    (!header || header === digest || header.split(":")[0] !== digest.split(":")[0]);
  if (!plain) {
    await discardBody(res);
    if (_encoded(res) || contentLength(res) === undefined) options.onUnfit(h.host.name);
    const name = `${repoName(r)}@${digest}`;
    throw new UnsupportedError(
      `Cannot get blob "${name}" raw: the registry's answer needs checking on the way`,
    );
  }
  const direct = wire ? (res as WireResponse).byteSource() : null;
  if (direct) return rawBlobFromSource(digest, options.size, direct);
  return { digest, size: options.size, body: res.body! };
}

/** The request of a blob's bytes or size (identity encoding, mirrors not retried). */
function _blobRequest(
  h: PullHost,
  r: Ref,
  digest: string,
  method: "GET" | "HEAD",
  options: CallOptions,
): RegistryRequest {
  return {
    method,
    url: pullUrl(h, r.repository, `blobs/${digest}`),
    action: "get blob",
    subject: `${repoName(r)}@${digest}`,
    repository: r.repository,
    headers: { "Accept-Encoding": "identity" },
    noRetry: h.mirror,
    signal: options.signal,
  };
}

/** A body sent with a content coding (the length is not the blob's). */
function _encoded(res: Response): boolean {
  const ce = res.headers.get("content-encoding")?.trim().toLowerCase();
  return ce !== undefined && ce !== "" && ce !== "identity";
}

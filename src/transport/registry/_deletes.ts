/**
 * The deletes of the registry transport: a manifest by digest (and its entry
 * in the subject's referrers fallback tag), a blob, and a tag (`DELETE` by
 * tag, else regctl's dummy image, `_delete_tag.ts`). Loaded on first use.
 *
 * @module
 */
import { InvalidReferenceError, OciError } from "../../errors.ts";
import { parseDigest } from "../../types/digest.ts";
import { subjectOf } from "../../types/manifest.ts";
import { commonName, type Ref } from "../../types/ref.ts";
import type { CallOptions } from "../transport.ts";
import { discardBody } from "./_body.ts";
import type { DummyTagTarget } from "./_delete_tag.ts";
import { manifestGetAt } from "./_manifest_requests.ts";
import type { FallbackTags } from "./_referrers.ts";
import type { RegistryContext } from "./_registry_context.ts";
import { hostOf, normRef, repoName, upstreamOf } from "./_registry_context.ts";
import { repoUrl } from "./host_config.ts";
import type { RegistryManifestDeleteOptions } from "./registry_options.ts";

/**
 * Deletes a manifest by digest. With `referrers`, the manifest is read
 * first and, when it has a subject and the registry has no referrers API,
 * its entry is removed from the subject's fallback tag index (the tag is
 * deleted when the index becomes empty).
 *
 * @param ctx shared state
 * @param ref reference with a digest
 * @param options `referrers`, cancellation
 * @param fallbackTags the transport's fallback-tag updater
 * @returns resolves when deleted
 * @throws {InvalidReferenceError} when the reference has no digest
 * @throws {NotFoundError} when it does not exist
 */
export async function deleteManifest(
  ctx: RegistryContext,
  ref: Ref,
  options: RegistryManifestDeleteOptions,
  fallbackTags: () => Promise<FallbackTags>,
): Promise<void> {
  if (!ref.digest) {
    throw new InvalidReferenceError(
      commonName(ref),
      "deleting a manifest needs a digest (use tag delete to remove a tag)",
    );
  }
  const r = normRef(ctx, ref);
  let subject: string | undefined;
  if (options.referrers) {
    const { m } = await manifestGetAt(ctx, upstreamOf(ctx, r), { ...r, tag: "" }, options);
    subject = subjectOf(m)?.digest;
  }
  await _delete(ctx, r, `manifests/${r.digest}`, "delete manifest", commonName(r), options);
  if (subject === undefined) return;
  const probe = repoUrl(hostOf(ctx, r), r.repository, `referrers/${subject}`);
  const { referrersApi, removingReferrer } = await import("./_referrers.ts");
  const api = await referrersApi(ctx, upstreamOf(ctx, r), r, probe, options);
  if (api !== undefined) return; // the registry maintains its referrers
  await (await fallbackTags()).update(r, subject, options, removingReferrer(r.digest));
}

/**
 * Deletes a blob.
 *
 * @param ctx shared state
 * @param ref repository reference
 * @param digest blob digest
 * @param options cancellation
 * @returns resolves when deleted
 * @throws {InvalidDigestError} when the digest is malformed
 * @throws {NotFoundError} when it does not exist
 */
export async function deleteBlob(
  ctx: RegistryContext,
  ref: Ref,
  digest: string,
  options: CallOptions,
): Promise<void> {
  parseDigest(digest);
  const r = normRef(ctx, ref);
  await _delete(ctx, r, `blobs/${digest}`, "delete blob", `${repoName(r)}@${digest}`, options);
}

/**
 * Removes a tag: `DELETE` by tag (not retried), else regctl's algorithm
 * (push a unique dummy image to the tag, then delete it by digest).
 *
 * @param ctx shared state
 * @param ref reference with a tag
 * @param options cancellation
 * @param t the transport's blob upload and manifest delete, for the dummy image
 * @returns resolves when the tag is gone
 * @throws {NotFoundError} when the tag does not exist
 * @throws {InvalidReferenceError} when the reference has no tag
 */
export async function deleteTag(
  ctx: RegistryContext,
  ref: Ref,
  options: CallOptions,
  t: DummyTagTarget,
): Promise<void> {
  if (!ref.tag) {
    throw new InvalidReferenceError(commonName(ref), "deleting a tag needs a tag");
  }
  const r = normRef(ctx, ref);
  try {
    const subject = commonName({ ...r, digest: "" });
    await _delete(ctx, r, `manifests/${r.tag}`, "delete tag", subject, options, true);
    return;
  } catch (err) {
    if (!(err instanceof OciError)) throw err;
    if (err.code === "ABORTED") throw err;
  }
  const { deleteTagWithDummy } = await import("./_delete_tag.ts");
  await deleteTagWithDummy(ctx, r, options, t);
}

/** Sends one `DELETE` to the registry itself (never a mirror) and drops the answer's body. */
async function _delete(
  ctx: RegistryContext,
  r: Ref,
  path: string,
  action: string,
  subject: string,
  options: CallOptions,
  noRetry?: true,
): Promise<void> {
  const host = hostOf(ctx, r);
  const res = await ctx.http.request(host, {
    method: "DELETE",
    url: repoUrl(host, r.repository, path),
    action,
    subject,
    repository: r.repository,
    push: true,
    noRetry,
    signal: options.signal,
  });
  await discardBody(res);
}

/**
 * Manifest pushes of the registry transport: a checked PUT, and the
 * transport's `manifestPut`, which also adds a manifest with a subject to
 * the subject's referrers fallback tag when the registry does not answer
 * `OCI-Subject`. Loaded on first use (a short command reads manifests only).
 *
 * @module
 */
import { DigestMismatchError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { isDigest } from "../../types/digest.ts";
import { type Manifest, manifestDescriptor, subjectOf } from "../../types/manifest.ts";
import { commonName, type Ref } from "../../types/ref.ts";
import type { ManifestPutOptions } from "../transport.ts";
import { checkManifestPut } from "../transport_checks.ts";
import { discardBody } from "./_body.ts";
import type { FallbackTags } from "./_referrers.ts";
import { hostOf, normRef, type RegistryContext } from "./_registry_context.ts";
import { repoUrl } from "./host_config.ts";

/**
 * Pushes a manifest to the reference's tag (or its digest) and checks the
 * digest the registry answers.
 *
 * @param ctx shared state
 * @param ref target reference
 * @param raw the exact bytes
 * @param options media type, cancellation
 * @param headers extra request headers (`If-Match` turns retries off)
 * @returns the manifest and whether the registry answered `OCI-Subject`
 * @throws {SizeLimitError} over 4 MiB
 * @throws {DigestMismatchError} when the registry stored other bytes
 */
export async function putManifest(
  ctx: RegistryContext,
  ref: Ref,
  raw: Uint8Array,
  options: ManifestPutOptions,
  headers: Record<string, string>,
): Promise<{ m: Manifest; subjectHeader: boolean }> {
  const m = await checkManifestPut(
    raw,
    { mediaType: options.mediaType, digest: ref.digest },
    `manifest for "${commonName(ref)}"`,
  );
  const host = hostOf(ctx, ref);
  const reference = ref.tag || m.digest;
  const res = await ctx.http.request(host, {
    method: "PUT",
    url: repoUrl(host, ref.repository, `manifests/${reference}`),
    action: "put manifest",
    subject: commonName(ref),
    repository: ref.repository,
    push: true,
    headers: { ...headers, "Content-Type": m.mediaType },
    body: raw,
    noRetry: headers["If-Match"] !== undefined,
    signal: options.signal,
  });
  await discardBody(res);
  const got = res.headers.get("docker-content-digest")?.trim();
  if (
    got && isDigest(got) && got.split(":")[0] === m.digest.split(":")[0] && got !== m.digest
  ) {
    throw new DigestMismatchError(`manifest pushed to "${commonName(ref)}"`, m.digest, got);
  }
  return { m, subjectHeader: !!res.headers.get("oci-subject") };
}

/**
 * Pushes a manifest as the transport's `manifestPut` does: {@link putManifest},
 * then, for a manifest with a subject that the registry did not acknowledge
 * with `OCI-Subject`, an entry in the subject's fallback tag.
 *
 * @param ctx shared state
 * @param ref target reference
 * @param raw manifest bytes
 * @param options media type, cancellation
 * @param fallbackTags the transport's fallback-tag updater
 * @returns the manifest's descriptor
 * @throws {SizeLimitError} over 4 MiB
 * @throws {ManifestInvalidError} when the bytes are not a manifest
 * @throws {DigestMismatchError} when the registry stored other bytes, or the reference's digest differs
 */
export async function pushManifest(
  ctx: RegistryContext,
  ref: Ref,
  raw: Uint8Array,
  options: ManifestPutOptions,
  fallbackTags: () => Promise<FallbackTags>,
): Promise<Descriptor> {
  const r = normRef(ctx, ref);
  const { m, subjectHeader } = await putManifest(ctx, r, raw, options, {});
  const subject = subjectOf(m);
  if (subject && !subjectHeader) {
    const { addingReferrer } = await import("./_referrers.ts");
    await (await fallbackTags()).update(r, subject.digest, options, addingReferrer(m));
  }
  return manifestDescriptor(m);
}

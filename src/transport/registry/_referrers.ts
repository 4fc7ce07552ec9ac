/**
 * Referrers on a registry: the referrers API (paged, filtered by the
 * registry or here), and the fallback tag (`sha256-<hex>`) read, and kept up
 * to date by read-modify-write with `If-Match`, on registries without it.
 *
 * @module
 */
import { ManifestInvalidError, NotFoundError, OciError, RegistryError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import {
  type IndexJson,
  type Manifest,
  MANIFEST_READ_LIMIT,
  manifestDescriptor,
  parseManifest,
} from "../../types/manifest.ts";
import { isIndexMediaType, MediaType } from "../../types/media_type.ts";
import { commonName, type Ref } from "../../types/ref.ts";
import { filterReferrers, referrersFallbackTag } from "../../types/referrer.ts";
import type { CallOptions, ReferrerListOptions } from "../transport.ts";
import { discardBody, readCapped } from "./_body.ts";
import { MAX_PAGES } from "./_listing.ts";
import { manifestGetAt, type ManifestRead } from "./_manifest_requests.ts";
import { putManifest } from "./_manifest_put.ts";
import { normRef, pullFrom, type RegistryContext, upstreamOf } from "./_registry_context.ts";
import { type PullHost, pullUrl } from "./host_config.ts";
import { parseLinkNext } from "./link_header.ts";

/** Most read-modify-write rounds of a fallback tag refused with 412. */
const FALLBACK_ROUNDS = 3;

/**
 * Reads the referrers API of one host.
 *
 * @param ctx shared state
 * @param h the host
 * @param ref the subject's repository (for messages and scopes)
 * @param url the first page (`referrers/<digest>`, with `artifactType` when filtering)
 * @param options artifact type asked for, cancellation
 * @returns the list and whether the registry applied the filter; undefined when the host has no referrers API
 * @throws {RegistryError} when a later page fails
 */
export async function referrersApi(
  ctx: RegistryContext,
  h: PullHost,
  ref: Ref,
  url: URL,
  options: ReferrerListOptions,
): Promise<{ list: Descriptor[]; filtered: boolean } | undefined> {
  const list: Descriptor[] = [];
  let filtered = true;
  const seen = new Set<string>();
  let next: URL | undefined = url;
  for (let page = 0; next && page < MAX_PAGES && !seen.has(next.href); page++) {
    seen.add(next.href);
    if (next.origin !== url.origin) break;
    let res: Response;
    try {
      res = await ctx.http.request(h.host, {
        method: "GET",
        url: next,
        noRetry: h.mirror,
        action: "list referrers",
        subject: commonName(ref),
        repository: ref.repository,
        headers: { Accept: MediaType.OCI_INDEX },
        expect: [404],
        signal: options.signal,
      });
    } catch (err) {
      if (
        err instanceof RegistryError && page === 0 &&
        [400, 401, 403, 405, 429].includes(err.status)
      ) {
        return undefined;
      }
      throw err;
    }
    if (res.status === 404) {
      await discardBody(res);
      if (page === 0) return undefined;
      break;
    }
    const body = await readCapped(res, MANIFEST_READ_LIMIT, `referrers of "${commonName(ref)}"`);
    let index: Manifest;
    try {
      index = await parseManifest(body, { mediaType: MediaType.OCI_INDEX });
    } catch (err) {
      if (page === 0 && err instanceof OciError) return undefined; // HTML or garbage: unsupported
      throw err;
    }
    if (!isIndexMediaType(index.mediaType)) {
      if (page === 0) return undefined;
      break;
    }
    list.push(...(index.json as IndexJson).manifests);
    const applied = (res.headers.get("oci-filters-applied") ?? "").split(",").map((s) => s.trim());
    if (options.artifactType && !applied.includes("artifactType")) filtered = false;
    next = parseLinkNext(res.headers.get("link"), next);
  }
  return { list, filtered };
}

/**
 * Reads the fallback tag index of a subject on one host.
 *
 * @param ctx shared state
 * @param h the host
 * @param ref the subject's repository
 * @param subject the subject's digest
 * @param options cancellation
 * @returns the index and its ETag, or undefined when there is none
 * @throws {RegistryError} when the registry fails otherwise
 */
export async function fallbackIndex(
  ctx: RegistryContext,
  h: PullHost,
  ref: Ref,
  subject: string,
  options: CallOptions,
): Promise<{ m: Manifest & { json: IndexJson }; etag: string | undefined } | undefined> {
  const tagRef: Ref = { ...ref, tag: referrersFallbackTag(subject), digest: "" };
  let got: ManifestRead;
  try {
    got = await manifestGetAt(ctx, h, tagRef, options);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  // GitLab answers the subject itself for its digest tag (oras-go#1396).
  if (!isIndexMediaType(got.m.mediaType) || got.m.digest === subject) return undefined;
  return { m: got.m as Manifest & { json: IndexJson }, etag: got.etag };
}

/**
 * The change of a fallback list that adds a referrer (none when it is there).
 *
 * @param m the referrer's manifest
 * @returns the change, for {@link FallbackTags.update}
 * @throws never
 */
export function addingReferrer(m: Manifest): (list: Descriptor[]) => Descriptor[] | undefined {
  return (list) => {
    const desc = manifestDescriptor(m);
    if (list.some((d) => d.digest === desc.digest)) return undefined;
    const entry: Descriptor = {
      mediaType: desc.mediaType,
      digest: desc.digest,
      size: desc.size,
    };
    if (desc.artifactType !== undefined) entry.artifactType = desc.artifactType;
    const ann = (m.json as { annotations?: Record<string, string> }).annotations;
    if (ann && Object.keys(ann).length > 0) entry.annotations = { ...ann };
    return [...list, entry];
  };
}

/**
 * The change of a fallback list that removes a referrer (none when it is absent).
 *
 * @param digest the referrer's digest
 * @returns the change, for {@link FallbackTags.update}
 * @throws never
 */
export function removingReferrer(digest: string): (list: Descriptor[]) => Descriptor[] | undefined {
  return (list) => {
    const next = list.filter((d) => d.digest !== digest);
    return next.length === list.length ? undefined : next;
  };
}

/**
 * Keeps fallback tags up to date: read-modify-write on the registry itself,
 * serialised per subject within one transport.
 */
export class FallbackTags {
  #ctx: RegistryContext;
  #tagDelete: (ref: Ref, options: CallOptions) => Promise<void>;
  #locks = new Map<string, Promise<void>>();

  /**
   * Creates the updater of one transport.
   *
   * @param ctx shared state
   * @param tagDelete removes a tag (an index that becomes empty)
   */
  constructor(ctx: RegistryContext, tagDelete: (ref: Ref, options: CallOptions) => Promise<void>) {
    this.#ctx = ctx;
    this.#tagDelete = tagDelete;
  }

  /**
   * Changes a subject's fallback tag. `change` returns the new list, or
   * undefined for no change. The PUT carries `If-Match` with the index's
   * ETag when the registry sent one; a 412 (someone else wrote it) starts
   * over, at most three times. An empty list deletes the tag.
   *
   * @param ref the subject's repository
   * @param subject the subject's digest
   * @param options cancellation
   * @param change computes the new list from the current one
   * @returns when written
   * @throws {ManifestInvalidError} when the tag holds something other than an index
   * @throws {RegistryError} when the registry refuses, or keeps answering 412
   */
  async update(
    ref: Ref,
    subject: string,
    options: CallOptions,
    change: (list: Descriptor[]) => Descriptor[] | undefined,
  ): Promise<void> {
    const key = `${ref.registry}/${ref.repository}@${subject}`;
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(() => this.#round(ref, subject, options, change));
    this.#locks.set(key, run);
    try {
      await run;
    } finally {
      if (this.#locks.get(key) === run) this.#locks.delete(key);
    }
  }

  async #round(
    ref: Ref,
    subject: string,
    options: CallOptions,
    change: (list: Descriptor[]) => Descriptor[] | undefined,
  ): Promise<void> {
    const ctx = this.#ctx;
    const tagRef: Ref = { ...ref, tag: referrersFallbackTag(subject), digest: "" };
    for (let round = 1;; round++) {
      let current: ManifestRead | undefined;
      try {
        current = await manifestGetAt(ctx, upstreamOf(ctx, ref), tagRef, options);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      if (
        current && (!isIndexMediaType(current.m.mediaType) || current.m.digest === subject)
      ) {
        throw new ManifestInvalidError(
          `Cannot update referrers of "${subject}": tag "${tagRef.tag}" is not an index`,
        );
      }
      const list = current ? [...(current.m.json as IndexJson).manifests] : [];
      const next = change(list);
      if (next === undefined) return;
      if (next.length === 0) {
        if (current) await this.#tagDelete(tagRef, options);
        return;
      }
      const index = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: next };
      const headers: Record<string, string> = {};
      if (current?.etag) headers["If-Match"] = current.etag;
      try {
        await putManifest(
          ctx,
          tagRef,
          new TextEncoder().encode(JSON.stringify(index)),
          options,
          headers,
        );
        return;
      } catch (err) {
        if (!(err instanceof RegistryError && err.status === 412) || round >= FALLBACK_ROUNDS) {
          throw err;
        }
        ctx.logger?.debug?.(`Fallback tag "${tagRef.tag}" changed meanwhile, retrying`);
      }
    }
  }
}

/**
 * Lists the referrers of a digest on one host: its referrers API when it has
 * one, else the fallback tag. A mirror with neither is a miss, so the caller
 * moves on to the next host.
 *
 * @param ctx the transport's context
 * @param h the host
 * @param r the subject's reference
 * @param digest the subject's digest
 * @param options artifact type filter, cancellation
 * @returns the referrer descriptors, filtered
 * @throws {NotFoundError} when a mirror has neither
 */
export async function referrerListAt(
  ctx: RegistryContext,
  h: PullHost,
  r: Ref,
  digest: string,
  options: ReferrerListOptions,
): Promise<Descriptor[]> {
  const filter = { artifactType: options.artifactType };
  const url = pullUrl(h, r.repository, `referrers/${digest}`);
  if (options.artifactType) url.searchParams.set("artifactType", options.artifactType);
  const api = await referrersApi(ctx, h, r, url, options);
  if (api !== undefined) return api.filtered ? api.list : filterReferrers(api.list, filter);
  const fallback = await fallbackIndex(ctx, h, r, digest, options);
  if (fallback === undefined && h.mirror) {
    throw new NotFoundError(`Cannot list referrers of "${digest}": the mirror has none`);
  }
  return filterReferrers(fallback?.m.json.manifests ?? [], filter);
}

/**
 * Lists referrers of the reference's digest (resolving a tag first with
 * `head`): the referrers API when the registry has it, else the fallback
 * tag. Mirrors are tried first; a mirror with neither moves on to the next
 * host.
 *
 * @param ctx the transport's context
 * @param ref reference of the subject
 * @param options artifact type filter, cancellation
 * @param head resolves a tag (the transport's `manifestHead`)
 * @returns referrer descriptors
 * @throws {NotFoundError} when a tag reference does not exist
 */
export async function listReferrers(
  ctx: RegistryContext,
  ref: Ref,
  options: ReferrerListOptions,
  head: (r: Ref, options: CallOptions) => Promise<Descriptor>,
): Promise<Descriptor[]> {
  const r = normRef(ctx, ref);
  const digest = r.digest || (await head(r, options)).digest;
  return await pullFrom(ctx, r, options, (h) => referrerListAt(ctx, h, r, digest, options));
}

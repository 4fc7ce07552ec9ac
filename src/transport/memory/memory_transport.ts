/**
 * An in-process {@link Transport} holding content and tags in memory, for
 * tests and examples. Repositories are keyed by registry + repository (or by
 * path for `ocidir` references).
 *
 * @module
 */
import { AbortedError, InvalidReferenceError, NotFoundError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { parseDigest } from "../../types/digest.ts";
import {
  type Manifest,
  MANIFEST_READ_LIMIT,
  manifestDescriptor,
  parseManifest,
  subjectOf,
} from "../../types/manifest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { filterReferrers } from "../../types/referrer.ts";
import { VerifyStream } from "../../verify_stream.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  ReferrerListOptions,
  TagListOptions,
  Transport,
} from "../transport.ts";
import { checkManifestPut, checkSignal, referrerDescriptor, tagPage } from "../transport_checks.ts";

interface StoredManifest {
  raw: Uint8Array;
  mediaType: string;
}

interface Repo {
  blobs: Map<string, Uint8Array>;
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
}

function _name(ref: Ref): string {
  const base = ref.scheme === "ocidir"
    ? `ocidir://${ref.path}`
    : `${ref.registry}/${ref.repository}`;
  const tag = ref.tag !== "" ? `:${ref.tag}` : "";
  const digest = ref.digest !== "" ? `@${ref.digest}` : "";
  return `${base}${tag}${digest}`;
}

/**
 * An in-memory {@link Transport}: manifests, blobs and tags per repository.
 * Referrers are found by scanning stored manifests for a `subject`, like a
 * registry with the referrers API.
 *
 * @example Push and read back a blob
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { MemoryTransport } from "./memory_transport.ts";
 * const t = new MemoryTransport();
 * const ref = { scheme: "reg" as const, registry: "example.com", repository: "app", path: "", tag: "", digest: "" };
 * const d = await t.blobPut(ref, ReadableStream.from([new TextEncoder().encode("hi")]));
 * const { body } = await t.blobGet(ref, d.digest);
 * equal(await new Response(body).text(), "hi");
 * ```
 */
export class MemoryTransport implements Transport {
  /** Always `memory`. */
  readonly scheme = "memory";
  #repos = new Map<string, Repo>();

  #key(ref: Ref): string {
    return ref.scheme === "ocidir" ? `ocidir:${ref.path}` : `${ref.registry}/${ref.repository}`;
  }

  #repo(ref: Ref, create: boolean): Repo | undefined {
    const key = this.#key(ref);
    let repo = this.#repos.get(key);
    if (repo === undefined && create) {
      repo = { blobs: new Map(), manifests: new Map(), tags: new Map() };
      this.#repos.set(key, repo);
    }
    return repo;
  }

  #existing(ref: Ref): Repo {
    const repo = this.#repo(ref, false);
    if (repo === undefined) throw new NotFoundError(`Cannot find repository "${_name(ref)}"`);
    return repo;
  }

  #resolve(ref: Ref): { repo: Repo; digest: string; stored: StoredManifest } {
    const repo = this.#existing(ref);
    const tag = ref.tag !== "" ? ref.tag : "latest";
    const digest = ref.digest !== "" ? ref.digest : repo.tags.get(tag);
    const stored = digest === undefined ? undefined : repo.manifests.get(digest);
    if (digest === undefined || stored === undefined) {
      throw new NotFoundError(`Cannot find manifest "${_name(ref)}"`);
    }
    return { repo, digest, stored };
  }

  /**
   * Resolves a manifest to its descriptor.
   * @param ref reference with a tag or digest (no tag means `latest`)
   * @param options abort signal
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  manifestHead(ref: Ref, options: CallOptions = {}): Promise<Descriptor> {
    return this.manifestGet(ref, options).then(manifestDescriptor);
  }

  /**
   * Reads a manifest.
   * @param ref reference with a tag or digest (no tag means `latest`)
   * @param options abort signal
   * @returns the manifest with its exact bytes
   * @throws {NotFoundError} when it does not exist
   */
  async manifestGet(ref: Ref, options: CallOptions = {}): Promise<Manifest> {
    checkSignal(options.signal, `read "${_name(ref)}"`);
    const { digest, stored } = this.#resolve(ref);
    return await parseManifest(stored.raw.slice(), {
      mediaType: stored.mediaType,
      digest,
      limit: MANIFEST_READ_LIMIT,
    });
  }

  /**
   * Stores a manifest under the reference's tag, or by digest only.
   * @param ref reference (no tag and no digest means `latest`)
   * @param raw exact manifest bytes (at most 4 MiB)
   * @param o media type, child flag, abort signal
   * @returns the manifest's descriptor
   * @throws {SizeLimitError} when it is over 4 MiB
   * @throws {ManifestInvalidError} when it is not a valid manifest
   * @throws {DigestMismatchError} when the reference's digest does not match
   */
  async manifestPut(ref: Ref, raw: Uint8Array, o: ManifestPutOptions = {}): Promise<Descriptor> {
    checkSignal(o.signal, `push "${_name(ref)}"`);
    const m = await checkManifestPut(
      raw.slice(),
      { mediaType: o.mediaType, digest: ref.digest },
      `manifest "${_name(ref)}"`,
    );
    const repo = this.#repo(ref, true) as Repo;
    repo.manifests.set(m.digest, { raw: m.raw, mediaType: m.mediaType });
    const tag = ref.tag !== "" ? ref.tag : ref.digest !== "" ? "" : "latest";
    if (tag !== "" && o.child !== true) repo.tags.set(tag, m.digest);
    return manifestDescriptor(m);
  }

  /**
   * Deletes a manifest by digest, and the tags pointing at it.
   * @param ref reference with a digest
   * @param options abort signal
   * @returns nothing
   * @throws {InvalidReferenceError} when the reference has no digest
   * @throws {NotFoundError} when it does not exist
   */
  manifestDelete(ref: Ref, options: CallOptions = {}): Promise<void> {
    try {
      checkSignal(options.signal, `delete "${_name(ref)}"`);
      if (ref.digest === "") {
        throw new InvalidReferenceError(_name(ref), "deleting a manifest needs a digest");
      }
      const { repo, digest } = this.#resolve(ref);
      repo.manifests.delete(digest);
      for (const [tag, d] of repo.tags) if (d === digest) repo.tags.delete(tag);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #blob(ref: Ref, digest: string): Uint8Array {
    parseDigest(digest);
    const bytes = this.#repo(ref, false)?.blobs.get(digest);
    if (bytes === undefined) {
      throw new NotFoundError(`Cannot find blob "${digest}" in "${_name(ref)}"`);
    }
    return bytes;
  }

  /**
   * Describes a blob.
   * @param ref reference (the repository)
   * @param digest blob digest
   * @param options abort signal
   * @returns its descriptor (media type `application/octet-stream`)
   * @throws {NotFoundError} when it does not exist
   */
  blobHead(ref: Ref, digest: string, options: CallOptions = {}): Promise<Descriptor> {
    try {
      checkSignal(options.signal, `resolve blob "${digest}"`);
      const bytes = this.#blob(ref, digest);
      return Promise.resolve({ mediaType: MediaType.OCTET_STREAM, digest, size: bytes.byteLength });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Opens a blob as a verified stream.
   * @param ref reference (the repository)
   * @param digest blob digest
   * @param options expected size, abort signal
   * @returns descriptor and body (consume or cancel it)
   * @throws {NotFoundError} when it does not exist
   */
  async blobGet(ref: Ref, digest: string, options: BlobGetOptions = {}): Promise<BlobReader> {
    const descriptor = await this.blobHead(ref, digest, options);
    const bytes = this.#blob(ref, digest).slice();
    const body = ReadableStream.from([bytes]).pipeThrough(
      new VerifyStream({
        digest,
        size: options.size ?? descriptor.size,
        subject: `blob "${digest}" in "${_name(ref)}"`,
      }),
    );
    return { descriptor, body };
  }

  /**
   * Stores a blob from a stream; nothing is stored on a mismatch or error.
   * @param ref reference (the repository)
   * @param body the bytes
   * @param options expected digest and size, abort signal
   * @returns the blob's descriptor
   * @throws {DigestMismatchError} when the bytes do not match the expected digest
   * @throws {SizeMismatchError} when the length differs from the expected size
   */
  async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<Descriptor> {
    let verify: VerifyStream;
    try {
      verify = new VerifyStream({
        digest: options.digest,
        size: options.size,
        subject: `blob for "${_name(ref)}"`,
      });
    } catch (err) {
      await body.cancel(err).catch(() => {});
      throw err;
    }
    const reader = body.pipeThrough(verify).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for (;;) {
        if (options.signal?.aborted) {
          throw new AbortedError(
            `Cannot push blob to "${_name(ref)}": the operation was cancelled`,
          );
        }
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value.slice());
        total += value.byteLength;
      }
    } catch (err) {
      await reader.cancel(err).catch(() => {});
      throw err;
    } finally {
      reader.releaseLock();
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    const digest = verify.digest as string;
    (this.#repo(ref, true) as Repo).blobs.set(digest, bytes);
    return { mediaType: MediaType.OCTET_STREAM, digest, size: total };
  }

  /**
   * Deletes a blob.
   * @param ref reference (the repository)
   * @param digest blob digest
   * @param options abort signal
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  blobDelete(ref: Ref, digest: string, options: CallOptions = {}): Promise<void> {
    try {
      checkSignal(options.signal, `delete blob "${digest}"`);
      this.#blob(ref, digest);
      this.#repo(ref, false)?.blobs.delete(digest);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Lists tags, sorted.
   * @param ref reference (the repository)
   * @param options `limit`, `last`, abort signal
   * @returns tags
   * @throws {NotFoundError} when the repository does not exist
   */
  tagList(ref: Ref, options: TagListOptions = {}): Promise<string[]> {
    try {
      checkSignal(options.signal, `list tags of "${_name(ref)}"`);
      return Promise.resolve(tagPage([...this.#existing(ref).tags.keys()].sort(), options));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Removes a tag; the manifest stays readable by digest.
   * @param ref reference with a tag
   * @param options abort signal
   * @returns nothing
   * @throws {NotFoundError} when the tag does not exist
   */
  tagDelete(ref: Ref, options: CallOptions = {}): Promise<void> {
    try {
      checkSignal(options.signal, `delete tag "${_name(ref)}"`);
      const tag = ref.tag !== "" ? ref.tag : "latest";
      if (this.#repo(ref, false)?.tags.delete(tag) !== true) {
        throw new NotFoundError(`Cannot find tag "${tag}" in "${_name(ref)}" to delete`);
      }
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Lists the stored manifests whose `subject` is the reference's manifest.
   * @param ref reference with a digest or tag (the subject)
   * @param options artifact type filter, abort signal
   * @returns referrer descriptors
   * @throws {NotFoundError} when the repository (or the subject's tag) does not exist
   */
  async referrerList(ref: Ref, options: ReferrerListOptions = {}): Promise<Descriptor[]> {
    checkSignal(options.signal, `list referrers of "${_name(ref)}"`);
    const subject = ref.digest !== "" ? ref.digest : (await this.manifestHead(ref)).digest;
    const repo = this.#existing(ref);
    const out: Descriptor[] = [];
    for (const [digest, stored] of repo.manifests) {
      const m = await parseManifest(stored.raw, { mediaType: stored.mediaType, digest });
      if (subjectOf(m)?.digest !== subject) continue;
      out.push(referrerDescriptor(m));
    }
    return filterReferrers(out, { artifactType: options.artifactType });
  }

  /**
   * Does nothing (memory needs no cleanup).
   * @returns nothing
   */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The registry transport (`reg` scheme): the OCI distribution API over HTTP
 * with auth, retries, verified reads and the referrers fallback tag.
 *
 * @module
 */
import {
  DigestMismatchError,
  InvalidReferenceError,
  ManifestInvalidError,
  NotFoundError,
  OciError,
  RegistryError,
  SizeLimitError,
} from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf, parseDigest } from "../../types/digest.ts";
import {
  type IndexJson,
  type Manifest,
  MANIFEST_READ_LIMIT,
  MANIFEST_WRITE_LIMIT,
  manifestDescriptor,
  parseManifest,
  subjectOf,
} from "../../types/manifest.ts";
import { isIndexMediaType, MANIFEST_MEDIA_TYPES, MediaType } from "../../types/media_type.ts";
import { commonName, type Ref } from "../../types/ref.ts";
import { filterReferrers, referrersFallbackTag } from "../../types/referrer.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  ReferrerListOptions,
  RepoLister,
  TagListOptions,
  Transport,
} from "../transport.ts";
import { readCapped } from "./_body.ts";
import { contentLength, openBlob } from "./_blob_reader.ts";
import { defaultSleep, type Sleep } from "./_limiter.ts";
import { type Credential, RegistryAuth } from "./auth.ts";
import { uploadBlob } from "./blob_upload.ts";
import {
  apiBase,
  type HostConfig,
  repoUrl,
  type ResolvedHost,
  resolveHost,
} from "./host_config.ts";
import { RegistryHttp, type RegistryLogger } from "./http.ts";
import { parseLinkNext } from "./link_header.ts";
import { buildDeleteTagImage } from "./_delete_tag.ts";

/** Options of {@link RegistryTransport}. */
export interface RegistryTransportOptions {
  /** fetch used for every request. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Host configurations. @default [] */
  hosts?: HostConfig[] | undefined;
  /** User-Agent. @default "ocictl" */
  userAgent?: string | undefined;
  /** Logger. */
  logger?: RegistryLogger | undefined;
  /** Clock in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
  /** Sleep for backoff and rate limits. @default a cancellable timer */
  sleep?: Sleep | undefined;
  /** Credential lookup for hosts without credentials in their config. */
  credentials?: ((host: string) => Promise<Credential | undefined>) | undefined;
  /** Timeout of a token request in milliseconds. @default 30000 */
  tokenTimeout?: number | undefined;
}

/** Options of {@link RegistryTransport.blobPut} beyond the contract. */
export interface RegistryBlobPutOptions extends BlobPutOptions {
  /** Repository on the same registry to mount the blob from (needs `digest`). */
  mountFrom?: string | undefined;
}

/** Most pages followed by a listing. */
export const MAX_PAGES = 1000;
/** Largest listing page read (16 MiB). */
const LIST_PAGE_LIMIT = 16 * 1024 * 1024;
const ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/**
 * The registry transport.
 *
 * @example Create a transport for a local plain-http registry
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryTransport } from "./registry_transport.ts";
 * const t = new RegistryTransport({ hosts: [{ name: "localhost:5000", tls: "disabled" }] });
 * assert.equal(t.scheme, "reg");
 * await t.close();
 * ```
 */
export class RegistryTransport implements Transport, RepoLister {
  /** The scheme this transport serves. */
  readonly scheme = "reg";
  #hosts: HostConfig[];
  #http: RegistryHttp;
  #now: () => number;
  #locks = new Map<string, Promise<void>>();

  /** @param options fetch, hosts, user agent, logger, clock, sleep, credentials */
  constructor(options: RegistryTransportOptions = {}) {
    const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    const now = options.now ?? Date.now;
    const userAgent = options.userAgent ?? "ocictl";
    this.#hosts = [...(options.hosts ?? [])];
    this.#now = now;
    const auth = new RegistryAuth({
      fetch: fetchFn,
      now,
      userAgent,
      credentials: options.credentials,
      tokenTimeout: options.tokenTimeout,
    });
    this.#http = new RegistryHttp({
      fetch: fetchFn,
      auth,
      userAgent,
      now,
      sleep: options.sleep ?? defaultSleep,
      logger: options.logger,
    });
  }

  /**
   * Checks that the registry answers `GET /v2/` (authenticating if asked).
   *
   * @param ref any reference on the registry
   * @param options cancellation
   * @returns resolves when the registry answered 200
   * @throws {RegistryError} when it does not
   */
  async ping(ref: Ref, options: CallOptions = {}): Promise<void> {
    const host = this.#host(ref);
    const res = await this.#http.request(host, {
      method: "GET",
      url: apiBase(host),
      action: "ping registry",
      subject: host.name,
      signal: options.signal,
    });
    await res.body?.cancel();
  }

  /**
   * Resolves a manifest to its descriptor with HEAD, falling back to GET when
   * HEAD is disabled or the answer lacks a usable digest or length.
   *
   * @param ref the manifest reference
   * @param options cancellation
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  async manifestHead(ref: Ref, options: CallOptions = {}): Promise<Descriptor> {
    const host = this.#host(ref);
    if (!host.disableHead) {
      const res = await this.#http.request(host, {
        ...this.#manifestReq(host, ref, "get manifest", options),
        method: "HEAD",
      });
      await res.body?.cancel();
      const digest = res.headers.get("docker-content-digest")?.trim();
      const size = contentLength(res);
      const mediaType = _mediaType(res);
      const digestOk = digest !== undefined && _validDigest(digest) &&
        (ref.digest === "" || digest === ref.digest);
      if (digestOk && size !== undefined && mediaType) {
        return { mediaType, digest, size };
      }
    }
    return manifestDescriptor(await this.manifestGet(ref, options));
  }

  /**
   * Reads a manifest; the bytes are verified against `Docker-Content-Digest`
   * and the reference's digest, and capped at 8 MiB.
   *
   * @param ref the manifest reference
   * @param options cancellation
   * @returns the parsed manifest with its exact bytes
   * @throws {NotFoundError} when it does not exist
   * @throws {DigestMismatchError} when the bytes do not match
   * @throws {SizeLimitError} over 8 MiB
   */
  async manifestGet(ref: Ref, options: CallOptions = {}): Promise<Manifest> {
    const host = this.#host(ref);
    const res = await this.#http.request(host, {
      ...this.#manifestReq(host, ref, "get manifest", options),
      method: "GET",
    });
    const raw = await readCapped(res, MANIFEST_READ_LIMIT, `manifest "${commonName(ref)}"`);
    const header = res.headers.get("docker-content-digest")?.trim();
    if (header) {
      const alg = parseDigest(header).algorithm;
      const actual = digestOf(raw, alg);
      if (actual !== header) {
        throw new DigestMismatchError(`manifest "${commonName(ref)}"`, header, actual);
      }
    }
    if (ref.digest) {
      const actual = digestOf(raw, parseDigest(ref.digest).algorithm);
      if (actual !== ref.digest) {
        throw new DigestMismatchError(`manifest "${commonName(ref)}"`, ref.digest, actual);
      }
    }
    return parseManifest(raw, {
      mediaType: _mediaType(res),
      digest: ref.digest || header || undefined,
    });
  }

  /**
   * Pushes a manifest to the reference's tag (or its digest when it has no
   * tag). `Content-Type` is the body's media type; the returned digest is
   * verified. A manifest with a subject updates the referrers fallback tag
   * when the registry does not answer `OCI-Subject`.
   *
   * @param ref target reference
   * @param raw manifest bytes
   * @param options media type, cancellation
   * @returns the manifest's descriptor
   * @throws {SizeLimitError} over 4 MiB
   * @throws {ManifestInvalidError} when the bytes are not a manifest
   * @throws {DigestMismatchError} when the registry stored other bytes, or the reference's digest differs
   */
  async manifestPut(
    ref: Ref,
    raw: Uint8Array,
    options: ManifestPutOptions = {},
  ): Promise<Descriptor> {
    if (raw.byteLength > MANIFEST_WRITE_LIMIT) {
      throw new SizeLimitError(`manifest for "${commonName(ref)}"`, MANIFEST_WRITE_LIMIT);
    }
    const m = parseManifest(raw, {
      mediaType: options.mediaType,
      digest: ref.digest || undefined,
      limit: MANIFEST_WRITE_LIMIT,
    });
    if (ref.digest && m.digest !== ref.digest) {
      throw new DigestMismatchError(`manifest for "${commonName(ref)}"`, ref.digest, m.digest);
    }
    const host = this.#host(ref);
    const reference = ref.tag || m.digest;
    const res = await this.#http.request(host, {
      method: "PUT",
      url: repoUrl(host, ref.repository, `manifests/${reference}`),
      action: "put manifest",
      subject: commonName(ref),
      repository: ref.repository,
      push: true,
      headers: { "Content-Type": m.mediaType },
      body: raw,
      signal: options.signal,
    });
    await res.body?.cancel();
    const got = res.headers.get("docker-content-digest")?.trim();
    if (
      got && _validDigest(got) && got.split(":")[0] === m.digest.split(":")[0] && got !== m.digest
    ) {
      throw new DigestMismatchError(`manifest pushed to "${commonName(ref)}"`, m.digest, got);
    }
    const subject = subjectOf(m);
    if (subject && !res.headers.get("oci-subject")) {
      await this.#addFallbackReferrer(ref, subject.digest, manifestDescriptor(m), m, options);
    }
    return manifestDescriptor(m);
  }

  /**
   * Deletes a manifest by digest.
   *
   * @param ref reference with a digest
   * @param options cancellation
   * @returns resolves when deleted
   * @throws {InvalidReferenceError} when the reference has no digest
   * @throws {NotFoundError} when it does not exist
   */
  async manifestDelete(ref: Ref, options: CallOptions = {}): Promise<void> {
    if (!ref.digest) {
      throw new InvalidReferenceError(
        commonName(ref),
        "deleting a manifest needs a digest (use tag delete to remove a tag)",
      );
    }
    const host = this.#host(ref);
    const res = await this.#http.request(host, {
      method: "DELETE",
      url: repoUrl(host, ref.repository, `manifests/${ref.digest}`),
      action: "delete manifest",
      subject: commonName(ref),
      repository: ref.repository,
      push: true,
      signal: options.signal,
    });
    await res.body?.cancel();
  }

  /**
   * Resolves a blob to its descriptor.
   *
   * @param ref repository reference
   * @param digest blob digest
   * @param options cancellation
   * @returns the descriptor (media type `application/octet-stream`)
   * @throws {NotFoundError} when it does not exist
   */
  async blobHead(ref: Ref, digest: string, options: CallOptions = {}): Promise<Descriptor> {
    parseDigest(digest);
    const host = this.#host(ref);
    const res = await this.#http.request(host, {
      method: host.disableHead ? "GET" : "HEAD",
      url: repoUrl(host, ref.repository, `blobs/${digest}`),
      action: "get blob",
      subject: `${_repoName(ref)}@${digest}`,
      repository: ref.repository,
      headers: { "Accept-Encoding": "identity" },
      signal: options.signal,
    });
    await res.body?.cancel();
    const size = contentLength(res);
    if (size === undefined) {
      throw new RegistryError(
        `Cannot get blob "${_repoName(ref)}@${digest}": registry returned no Content-Length`,
        { status: res.status, method: "HEAD", url: res.url },
      );
    }
    return { mediaType: MediaType.OCTET_STREAM, digest, size };
  }

  /**
   * Opens a blob as a verified stream that resumes with `Range` when the
   * connection breaks.
   *
   * @param ref repository reference
   * @param digest blob digest
   * @param options expected size, cancellation
   * @returns the reader; consume or cancel its body
   * @throws {NotFoundError} when it does not exist
   */
  blobGet(ref: Ref, digest: string, options: BlobGetOptions = {}): Promise<BlobReader> {
    parseDigest(digest);
    const host = this.#host(ref);
    return openBlob({
      http: this.#http,
      host,
      digest,
      size: options.size,
      request: {
        method: "GET",
        url: repoUrl(host, ref.repository, `blobs/${digest}`),
        action: "get blob",
        subject: `${_repoName(ref)}@${digest}`,
        repository: ref.repository,
        signal: options.signal,
      },
    });
  }

  /**
   * Uploads a blob (skipped when present, mounted when `mountFrom` is given).
   *
   * @param ref repository reference
   * @param body the bytes
   * @param options expected digest and size, mount source, cancellation
   * @returns the descriptor
   * @throws {DigestMismatchError} bytes with another digest (nothing stored)
   * @throws {SizeMismatchError} bytes with another length (nothing stored)
   */
  blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options: RegistryBlobPutOptions = {},
  ): Promise<Descriptor> {
    return uploadBlob(body, {
      http: this.#http,
      host: this.#host(ref),
      repository: ref.repository,
      subject: _repoName(ref),
      digest: options.digest,
      size: options.size,
      mountFrom: options.mountFrom,
      signal: options.signal,
    });
  }

  /**
   * Deletes a blob.
   *
   * @param ref repository reference
   * @param digest blob digest
   * @param options cancellation
   * @returns resolves when deleted
   * @throws {NotFoundError} when it does not exist
   */
  async blobDelete(ref: Ref, digest: string, options: CallOptions = {}): Promise<void> {
    parseDigest(digest);
    const host = this.#host(ref);
    const res = await this.#http.request(host, {
      method: "DELETE",
      url: repoUrl(host, ref.repository, `blobs/${digest}`),
      action: "delete blob",
      subject: `${_repoName(ref)}@${digest}`,
      repository: ref.repository,
      push: true,
      signal: options.signal,
    });
    await res.body?.cancel();
  }

  /**
   * Lists tags, following `Link` pagination with loop, host and page guards.
   *
   * @param ref repository reference
   * @param options `limit` (n), `last`, cancellation
   * @returns tags, sorted
   * @throws {RegistryError} on a looping or cross-host `Link`, or a body that is not JSON
   */
  async tagList(ref: Ref, options: TagListOptions = {}): Promise<string[]> {
    const host = this.#host(ref);
    return await this.#list(host, repoUrl(host, ref.repository, "tags/list"), "tags", {
      action: "list tags",
      subject: _repoName(ref),
      repository: ref.repository,
      scopes: [],
    }, options);
  }

  /**
   * Lists repositories with `_catalog`.
   *
   * @param ref any reference on the registry
   * @param options `limit` (n), `last`, cancellation
   * @returns repository names, sorted
   * @throws {RegistryError} when the registry refuses or answers garbage
   */
  async repoList(ref: Ref, options: TagListOptions = {}): Promise<string[]> {
    const host = this.#host(ref);
    return await this.#list(host, new URL("_catalog", apiBase(host)), "repositories", {
      action: "list repositories",
      subject: host.name,
      repository: "",
      scopes: ["registry:catalog:*"],
    }, options);
  }

  /**
   * Removes a tag: `DELETE` by tag, else regctl's algorithm (push a unique
   * dummy image to the tag, then delete it by digest).
   *
   * @param ref reference with a tag
   * @param options cancellation
   * @returns resolves when the tag is gone
   * @throws {NotFoundError} when the tag does not exist
   * @throws {InvalidReferenceError} when the reference has no tag
   */
  async tagDelete(ref: Ref, options: CallOptions = {}): Promise<void> {
    if (!ref.tag) {
      throw new InvalidReferenceError(commonName(ref), "deleting a tag needs a tag");
    }
    const tagRef: Ref = { ...ref, digest: "" };
    const host = this.#host(ref);
    try {
      const res = await this.#http.request(host, {
        method: "DELETE",
        url: repoUrl(host, ref.repository, `manifests/${ref.tag}`),
        action: "delete tag",
        subject: commonName(tagRef),
        repository: ref.repository,
        push: true,
        noRetry: true,
        signal: options.signal,
      });
      await res.body?.cancel();
      return;
    } catch (err) {
      if (!(err instanceof OciError)) throw err;
      if (err.code === "ABORTED") throw err;
    }
    const current = await this.manifestHead(tagRef, options); // NotFoundError when absent
    const dummy = buildDeleteTagImage(ref.tag, current.mediaType, new Date(this.#now()));
    for (const blob of dummy.blobs) {
      await this.blobPut(ref, ReadableStream.from([blob.bytes]), {
        digest: blob.digest,
        size: blob.bytes.byteLength,
        signal: options.signal,
      });
    }
    const desc = await this.manifestPut(tagRef, dummy.manifest, options);
    await this.manifestDelete({ ...ref, tag: "", digest: desc.digest }, options);
  }

  /**
   * Lists referrers of the reference's digest (resolving a tag first): the
   * referrers API when the registry has it, else the fallback tag.
   *
   * @param ref reference of the subject
   * @param options artifact type filter, cancellation
   * @returns referrer descriptors
   * @throws {NotFoundError} when a tag reference does not exist
   */
  async referrerList(ref: Ref, options: ReferrerListOptions = {}): Promise<Descriptor[]> {
    const digest = ref.digest || (await this.manifestHead(ref, options)).digest;
    const host = this.#host(ref);
    const url = repoUrl(host, ref.repository, `referrers/${digest}`);
    if (options.artifactType) url.searchParams.set("artifactType", options.artifactType);
    const api = await this.#referrersApi(host, ref, url, options);
    const filter = { artifactType: options.artifactType };
    if (api !== undefined) return api.filtered ? api.list : filterReferrers(api.list, filter);
    const fallback = await this.#fallbackIndex(ref, digest, options);
    return filterReferrers(fallback?.json.manifests ?? [], filter);
  }

  /**
   * Releases resources (none held).
   *
   * @returns resolves at once
   */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #host(ref: Ref): ResolvedHost {
    return resolveHost(this.#hosts, ref.registry);
  }

  #manifestReq(host: ResolvedHost, ref: Ref, action: string, options: CallOptions) {
    const reference = ref.digest || ref.tag;
    if (!reference) throw new InvalidReferenceError(commonName(ref), "no tag or digest");
    return {
      url: repoUrl(host, ref.repository, `manifests/${reference}`),
      action,
      subject: commonName(ref),
      repository: ref.repository,
      headers: { Accept: ACCEPT },
      signal: options.signal,
    };
  }

  async #list(
    host: ResolvedHost,
    start: URL,
    key: "tags" | "repositories",
    req: { action: string; subject: string; repository: string; scopes: string[] },
    options: TagListOptions,
  ): Promise<string[]> {
    const url = new URL(start);
    if (options.limit !== undefined) url.searchParams.set("n", String(options.limit));
    if (options.last !== undefined) url.searchParams.set("last", options.last);
    const seenUrls = new Set<string>();
    const out = new Set<string>();
    let next: URL | undefined = url;
    for (let page = 0; next; page++) {
      const fail = (detail: string) =>
        new RegistryError(`Cannot ${req.action} "${req.subject}": ${detail}`, {
          status: 200,
          method: "GET",
          url: next?.href ?? url.href,
        });
      if (page >= MAX_PAGES) throw fail(`more than ${MAX_PAGES} pages`);
      if (seenUrls.has(next.href)) throw fail(`the Link header loops back to "${next.href}"`);
      if (next.origin !== url.origin) {
        throw fail(`the Link header points to another host ("${next.origin}")`);
      }
      seenUrls.add(next.href);
      const res = await this.#http.request(host, {
        ...req,
        method: "GET",
        url: next,
        signal: options.signal,
      });
      const body = await readCapped(res, LIST_PAGE_LIMIT, `${key} list of "${req.subject}"`);
      const names = _jsonStrings(body, key);
      if (names === undefined) {
        throw fail("the registry answered with something that is not a JSON list");
      }
      const before = out.size;
      for (const n of names) out.add(n);
      if (options.limit !== undefined && out.size >= options.limit) break;
      const link = parseLinkNext(res.headers.get("link"), next);
      if (link && seenUrls.has(link.href)) {
        throw fail(`the Link header loops back to "${link.href}"`);
      }
      if (link && out.size === before) break; // no progress: a registry that ignores n/last
      next = link;
    }
    // Some registries (distribution 2.8) ignore `last` without `n`.
    const last = options.last;
    const list = [...out].filter((n) => last === undefined || n > last).sort();
    return options.limit !== undefined ? list.slice(0, options.limit) : list;
  }

  async #referrersApi(
    host: ResolvedHost,
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
        res = await this.#http.request(host, {
          method: "GET",
          url: next,
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
        await res.body?.cancel();
        if (page === 0) return undefined;
        break;
      }
      const body = await readCapped(res, MANIFEST_READ_LIMIT, `referrers of "${commonName(ref)}"`);
      let index: Manifest;
      try {
        index = parseManifest(body, { mediaType: MediaType.OCI_INDEX });
      } catch (err) {
        if (page === 0 && err instanceof OciError) return undefined; // HTML or garbage: unsupported
        throw err;
      }
      if (!isIndexMediaType(index.mediaType)) {
        if (page === 0) return undefined;
        break;
      }
      list.push(...(index.json as IndexJson).manifests);
      const applied = (res.headers.get("oci-filters-applied") ?? "").split(",").map((s) =>
        s.trim()
      );
      if (options.artifactType && !applied.includes("artifactType")) filtered = false;
      next = parseLinkNext(res.headers.get("link"), next);
    }
    return { list, filtered };
  }

  async #fallbackIndex(
    ref: Ref,
    subject: string,
    options: CallOptions,
  ): Promise<(Manifest & { json: IndexJson }) | undefined> {
    const tagRef: Ref = { ...ref, tag: referrersFallbackTag(subject), digest: "" };
    let m: Manifest;
    try {
      m = await this.manifestGet(tagRef, options);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    // GitLab answers the subject itself for its digest tag (oras-go#1396).
    if (!isIndexMediaType(m.mediaType) || m.digest === subject) return undefined;
    return m as Manifest & { json: IndexJson };
  }

  async #addFallbackReferrer(
    ref: Ref,
    subject: string,
    desc: Descriptor,
    m: Manifest,
    options: CallOptions,
  ): Promise<void> {
    const key = `${ref.registry}/${ref.repository}@${subject}`;
    const prev = this.#locks.get(key) ?? Promise.resolve();
    const run = prev.catch(() => {}).then(async () => {
      const tagRef: Ref = { ...ref, tag: referrersFallbackTag(subject), digest: "" };
      let current: Manifest | undefined;
      try {
        current = await this.manifestGet(tagRef, options);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
      if (current && (!isIndexMediaType(current.mediaType) || current.digest === subject)) {
        throw new ManifestInvalidError(
          `Cannot update referrers of "${subject}": tag "${tagRef.tag}" is not an index`,
        );
      }
      const manifests = current ? [...(current.json as IndexJson).manifests] : [];
      if (manifests.some((d) => d.digest === desc.digest)) return;
      const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
      if (desc.artifactType !== undefined) entry.artifactType = desc.artifactType;
      const ann = (m.json as { annotations?: Record<string, string> }).annotations;
      if (ann && Object.keys(ann).length > 0) entry.annotations = { ...ann };
      manifests.push(entry);
      const index = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests };
      await this.manifestPut(tagRef, new TextEncoder().encode(JSON.stringify(index)), options);
    });
    this.#locks.set(key, run);
    try {
      await run;
    } finally {
      if (this.#locks.get(key) === run) this.#locks.delete(key);
    }
  }
}

function _repoName(ref: Ref): string {
  return `${ref.registry}/${ref.repository}`;
}

function _mediaType(res: Response): string | undefined {
  const ct = res.headers.get("content-type");
  const t = ct?.split(";")[0]?.trim();
  return t ? t : undefined;
}

function _validDigest(d: string): boolean {
  try {
    parseDigest(d);
    return true;
  } catch {
    return false;
  }
}

function _jsonStrings(body: Uint8Array, key: string): string[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const list = (json as Record<string, unknown>)[key];
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) return undefined;
  return list.filter((x): x is string => typeof x === "string");
}

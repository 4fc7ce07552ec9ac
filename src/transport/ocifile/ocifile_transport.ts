/**
 * The `ocifile` transport: an OCI layout inside a tar file
 * (`ocifile://path.tar:tag`). On first use of a tar file, its layout is
 * staged into a temp directory (blobs verified while written; a missing
 * file starts empty); every call is served there by an
 * {@link OciDirTransport}; {@link OciFileTransport.close} packs each changed
 * layout back into its tar (written to a temp file, then renamed) and
 * removes the temp directories. Blobs always flow through disk, never
 * whole through memory.
 *
 * @module
 */
import { UsageError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import type { Manifest } from "../../types/manifest.ts";
import type { Ref } from "../../types/ref.ts";
import { OciDirTransport } from "../ocidir/ocidir_transport.ts";
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
import { denoOciFileSystem, type OciFileSystem } from "./file_system.ts";
import { packLayout } from "./pack_layout.ts";
import { stageArchive } from "./stage_archive.ts";

/** Options of {@link OciFileTransport}. */
export interface OciFileTransportOptions {
  /** File system to use. @default denoOciFileSystem */
  fs?: OciFileSystem | undefined;
}

interface _Open {
  tmp: string;
  layout: string;
  dirty: boolean;
}

function _dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * A {@link Transport} over OCI layout tar files. Call
 * {@link OciFileTransport.close} to write changes back.
 *
 * @example Push an index and read it back after close
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { OciFileTransport } from "./ocifile_transport.ts";
 * import { parseRef } from "../../types/ref.ts";
 * const dir = await Deno.makeTempDir();
 * const ref = parseRef(`ocifile://${dir}/x.tar:v1`);
 * const raw = new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * );
 * const t = new OciFileTransport();
 * await t.manifestPut(ref, raw);
 * await t.close();
 * const again = new OciFileTransport();
 * equal((await again.tagList(ref))[0], "v1");
 * await again.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class OciFileTransport implements Transport {
  /** Always `ocifile`. */
  readonly scheme = "ocifile";
  #fs: OciFileSystem;
  #inner: OciDirTransport;
  #open = new Map<string, Promise<_Open>>();

  /**
   * Creates the transport; no file is read until a call names one.
   *
   * @param options file system to use (default: Deno's)
   */
  constructor(options: OciFileTransportOptions = {}) {
    this.#fs = options.fs ?? denoOciFileSystem;
    this.#inner = new OciDirTransport({ fs: this.#fs });
  }

  async #ref(ref: Ref, write = false): Promise<Ref> {
    if (ref.path === "") {
      throw new UsageError(
        `Cannot use an ocifile reference without a path (use ocifile://file.tar:tag)`,
      );
    }
    let p = this.#open.get(ref.path);
    if (p === undefined) {
      p = this.#stage(ref.path);
      this.#open.set(ref.path, p);
    }
    const o = await p;
    if (write) o.dirty = true;
    return { ...ref, scheme: "ocidir", path: o.layout };
  }

  async #stage(path: string): Promise<_Open> {
    const tmp = await this.#fs.makeTempDir("ocictl_ocifile_");
    const layout = `${tmp}/layout`;
    try {
      const info = await this.#fs.stat(path);
      if (info !== undefined) {
        await this.#fs.mkdir(layout);
        await stageArchive(this.#fs, await this.#fs.open(path), layout, {
          subject: `"${path}"`,
          layoutOnly: true,
        });
      }
    } catch (err) {
      await this.#fs.removeTree(tmp).catch(() => {});
      throw err;
    }
    return { tmp, layout, dirty: false };
  }

  /**
   * Resolves a manifest in the tar file's layout to its descriptor.
   *
   * @see Transport.manifestHead
   * @param ref reference
   * @param options signal
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  async manifestHead(ref: Ref, options?: CallOptions): Promise<Descriptor> {
    return this.#inner.manifestHead(await this.#ref(ref), options);
  }
  /**
   * Reads a manifest from the tar file's layout.
   *
   * @see Transport.manifestGet
   * @param ref reference
   * @param options signal
   * @returns the manifest
   * @throws {NotFoundError} when it does not exist
   */
  async manifestGet(ref: Ref, options?: CallOptions): Promise<Manifest> {
    return this.#inner.manifestGet(await this.#ref(ref), options);
  }
  /**
   * Stores a manifest; the tar file is rewritten on close.
   *
   * @see Transport.manifestPut
   * @param ref reference
   * @param raw bytes
   * @param options media type, child, signal
   * @returns the descriptor
   * @throws {ManifestInvalidError} when the body is not a valid manifest
   */
  async manifestPut(ref: Ref, raw: Uint8Array, options?: ManifestPutOptions): Promise<Descriptor> {
    return this.#inner.manifestPut(await this.#ref(ref, true), raw, options);
  }
  /**
   * Deletes a manifest by digest; the tar file is rewritten on close.
   *
   * @see Transport.manifestDelete
   * @param ref reference with a digest
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  async manifestDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.#inner.manifestDelete(await this.#ref(ref, true), options);
  }
  /**
   * Resolves a blob in the tar file's layout to its descriptor.
   *
   * @see Transport.blobHead
   * @param ref layout
   * @param digest digest
   * @param options signal
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  async blobHead(ref: Ref, digest: string, options?: CallOptions): Promise<Descriptor> {
    return this.#inner.blobHead(await this.#ref(ref), digest, options);
  }
  /**
   * Opens a blob of the tar file's layout as a verified stream.
   *
   * @see Transport.blobGet
   * @param ref layout
   * @param digest digest
   * @param options size, signal
   * @returns the reader
   * @throws {NotFoundError} when it does not exist
   */
  async blobGet(ref: Ref, digest: string, options?: BlobGetOptions): Promise<BlobReader> {
    return this.#inner.blobGet(await this.#ref(ref), digest, options);
  }
  /**
   * Stores a blob from a stream; the tar file is rewritten on close.
   *
   * @see Transport.blobPut
   * @param ref layout
   * @param body bytes
   * @param options digest, size, signal
   * @returns the descriptor
   * @throws {DigestMismatchError} when the bytes do not match (nothing stored)
   */
  async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor> {
    let inner: Ref;
    try {
      inner = await this.#ref(ref, true);
    } catch (err) {
      await body.cancel(err).catch(() => {});
      throw err;
    }
    return this.#inner.blobPut(inner, body, options);
  }
  /**
   * Deletes a blob; the tar file is rewritten on close.
   *
   * @see Transport.blobDelete
   * @param ref layout
   * @param digest digest
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  async blobDelete(ref: Ref, digest: string, options?: CallOptions): Promise<void> {
    return this.#inner.blobDelete(await this.#ref(ref, true), digest, options);
  }
  /**
   * Lists the tags of the tar file's layout.
   *
   * @see Transport.tagList
   * @param ref layout
   * @param options limit, last, signal
   * @returns sorted tags
   * @throws {NotFoundError} when the file does not exist
   */
  async tagList(ref: Ref, options?: TagListOptions): Promise<string[]> {
    return this.#inner.tagList(await this.#ref(ref), options);
  }
  /**
   * Removes a tag; the tar file is rewritten on close.
   *
   * @see Transport.tagDelete
   * @param ref reference with a tag
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when the tag does not exist
   */
  async tagDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.#inner.tagDelete(await this.#ref(ref, true), options);
  }
  /**
   * Lists the referrers of a manifest in the tar file's layout.
   *
   * @see Transport.referrerList
   * @param ref subject
   * @param options artifact type, signal
   * @returns referrers
   * @throws {NotFoundError} when the file or subject does not exist
   */
  async referrerList(ref: Ref, options?: ReferrerListOptions): Promise<Descriptor[]> {
    return this.#inner.referrerList(await this.#ref(ref), options);
  }

  /**
   * Collects garbage, packs every changed layout back into its tar file
   * (temp file, then rename) and removes the temp directories.
   * @returns nothing
   * @throws the first write error, after cleaning up every temp directory
   */
  async close(): Promise<void> {
    const open = [...this.#open];
    this.#open.clear();
    let first: { err: unknown } | undefined;
    try {
      await this.#inner.close();
    } catch (err) {
      first = { err };
    }
    for (const [path, p] of open) {
      let o: _Open;
      try {
        o = await p;
      } catch {
        continue;
      }
      try {
        if (first === undefined && o.dirty && (await this.#fs.stat(`${o.layout}/index.json`))) {
          const tmp = await this.#fs.writeTemp(_dirOf(path), packLayout(this.#fs, o.layout), {
            prefix: ".ocifile.",
          });
          await this.#fs.rename(tmp, path);
        }
      } catch (err) {
        first ??= { err };
      } finally {
        await this.#fs.removeTree(o.tmp).catch(() => {});
      }
    }
    if (first !== undefined) throw first.err;
  }
}

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
import type { Ref } from "../../types/ref.ts";
import { ForwardingTransport, type ForwardTarget } from "../forwarding_transport.ts";
import { OciDirTransport } from "../ocidir/ocidir_transport.ts";
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
export class OciFileTransport extends ForwardingTransport<OciDirTransport> {
  #fs: OciFileSystem;
  #inner: OciDirTransport;
  #open = new Map<string, Promise<_Open>>();

  /**
   * Creates the transport; no file is read until a call names one.
   *
   * @param options file system to use (default: Deno's)
   */
  constructor(options: OciFileTransportOptions = {}) {
    super("ocifile");
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
   * Serves a call from the tar file's staged layout (staged on first use); a
   * changing call marks it for packing on close.
   *
   * @param ref the `ocifile` reference
   * @param write whether the call changes the layout
   * @returns the layout transport and the `ocidir` reference into the stage
   * @throws {UsageError} when the reference has no path
   */
  protected override async target(
    ref: Ref,
    write: boolean,
  ): Promise<ForwardTarget<OciDirTransport>> {
    return { transport: this.#inner, ref: await this.#ref(ref, write) };
  }

  /**
   * Collects garbage, packs every changed layout back into its tar file
   * (temp file, then rename) and removes the temp directories.
   * @returns nothing
   * @throws the first write error, after cleaning up every temp directory
   */
  override async close(): Promise<void> {
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

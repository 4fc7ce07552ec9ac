/**
 * What the routes of `ocictl serve` share: the layout directory and its
 * transport, the upload sessions, the bounds and modes, and the steps every
 * route takes (policy, repository lookups, digest parameters, JSON answers).
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import { type Digest, parseDigest } from "../types/digest.ts";
import { MANIFEST_WRITE_LIMIT } from "../types/manifest.ts";
import type { Ref } from "../types/ref.ts";
import type { FileSystem } from "../transport/ocidir/file_system.ts";
import { withLayoutLock } from "../transport/ocidir/lock.ts";
import { OciDirTransport } from "../transport/ocidir/ocidir_transport.ts";
import { VerifiedFiles } from "../transport/ocidir/verified_files.ts";
import { writeTempBytes } from "../transport/ocidir/temp_bytes.ts";
import { ApiError } from "./errors_body.ts";
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits, UploadStore } from "./upload_session.ts";

/** Bounds of the registry. */
export interface RegistryLimits extends UploadLimits {
  /** Largest manifest accepted on PUT. @default 4 MiB */
  manifestBytes: number;
  /** Largest referrers response page, in bytes of JSON. @default 4 MiB */
  referrersBytes: number;
  /** Most `?tag=` parameters on one manifest PUT. @default 64 */
  maxTagParams: number;
}

/** Default {@link RegistryLimits}. */
export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  ...DEFAULT_UPLOAD_LIMITS,
  manifestBytes: MANIFEST_WRITE_LIMIT,
  referrersBytes: 4 * 1024 * 1024,
  maxTagParams: 64,
};

/** What {@link ServeState} is made from. */
export interface ServeStateOptions {
  /** Directory of the repositories, without a trailing slash. */
  dir: string;
  /** File system. */
  fs: FileSystem;
  /** Clock in milliseconds. */
  now: () => number;
  /** Bounds. */
  limits: RegistryLimits;
  /** Refuse every write. */
  readOnly: boolean;
  /** Refuse deletes. */
  noDelete: boolean;
  /** One line per server-side problem. */
  log: (message: string) => void;
  /** Hash every blob on every GET. */
  verifyEveryRead: boolean;
}

/** The state of one registry, shared by its routes. */
export class ServeState {
  /** Directory of the repositories. */
  readonly dir: string;
  /** File system. */
  readonly fs: FileSystem;
  /** Clock in milliseconds. */
  readonly now: () => number;
  /** Bounds. */
  readonly limits: RegistryLimits;
  /** One line per server-side problem. */
  readonly log: (message: string) => void;
  /** The layouts, one per repository. */
  readonly t: OciDirTransport;
  /** Open upload sessions. */
  readonly uploads: UploadStore;
  #readOnly: boolean;
  #noDelete: boolean;
  #repos = new Set<string>();
  #hashWorker: (() => void) | undefined;

  /**
   * Creates the state; nothing is read yet.
   * @param options directory, seams, bounds and modes
   */
  constructor(options: ServeStateOptions) {
    this.dir = options.dir;
    this.fs = options.fs;
    this.now = options.now;
    this.limits = options.limits;
    this.log = options.log;
    this.#readOnly = options.readOnly;
    this.#noDelete = options.noDelete;
    this.t = new OciDirTransport({
      fs: this.fs,
      verified: options.verifyEveryRead ? undefined : new VerifiedFiles(),
      gcLeases: false,
      collect: false,
    });
    this.uploads = new UploadStore({
      fs: this.fs,
      dir: `${this.dir}/.uploads`,
      now: this.now,
      limits: this.limits,
    });
  }

  /**
   * Refuses a write by policy: 403 read-only, 405 when deletes are disabled.
   * @param kind what the request does
   * @returns nothing
   * @throws {ApiError} when refused
   */
  checkWrite(kind: "push" | "delete"): void {
    if (this.#readOnly) {
      throw new ApiError(403, "DENIED", "Cannot change the registry: it is served read-only");
    }
    if (kind === "delete" && this.#noDelete) {
      throw new ApiError(
        405,
        "UNSUPPORTED",
        "Cannot delete: deletes are disabled on this registry",
      );
    }
  }

  /**
   * The `ocidir` reference of a repository's layout.
   * @param name repository
   * @param tag tag, or ""
   * @param digest digest, or ""
   * @returns the reference
   */
  ref(name: string, tag = "", digest = ""): Ref {
    return {
      scheme: "ocidir",
      registry: "",
      repository: "",
      path: `${this.dir}/${name}`,
      tag,
      digest,
    };
  }

  /**
   * Keeps the file system's hashing worker running until {@link release},
   * once a blob was sent through it: the next GET of a blob not yet checked
   * then does not wait for a worker to start.
   * @returns nothing
   */
  keepHashWorker(): void {
    this.#hashWorker ??= this.fs.warmHashFile?.() ?? (() => {});
  }

  /**
   * Lets the hashing worker end (the registry closes).
   * @returns nothing
   */
  release(): void {
    this.#hashWorker?.();
    this.#hashWorker = undefined;
  }

  /**
   * Tells whether a repository's layout exists.
   * @param name repository
   * @returns true when it has an index.json
   */
  async repoExists(name: string): Promise<boolean> {
    const info = await this.fs.stat(`${this.dir}/${name}/index.json`);
    return info?.isFile === true;
  }

  /**
   * Fails unless a repository exists.
   * @param name repository
   * @returns nothing
   * @throws {ApiError} 404 `NAME_UNKNOWN`
   */
  async requireRepo(name: string): Promise<void> {
    if (!(await this.repoExists(name))) {
      throw new ApiError(404, "NAME_UNKNOWN", `Cannot find repository "${name}"`);
    }
  }

  /**
   * Makes `<dir>/<name>` an OCI layout, even when it already holds child repositories.
   * @param name repository
   * @returns nothing
   */
  async ensureRepo(name: string): Promise<void> {
    if (this.#repos.has(name)) return;
    const path = `${this.dir}/${name}`;
    await this.fs.mkdir(path);
    await withLayoutLock(this.fs, path, async () => {
      if ((await this.fs.stat(`${path}/oci-layout`)) !== undefined) return;
      const body = new TextEncoder().encode(JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      const tmp = await writeTempBytes(this.fs, path, body, { prefix: "oci-layout." });
      await this.fs.rename(tmp, `${path}/oci-layout`);
    });
    this.#repos.add(name);
  }

  /**
   * Tells whether a repository holds a blob.
   * @param name repository
   * @param digest blob digest
   * @returns true when it does
   */
  async blobExists(name: string, digest: string): Promise<boolean> {
    try {
      await this.t.blobHead(this.ref(name), digest);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }
}

/**
 * Orders strings by code unit (the registry's sort order).
 *
 * @param a one string
 * @param b another
 * @returns negative, zero or positive
 * @throws never
 */
export function asciiOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Parses a digest parameter of a request.
 *
 * @param value the parameter
 * @returns the digest
 * @throws {ApiError} 400 `DIGEST_INVALID` when malformed or unsupported
 */
export function digestParam(value: string): Digest {
  try {
    return parseDigest(value);
  } catch {
    throw new ApiError(
      400,
      "DIGEST_INVALID",
      `Cannot use digest "${value}": malformed or unsupported`,
    );
  }
}

/**
 * A JSON response with its length.
 *
 * @param status HTTP status
 * @param value the body
 * @param headers more headers (`Content-Type` defaults to application/json)
 * @param head whether the body is left out
 * @returns the response
 * @throws never
 */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
  head = false,
): Response {
  const body = new TextEncoder().encode(JSON.stringify(value));
  const h = new Headers(headers);
  if (!h.has("Content-Type")) h.set("Content-Type", "application/json");
  h.set("Content-Length", String(body.byteLength));
  return new Response(head ? null : body, { status, headers: h });
}

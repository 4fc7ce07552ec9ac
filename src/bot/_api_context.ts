/**
 * The state and helpers shared by the host functions of regbot's Lua API:
 * the objects handed to Lua (kept under an id), argument checks with
 * regbot's wording, manifest fetches, dry-run skips and sleeps.
 *
 * @module
 */
import { AbortedError } from "../errors.ts";
import type { Client } from "../client.ts";
import type { Logger } from "../cli/logger.ts";
import { parseRateLimit, type RateLimit } from "../cli/ratelimit_view.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";
import type { OciFileSystem } from "../transport/ocifile/file_system.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { isIndex, type Manifest, manifestDescriptor } from "../types/manifest.ts";
import { parsePlatform, selectPlatform } from "../types/platform.ts";
import { commonName, parseRef, type Ref, withDigest } from "../types/ref.ts";
import { _Limiter } from "../ops/_limiter.ts";

/** Seams and settings of the bot's host functions. */
export interface BotApiOptions {
  /** The script's name (in every log record). */
  script: string;
  /** The client (one per script run). */
  client: Client;
  /** Where log records go. */
  logger: Logger;
  /** Skip every write. @default false */
  dryRun?: boolean | undefined;
  /** Stops every call (timeout, Ctrl-C). */
  signal: AbortSignal;
  /** Platform for `manifest.get` of an index when none is given. */
  platform: Platform;
  /** Bounds heavy calls (copy, config, export, import) across scripts. */
  throttle?: _Limiter | undefined;
  /** Files for `image.exportTar`/`importTar` (temp files, renames, staging). */
  fs?: OciFileSystem | undefined;
  /** Largest config blob read into memory, in bytes (regbot's `blobLimit`). @default 8 MiB */
  blobLimit?: number | undefined;
  /** Accept `ocidir://` and `ocifile://` references (local files). @default false */
  localRefs?: boolean | undefined;
  /** Headers of the last manifest response of {@link BotApiOptions.client}. */
  lastHeaders?: (() => Headers | undefined) | undefined;
}

/** A reference object (`reference.new`). */
export interface _RefObj {
  /** Its type name in Lua. */
  kind: "reference";
  /** The reference; `:tag(t)` and `:digest(d)` replace it. */
  ref: Ref;
}

/** A manifest object (`manifest.get`, `manifest.head`, …). */
export interface _ManifestObj {
  /** Its type name in Lua. */
  kind: "manifest";
  /** The reference it was fetched by. */
  ref: Ref;
  /** Undefined for a HEAD result. */
  manifest: Manifest | undefined;
  /** Its descriptor. */
  desc: Descriptor;
  /** The rate limit the registry reported with it. */
  rateLimit: RateLimit;
}

/** An image config object (`image.config`). */
export interface _ConfigObj {
  /** Its type name in Lua. */
  kind: "imageconfig";
  /** The image's reference. */
  ref: Ref;
  /** The image manifest naming the config. */
  manifest: Manifest;
  /** The config's JSON. */
  json: Record<string, unknown>;
  /** The bytes: as read, or as `:export()` wrote them. */
  raw: Uint8Array;
}

/** A blob object (`blob.get`, `blob.head`). */
export interface _BlobObj {
  /** Its type name in Lua. */
  kind: "blob";
  /** The repository's reference. */
  ref: Ref;
  /** Its descriptor. */
  desc: Descriptor;
  /** The unread body of `blob.get`; undefined after a HEAD or once used. */
  body: ReadableStream<Uint8Array> | undefined;
}

/** Any object handed to Lua. */
export type _Obj = _RefObj | _ManifestObj | _ConfigObj | _BlobObj;

/** A synchronous host function: Lua's arguments in, values out. */
export type _SyncFn = (a: unknown[]) => unknown[];
/** An asynchronous host function. */
export type _AsyncFn = (a: unknown[]) => Promise<unknown[]>;
/** The host functions of one API group, by the names the prelude calls. */
export interface _ApiGroup {
  /** Functions that answer at once. */
  sync?: Record<string, _SyncFn>;
  /** Functions that wait for the registry or a timer. */
  async?: Record<string, _AsyncFn>;
}

/** An error whose message is raised in Lua as is. */
export class _LuaRaise extends Error {}

/**
 * Whether a value is a plain object (a Lua table with keys).
 *
 * @param v any value
 * @returns true for a non-array object
 */
export function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * An error's message.
 *
 * @param err anything thrown
 * @returns its message, or its text
 */
export function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The state of one script run that every API group shares.
 */
export class _ApiContext {
  /** The run's seams and settings. */
  readonly o: BotApiOptions;
  /** Bounds heavy calls. */
  readonly throttle: _Limiter;
  /** Objects handed to Lua, by id. */
  readonly objs = new Map<number, _Obj>();
  #next = 1;

  /**
   * Creates the shared state of one script run.
   *
   * @param options client, logger, dry-run, signal, platform, throttle, files
   */
  constructor(options: BotApiOptions) {
    this.o = options;
    this.throttle = options.throttle ?? new _Limiter(1);
  }

  /**
   * The error that stopped the run (timeout, Ctrl-C).
   *
   * @returns the signal's reason, or an {@link AbortedError}
   */
  aborted(): Error {
    const r = this.o.signal.reason;
    return r instanceof Error ? r : new AbortedError();
  }

  /**
   * Log fields: the script's name plus extra fields.
   *
   * @param extra the record's own fields
   * @returns the fields
   */
  fields(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { script: this.o.script, ...extra };
  }

  /**
   * Keeps an object for Lua and describes it to the prelude.
   *
   * @param obj the object
   * @param data the table Lua sees (JSON of a manifest or config)
   * @returns what the prelude turns into a Lua object
   */
  add(obj: _Obj, data?: unknown): unknown {
    const id = this.#next++;
    this.objs.set(id, obj);
    return { __new: { kind: obj.kind, id, data } };
  }

  /**
   * The object a Lua value stands for.
   *
   * @param v a Lua value
   * @returns the object, or undefined when `v` is none
   */
  obj(v: unknown): _Obj | undefined {
    if (!_isRecord(v) || typeof v.__obj !== "number") return undefined;
    return this.objs.get(v.__obj);
  }

  /**
   * regbot's checkReference: a string, reference, manifest or config.
   *
   * @param v the argument
   * @param i its position (for the error)
   * @returns the reference
   * @throws {_LuaRaise} for anything else, or a local reference in the sandbox
   */
  ref(v: unknown, i: number): Ref {
    if (typeof v === "string") {
      let ref: Ref;
      try {
        ref = parseRef(v);
      } catch (err) {
        throw new _LuaRaise(`bad argument #${i} (reference parsing failed: ${_message(err)})`);
      }
      if (ref.scheme !== "reg" && this.o.localRefs !== true) {
        throw new _LuaRaise(
          `bad argument #${i} (local reference "${v}" refused: scripts reach local files only through image.exportTar and image.importTar; set defaults.unsafe: true to allow ocidir:// and ocifile://)`,
        );
      }
      return ref;
    }
    const o = this.obj(v);
    if (o && o.kind !== "blob") return o.ref;
    throw new _LuaRaise(`bad argument #${i} (reference expected)`);
  }

  /**
   * An options table (nil is empty).
   *
   * @param v the argument
   * @param i its position
   * @returns the table
   * @throws {_LuaRaise} when it is not a table
   */
  opts(v: unknown, i: number): Record<string, unknown> {
    if (v === undefined || v === null) return {};
    if (!_isRecord(v)) throw new _LuaRaise(`bad argument #${i} (table expected)`);
    return v;
  }

  /**
   * A string argument (a number is taken as its text, as Lua does).
   *
   * @param v the argument
   * @param i its position
   * @param what what was expected (for the error)
   * @returns the text
   * @throws {_LuaRaise} for anything else
   */
  str(v: unknown, i: number, what: string): string {
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    throw new _LuaRaise(`bad argument #${i} (${what} expected)`);
  }

  /**
   * Options every engine call takes.
   *
   * @returns the run's signal
   */
  call(): { signal: AbortSignal } {
    return { signal: this.o.signal };
  }

  /**
   * The rate limit of the last manifest response.
   *
   * @returns regbot's rate limit table
   */
  rateLimit(): RateLimit {
    return parseRateLimit(this.o.lastHeaders?.() ?? new Headers());
  }

  /**
   * A manifest HEAD.
   *
   * @param ref the manifest's reference
   * @returns a manifest object without a body
   * @throws {_LuaRaise} when the registry fails
   */
  async head(ref: Ref): Promise<_ManifestObj> {
    let desc: Descriptor;
    try {
      desc = await this.o.client.manifestHead(ref, this.call());
    } catch (err) {
      throw new _LuaRaise(`Failed retrieving "${commonName(ref)}" manifest: ${_message(err)}`);
    }
    return { kind: "manifest", ref, manifest: undefined, desc, rateLimit: this.rateLimit() };
  }

  /**
   * A manifest GET; an index is resolved to one platform unless `list`.
   *
   * @param ref the manifest's reference
   * @param list keep an index as is
   * @param platform the platform to pick (default the run's)
   * @returns the manifest object
   * @throws {_LuaRaise} when the registry fails or no entry matches
   */
  async get(ref: Ref, list: boolean, platform: string | undefined): Promise<_ManifestObj> {
    const c = this.o.client;
    try {
      let m = await c.manifestGet(ref, this.call());
      const rateLimit = this.rateLimit();
      if (!list && isIndex(m)) {
        let plat = this.o.platform;
        if (platform) {
          try {
            plat = parsePlatform(platform);
          } catch (err) {
            this.o.logger.warn("Could not parse platform", this.fields({ err: _message(err) }));
          }
        }
        const found = selectPlatform(m.json.manifests, plat);
        if (!found) throw new Error(`no entry for platform "${platform ?? "local"}" in the index`);
        m = await c.manifestGet(withDigest(ref, found.digest), this.call());
      }
      return { kind: "manifest", ref, manifest: m, desc: manifestDescriptor(m), rateLimit };
    } catch (err) {
      throw new _LuaRaise(`Failed retrieving "${commonName(ref)}" manifest: ${_message(err)}`);
    }
  }

  /**
   * regbot's checkManifest: a manifest as is, a config's manifest, or a fetch.
   *
   * @param v the argument
   * @param i its position
   * @param list keep an index as is when fetching
   * @param head a HEAD is enough when fetching
   * @returns the manifest object
   * @throws {_LuaRaise} for a wrong argument or a failed fetch
   */
  async manifest(v: unknown, i: number, list: boolean, head: boolean): Promise<_ManifestObj> {
    const o = this.obj(v);
    if (o?.kind === "manifest") return o;
    if (o?.kind === "imageconfig") {
      return {
        kind: "manifest",
        ref: o.ref,
        manifest: o.manifest,
        desc: manifestDescriptor(o.manifest),
        rateLimit: this.rateLimit(),
      };
    }
    if (typeof v !== "string" && o?.kind !== "reference") {
      throw new _LuaRaise(`bad argument #${i} (manifest expected)`);
    }
    const ref = this.ref(v, i);
    return head ? await this.head(ref) : await this.get(ref, list, undefined);
  }

  /**
   * Whether a write is skipped; logs "dry-run: would …" when it is.
   *
   * @param action what would be done
   * @param fields the log record's fields
   * @returns true in dry-run
   */
  skip(action: string, fields: Record<string, unknown>): boolean {
    if (!this.o.dryRun) return false;
    this.o.logger.info(`dry-run: would ${action}`, this.fields(fields));
    return true;
  }

  /**
   * Waits, or stops early when the run is stopped.
   *
   * @param ms how long
   * @returns when the time is up
   * @throws the stop's reason
   */
  sleep(ms: number): Promise<void> {
    const signal = this.o.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(this.aborted());
      const done = () => {
        clearTimeout(t);
        reject(this.aborted());
      };
      const t = setTimeout(() => {
        signal.removeEventListener("abort", done);
        resolve();
      }, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /**
   * A Go duration argument.
   *
   * @param v the argument (nil for the fallback)
   * @param fallback the default, as Go text
   * @param what what it is (for the error)
   * @returns milliseconds
   * @throws {_LuaRaise} for bad text
   */
  duration(v: unknown, fallback: string, what: string): number {
    const text = v === undefined || v === null ? fallback : this.str(v, 0, "duration");
    const ms = parseGoDuration(text);
    if (ms === undefined || ms < 0) {
      throw new _LuaRaise(`Failed parsing ${what} ${text}: use a duration such as 30s or 5m`);
    }
    return ms;
  }

  /**
   * The files `exportTar`/`importTar` may use.
   *
   * @returns the file system
   * @throws {_LuaRaise} when the run has none
   */
  files(): OciFileSystem {
    if (!this.o.fs) throw new _LuaRaise("local files are not available to this script");
    return this.o.fs;
  }
}

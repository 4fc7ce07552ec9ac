/**
 * The JS side of regbot's Lua API: the host functions behind
 * {@link BOT_PRELUDE}, calling the engine (client, copy, export, import).
 * Objects handed to Lua are kept here under an id; every write is skipped
 * and logged as "dry-run: would …" when dry-run is on.
 *
 * @module
 */
import { AbortedError } from "../errors.ts";
import type { Client } from "../client.ts";
import type { Logger } from "../cli/logger.ts";
import { parseRateLimit, type RateLimit } from "../cli/ratelimit_view.ts";
import { configFromLua, manifestFromLua } from "./lua_go_tables.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";
import { jsonPretty } from "../template/pretty.ts";
import type { OciFileSystem } from "../transport/ocifile/file_system.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import {
  isImage,
  isIndex,
  type Manifest,
  manifestDescriptor,
  parseManifest,
} from "../types/manifest.ts";
import { parsePlatform, selectPlatform } from "../types/platform.ts";
import {
  commonName,
  parseRef,
  parseRegistry,
  type Ref,
  withDigest,
  withoutReference,
  withTag,
} from "../types/ref.ts";
import { isRepoLister } from "../transport/transport.ts";
import { readBlobCapped } from "../read_capped.ts";
import { _Limiter } from "../ops/_limiter.ts";

/** What a host function answers to Lua: values, or an error message to raise. */
export type HostAnswer = { v: unknown[]; n: number } | { e: string };

/** Seams and settings of {@link BotApi}. */
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

interface _RefObj {
  kind: "reference";
  ref: Ref;
}
interface _ManifestObj {
  kind: "manifest";
  ref: Ref;
  /** Undefined for a HEAD result. */
  manifest: Manifest | undefined;
  desc: Descriptor;
  rateLimit: RateLimit;
}
interface _ConfigObj {
  kind: "imageconfig";
  ref: Ref;
  manifest: Manifest;
  json: Record<string, unknown>;
  /** The bytes: as read, or as `:export()` wrote them. */
  raw: Uint8Array;
}
interface _BlobObj {
  kind: "blob";
  ref: Ref;
  desc: Descriptor;
  body: ReadableStream<Uint8Array> | undefined;
}
type _Obj = _RefObj | _ManifestObj | _ConfigObj | _BlobObj;

/** An error whose message is raised in Lua as is. */
class _LuaRaise extends Error {}

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Lua sends empty tables as `{}`: lists of JSON come back as arrays. */
function _list(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (_isRecord(v) && Object.keys(v).length === 0) return [];
  return undefined;
}

/** The table a config object shows: its JSON, plus regbot's view of the embedded platform. */
function _configData(json: Record<string, unknown>): Record<string, unknown> {
  const platform: Record<string, unknown> = {};
  for (const k of ["architecture", "os", "os.version", "os.features", "variant", "features"]) {
    if (json[k] !== undefined) platform[k] = json[k];
  }
  return { ...json, Platform: platform };
}

function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The host functions of one script run. {@link BotApi.call} and
 * {@link BotApi.sync} are what the Lua prelude calls.
 *
 * @example Parsing a reference from Lua's point of view
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "../client.ts";
 * import { createLogger } from "../cli/logger.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { BotApi } from "./bot_api.ts";
 * const api = new BotApi({
 *   script: "demo",
 *   client: new Client({ transports: () => new MemoryTransport() }),
 *   logger: createLogger({ write: () => {} }),
 *   signal: new AbortController().signal,
 *   platform: { os: "linux", architecture: "amd64" },
 * });
 * const r = await api.call("reference_new", 1, ["example.com/app:v1"]);
 * assert.ok("v" in r);
 * await api.close();
 * ```
 */
export class BotApi {
  #o: BotApiOptions;
  #objs = new Map<number, _Obj>();
  #next = 1;
  #throttle: _Limiter;

  /**
   * Creates the host functions of one script run.
   *
   * @param options client, logger, dry-run, signal, platform, throttle, files
   */
  constructor(options: BotApiOptions) {
    this.#o = options;
    this.#throttle = options.throttle ?? new _Limiter(1);
  }

  /**
   * The Lua globals the prelude expects (`__ocictl_call`, `__ocictl_sync`),
   * bound to this instance.
   *
   * @returns the globals to hand to `runLua`
   * @throws never
   */
  globals(): Record<string, unknown> {
    return {
      __ocictl_call: (name: string, n: number, args: unknown) => this.call(name, n, args),
      __ocictl_sync: (name: string, n: number, args: unknown) => this.sync(name, n, args),
    };
  }

  /**
   * Runs an asynchronous host function (what `__ocictl_call` does).
   *
   * @param name the function's name in the prelude
   * @param n the number of arguments
   * @param args the arguments (Lua's array, 1-based, as JS sees it)
   * @returns the values, or the error message to raise in Lua
   * @throws never
   */
  async call(name: string, n: number, args: unknown): Promise<HostAnswer> {
    const a = _args(n, args);
    try {
      if (this.#o.signal.aborted) throw this.#aborted();
      const fn = this.#async[name];
      if (!fn) return { e: `unknown function "${name}"` };
      const v = await fn(a);
      return { v: v.map(_noNull), n: v.length };
    } catch (err) {
      return { e: this.#o.signal.aborted ? _message(this.#aborted()) : _message(err) };
    }
  }

  /**
   * Runs a synchronous host function (what `__ocictl_sync` does).
   *
   * @param name the function's name in the prelude
   * @param n the number of arguments
   * @param args the arguments
   * @returns the values, or the error message to raise in Lua
   * @throws never
   */
  sync(name: string, n: number, args: unknown): HostAnswer {
    const a = _args(n, args);
    try {
      const fn = this.#sync[name];
      if (!fn) return { e: `unknown function "${name}"` };
      const v = fn(a);
      return { v: v.map(_noNull), n: v.length };
    } catch (err) {
      return { e: _message(err) };
    }
  }

  /** Objects (references, manifests, configs, blobs) the script can still reach. */
  get objects(): number {
    return this.#objs.size;
  }

  /**
   * Cancels the blob streams the script opened and never used.
   *
   * @returns nothing
   * @throws never
   */
  async close(): Promise<void> {
    for (const o of this.#objs.values()) {
      if (o.kind === "blob" && o.body) await o.body.cancel().catch(() => {});
    }
    this.#objs.clear();
  }

  #aborted(): Error {
    const r = this.#o.signal.reason;
    return r instanceof Error ? r : new AbortedError();
  }

  #fields(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { script: this.#o.script, ...extra };
  }

  #add(obj: _Obj, data?: unknown): unknown {
    const id = this.#next++;
    this.#objs.set(id, obj);
    return { __new: { kind: obj.kind, id, data } };
  }

  #obj(v: unknown): _Obj | undefined {
    if (!_isRecord(v) || typeof v.__obj !== "number") return undefined;
    return this.#objs.get(v.__obj);
  }

  /** regbot's checkReference: a string, reference, manifest or config. */
  #ref(v: unknown, i: number): Ref {
    if (typeof v === "string") {
      let ref: Ref;
      try {
        ref = parseRef(v);
      } catch (err) {
        throw new _LuaRaise(`bad argument #${i} (reference parsing failed: ${_message(err)})`);
      }
      if (ref.scheme !== "reg" && this.#o.localRefs !== true) {
        throw new _LuaRaise(
          `bad argument #${i} (local reference "${v}" refused: scripts reach local files only through image.exportTar and image.importTar; set defaults.unsafe: true to allow ocidir:// and ocifile://)`,
        );
      }
      return ref;
    }
    const o = this.#obj(v);
    if (o && o.kind !== "blob") return o.ref;
    throw new _LuaRaise(`bad argument #${i} (reference expected)`);
  }

  #opts(v: unknown, i: number): Record<string, unknown> {
    if (v === undefined || v === null) return {};
    if (!_isRecord(v)) throw new _LuaRaise(`bad argument #${i} (table expected)`);
    return v;
  }

  #str(v: unknown, i: number, what: string): string {
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    throw new _LuaRaise(`bad argument #${i} (${what} expected)`);
  }

  #call() {
    return { signal: this.#o.signal };
  }

  #rateLimit(): RateLimit {
    return parseRateLimit(this.#o.lastHeaders?.() ?? new Headers());
  }

  async #head(ref: Ref): Promise<_ManifestObj> {
    let desc: Descriptor;
    try {
      desc = await this.#o.client.manifestHead(ref, this.#call());
    } catch (err) {
      throw new _LuaRaise(`Failed retrieving "${commonName(ref)}" manifest: ${_message(err)}`);
    }
    return { kind: "manifest", ref, manifest: undefined, desc, rateLimit: this.#rateLimit() };
  }

  async #get(ref: Ref, list: boolean, platform: string | undefined): Promise<_ManifestObj> {
    const c = this.#o.client;
    try {
      let m = await c.manifestGet(ref, this.#call());
      const rateLimit = this.#rateLimit();
      if (!list && isIndex(m)) {
        let plat = this.#o.platform;
        if (platform) {
          try {
            plat = parsePlatform(platform);
          } catch (err) {
            this.#o.logger.warn("Could not parse platform", this.#fields({ err: _message(err) }));
          }
        }
        const found = selectPlatform(m.json.manifests, plat);
        if (!found) throw new Error(`no entry for platform "${platform ?? "local"}" in the index`);
        m = await c.manifestGet(withDigest(ref, found.digest), this.#call());
      }
      return { kind: "manifest", ref, manifest: m, desc: manifestDescriptor(m), rateLimit };
    } catch (err) {
      throw new _LuaRaise(`Failed retrieving "${commonName(ref)}" manifest: ${_message(err)}`);
    }
  }

  /** regbot's checkManifest: a manifest as is, a config's manifest, or a fetch. */
  async #manifest(v: unknown, i: number, list: boolean, head: boolean): Promise<_ManifestObj> {
    const o = this.#obj(v);
    if (o?.kind === "manifest") return o;
    if (o?.kind === "imageconfig") {
      return {
        kind: "manifest",
        ref: o.ref,
        manifest: o.manifest,
        desc: manifestDescriptor(o.manifest),
        rateLimit: this.#rateLimit(),
      };
    }
    if (typeof v !== "string" && o?.kind !== "reference") {
      throw new _LuaRaise(`bad argument #${i} (manifest expected)`);
    }
    const ref = this.#ref(v, i);
    return head ? await this.#head(ref) : await this.#get(ref, list, undefined);
  }

  #manifestData(m: _ManifestObj): unknown {
    return m.manifest ? JSON.parse(new TextDecoder().decode(m.manifest.raw)) : {};
  }

  #skip(action: string, fields: Record<string, unknown>): boolean {
    if (!this.#o.dryRun) return false;
    this.#o.logger.info(`dry-run: would ${action}`, this.#fields(fields));
    return true;
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#o.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(this.#aborted());
      const done = () => {
        clearTimeout(t);
        reject(this.#aborted());
      };
      const t = setTimeout(() => {
        signal.removeEventListener("abort", done);
        resolve();
      }, ms);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  #duration(v: unknown, fallback: string, what: string): number {
    const text = v === undefined || v === null ? fallback : this.#str(v, 0, "duration");
    const ms = parseGoDuration(text);
    if (ms === undefined || ms < 0) {
      throw new _LuaRaise(`Failed parsing ${what} ${text}: use a duration such as 30s or 5m`);
    }
    return ms;
  }

  #sync: Record<string, (a: unknown[]) => unknown[]> = {
    release: (a) => {
      const id = typeof a[0] === "number" ? a[0] : -1;
      const o = this.#objs.get(id);
      if (o?.kind === "blob" && o.body) o.body.cancel().catch(() => {});
      this.#objs.delete(id);
      return [];
    },
    log: (a) => {
      this.#o.logger.info(
        "User script message",
        this.#fields({ message: this.#str(a[0], 1, "string") }),
      );
      return [];
    },
    ref_string: (a) => [commonName(this.#ref(a[0], 1))],
    ref_tag: (a) => this.#refPart(a, "tag"),
    ref_digest: (a) => this.#refPart(a, "digest"),
    manifest_string: (a) => {
      const o = this.#obj(a[0]);
      if (o?.kind !== "manifest") throw new _LuaRaise("bad argument #1 (manifest expected)");
      return [jsonPretty(o.manifest ? this.#manifestData(o) : o.desc).trimEnd()];
    },
    config_string: (a) => {
      const o = this.#obj(a[0]);
      if (o?.kind !== "imageconfig") throw new _LuaRaise("bad argument #1 (config expected)");
      return [jsonPretty(o.json).trimEnd()];
    },
  };

  #refPart(a: unknown[], part: "tag" | "digest"): unknown[] {
    const o = this.#obj(a[0]);
    if (o?.kind !== "reference") throw new _LuaRaise("bad argument #1 (reference expected)");
    if (a.length < 2) return [o.ref[part]];
    const value = this.#str(a[1], 2, "string");
    o.ref = part === "tag" ? withTag(o.ref, value) : withDigest(o.ref, value);
    return [];
  }

  #async: Record<string, (a: unknown[]) => Promise<unknown[]>> = {
    sleep: async (a) => {
      const s = typeof a[0] === "number" ? a[0] : Number.NaN;
      if (!(s >= 0)) throw new _LuaRaise("bad argument #1 to 'sleep' (seconds expected)");
      await this.#sleep(s * 1000);
      return [];
    },
    reference_new: (a) => {
      const ref = this.#ref(a[0], 1);
      return Promise.resolve([this.#add({ kind: "reference", ref: { ...ref } })]);
    },
    reference_close: (a) => {
      this.#ref(a[0], 1);
      return Promise.resolve([]);
    },
    repo_ls: async (a) => {
      if (typeof a[0] !== "string") {
        throw new _LuaRaise("bad argument #1 (Expected registry name (host and optional port))");
      }
      const opts = this.#opts(a[1], 2);
      const registry = parseRegistry(a[0]);
      const ref: Ref = { scheme: "reg", registry, repository: "", path: "", tag: "", digest: "" };
      const t = this.#o.client.transport(ref);
      try {
        if (!isRepoLister(t)) throw new Error("the transport cannot list repositories");
        return [await t.repoList(ref, { ...this.#listOpts(opts), ...this.#call() })];
      } catch (err) {
        throw new _LuaRaise(`Failed retrieving repo list: ${_message(err)}`);
      }
    },
    tag_ls: async (a) => {
      const ref = withoutReference(this.#ref(a[0], 1));
      const opts = this.#opts(a[1], 2);
      try {
        return [await this.#o.client.tagList(ref, { ...this.#listOpts(opts), ...this.#call() })];
      } catch (err) {
        throw new _LuaRaise(`Failed retrieving tag list: ${_message(err)}`);
      }
    },
    tag_delete: async (a) => {
      const ref = this.#ref(a[0], 1);
      const name = commonName(ref);
      if (this.#skip("delete tag", { image: name })) return [];
      this.#o.logger.info("Delete tag", this.#fields({ image: name }));
      try {
        await this.#o.client.tagDelete(ref, this.#call());
      } catch (err) {
        throw new _LuaRaise(`Failed deleting "${name}": ${_message(err)}`);
      }
      return [];
    },
    manifest_get: async (a) => {
      const ref = this.#ref(a[0], 1);
      const plat = a[1] === undefined || a[1] === null ? undefined : this.#str(a[1], 2, "string");
      const m = await this.#get(ref, false, plat);
      return [this.#add(m, this.#manifestData(m))];
    },
    manifest_getList: async (a) => {
      const m = await this.#get(this.#ref(a[0], 1), true, undefined);
      return [this.#add(m, this.#manifestData(m))];
    },
    manifest_head: async (a) => [this.#add(await this.#head(this.#ref(a[0], 1)), {})],
    manifest_descriptor: async (a) => {
      const m = await this.#manifest(a[0], 1, true, true);
      return [{ ...m.desc }];
    },
    manifest_ratelimit: async (
      a,
    ) => [{ ...(await this.#manifest(a[0], 1, false, true)).rateLimit }],
    manifest_put: async (a) => {
      const m = await this.#manifest(a[0], 1, true, false);
      const ref = this.#ref(a[1], 2);
      const name = commonName(ref);
      if (!m.manifest) throw new _LuaRaise("Failed to put manifest: a HEAD result has no body");
      if (this.#skip("put manifest", { image: name, digest: m.manifest.digest })) return [];
      try {
        await this.#o.client.manifestPut(ref, m.manifest.raw, {
          mediaType: m.manifest.mediaType,
          ...this.#call(),
        });
      } catch (err) {
        throw new _LuaRaise(`Failed to put manifest: ${_message(err)}`);
      }
      return [];
    },
    manifest_delete: async (a) => {
      const m = await this.#manifest(a[0], 1, true, true);
      const ref = m.ref.digest ? m.ref : withDigest(m.ref, m.desc.digest);
      const name = commonName(ref);
      if (this.#skip("delete manifest", { image: name })) return [];
      this.#o.logger.info("Delete manifest", this.#fields({ image: name }));
      try {
        await this.#o.client.manifestDelete(ref, this.#call());
      } catch (err) {
        throw new _LuaRaise(`Failed deleting "${name}": ${_message(err)}`);
      }
      return [];
    },
    manifest_export: (a) => {
      const o = this.#obj(a[0]);
      if (o?.kind !== "manifest" || !o.manifest) {
        throw new _LuaRaise("bad argument #1 (manifest expected)");
      }
      try {
        const raw = manifestFromLua(a[1], o.manifest.mediaType);
        const manifest = parseManifest(raw, { mediaType: o.manifest.mediaType });
        const m: _ManifestObj = { ...o, manifest, desc: manifestDescriptor(manifest) };
        return Promise.resolve([this.#add(m, this.#manifestData(m))]);
      } catch (err) {
        throw new _LuaRaise(`Failed exporting manifest: ${_message(err)}`);
      }
    },
    image_config: async (a) => {
      const m = await this.#manifest(a[0], 1, false, false);
      const name = commonName(m.ref);
      return await this.#throttle.run(async () => {
        const man = m.manifest;
        if (!man || !isImage(man)) {
          throw new _LuaRaise("Image methods are not available for manifest");
        }
        try {
          const raw = await readBlobCapped(this.#o.client, m.ref, {
            digest: man.json.config.digest,
            size: man.json.config.size,
            signal: this.#o.signal,
            ...(this.#o.blobLimit ? { limit: this.#o.blobLimit } : {}),
          });
          const json = JSON.parse(new TextDecoder().decode(raw));
          if (!_isRecord(json)) throw new Error("the config is not a JSON object");
          const c: _ConfigObj = { kind: "imageconfig", ref: m.ref, manifest: man, json, raw };
          return [this.#add(c, _configData(json))];
        } catch (err) {
          throw new _LuaRaise(`Failed retrieving "${name}" config: ${_message(err)}`);
        }
      });
    },
    config_export: (a) => {
      const o = this.#obj(a[0]);
      if (o?.kind !== "imageconfig") throw new _LuaRaise("bad argument #1 (config expected)");
      try {
        const raw = configFromLua(a[1]);
        const json = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
        return Promise.resolve([this.#add({ ...o, json, raw }, _configData(json))]);
      } catch (err) {
        throw new _LuaRaise(`Failed exporting config: ${_message(err)}`);
      }
    },
    image_copy: async (a) => {
      const src = this.#ref(a[0], 1);
      const tgt = this.#ref(a[1], 2);
      const opts = this.#opts(a[2], 3);
      const platforms = _list(opts.platforms)?.map((p) => parsePlatform(String(p)));
      const fields = {
        source: commonName(src),
        target: commonName(tgt),
        digestTags: opts.digestTags === true,
        forceRecursive: opts.forceRecursive === true,
        includeExternal: opts.includeExternal === true,
      };
      if (this.#skip("copy image", fields)) return [];
      this.#o.logger.info("Copy image", this.#fields(fields));
      const { copyImage } = await import("../ops/copy.ts");
      await this.#throttle.run(async () => {
        try {
          const c = this.#o.client;
          await copyImage({ transport: c.transport(src), ref: src }, {
            transport: c.transport(tgt),
            ref: tgt,
          }, {
            digestTags: fields.digestTags,
            forceRecursive: fields.forceRecursive,
            includeExternal: fields.includeExternal,
            referrers: opts.referrers === true,
            ...(platforms && platforms.length > 0 ? { platforms } : {}),
            signal: this.#o.signal,
          });
        } catch (err) {
          throw new _LuaRaise(
            `Failed copying "${fields.source}" to "${fields.target}": ${_message(err)}`,
          );
        }
      });
      return [];
    },
    image_exportTar: async (a) => {
      const ref = this.#ref(a[0], 1);
      const file = this.#str(a[1], 2, "file name");
      const name = commonName(ref);
      if (this.#skip("export image to a file", { image: name, file })) return [];
      const fs = this.#files();
      const { openImageExport } = await import("../ops/image_export.ts");
      await this.#throttle.run(async () => {
        try {
          const tar = await openImageExport(this.#o.client, [{ ref }], { signal: this.#o.signal });
          const tmp = await fs.writeTemp(_dirOf(file), tar, {
            signal: this.#o.signal,
            prefix: ".ocictl.",
          });
          await fs.rename(tmp, file);
        } catch (err) {
          throw new _LuaRaise(
            `Failed to export image "${name}" to "${file}": ${_message(err)}`,
          );
        }
      });
      return [];
    },
    image_importTar: async (a) => {
      const ref = this.#ref(a[0], 1);
      const file = this.#str(a[1], 2, "file name");
      const name = commonName(ref);
      if (this.#skip("import image from a file", { image: name, file })) return [];
      const fs = this.#files();
      const { importImage } = await import("../ops/image_import.ts");
      await this.#throttle.run(async () => {
        try {
          const tar = await fs.open(file);
          await importImage(this.#o.client.transport(ref), ref, tar, {
            fs,
            signal: this.#o.signal,
          });
        } catch (err) {
          throw new _LuaRaise(
            `Failed to import image "${name}" from "${file}": ${_message(err)}`,
          );
        }
      });
      return [];
    },
    image_ratelimitWait: async (a) => {
      const ref = this.#ref(a[0], 1);
      const limit = typeof a[1] === "number" ? a[1] : Number.NaN;
      if (!Number.isFinite(limit)) throw new _LuaRaise("bad argument #2 (number expected)");
      const poll = this.#duration(a[2], "5m", "rate limit frequency");
      const timeout = this.#duration(a[3], "6h", "timeout");
      const end = Date.now() + timeout;
      for (;;) {
        let rl: RateLimit;
        try {
          await this.#o.client.manifestHead(ref, this.#call());
          rl = this.#rateLimit();
        } catch (err) {
          throw new _LuaRaise(`Failed checking "${commonName(ref)}" manifest: ${_message(err)}`);
        }
        if (!rl.Set || rl.Remain >= limit) return [true];
        if (Date.now() + poll > end) return [false];
        this.#o.logger.info(
          "Delaying for ratelimit",
          this.#fields({ image: commonName(ref), current: rl.Remain, target: limit }),
        );
        await this.#sleep(poll);
      }
    },
    blob_get: (a) => this.#blobOpen(a, true),
    blob_head: (a) => this.#blobOpen(a, false),
    blob_put: async (a) => {
      // b:put(ref) puts the blob b to ref (regbot's method form passes them the other way round).
      const first = this.#obj(a[0]);
      const [target, content] = first?.kind === "blob" ? [a[1], a[0]] : [a[0], a[1]];
      const ref = this.#ref(target, 1);
      const o = this.#obj(content);
      let body: ReadableStream<Uint8Array>;
      let digest: string;
      let size: number;
      if (typeof content === "string" || o?.kind === "imageconfig") {
        const bytes = typeof content === "string"
          ? new TextEncoder().encode(content)
          : (o as _ConfigObj).raw;
        digest = digestOf(bytes);
        size = bytes.byteLength;
        body = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
      } else if (o?.kind === "blob") {
        digest = o.desc.digest;
        size = o.desc.size;
        if (this.#o.dryRun) {
          body = new ReadableStream();
        } else if (o.body) {
          body = o.body;
          o.body = undefined;
        } else {
          body = (await this.#o.client.blobGet(o.ref, digest, this.#call())).body;
        }
      } else {
        throw new _LuaRaise("bad argument #2 (blob content expected)");
      }
      if (this.#skip("put blob", { repo: commonName(withoutReference(ref)), digest, size })) {
        await body.cancel().catch(() => {});
        return [digest, size];
      }
      try {
        const d = await this.#o.client.blobPut(withoutReference(ref), body, {
          digest,
          size,
          ...this.#call(),
        });
        return [d.digest, d.size];
      } catch (err) {
        throw new _LuaRaise(`Failed to put blob: ${_message(err)}`);
      }
    },
  };

  /** blob.get/head: a reference and digest, or a blob object (b:get(), b:head()). */
  async #blobOpen(a: unknown[], get: boolean): Promise<unknown[]> {
    const o = this.#obj(a[0]);
    const ref = o?.kind === "blob" ? o.ref : this.#ref(a[0], 1);
    const digest = o?.kind === "blob"
      ? o.desc.digest
      : a.length >= 2
      ? this.#str(a[1], 2, "digest")
      : ref.digest;
    try {
      if (!get) {
        const desc = await this.#o.client.blobHead(ref, digest, this.#call());
        return [this.#add({ kind: "blob", ref, desc, body: undefined })];
      }
      const r = await this.#o.client.blobGet(ref, digest, this.#call());
      return [this.#add({ kind: "blob", ref, desc: r.descriptor, body: r.body })];
    } catch (err) {
      throw new _LuaRaise(
        `Failed retrieving "${commonName(ref)}" blob "${digest}": ${_message(err)}`,
      );
    }
  }

  #listOpts(opts: Record<string, unknown>): { limit?: number; last?: string } {
    const out: { limit?: number; last?: string } = {};
    if (typeof opts.limit === "number" && opts.limit > 0) out.limit = opts.limit;
    if (typeof opts.last === "string" && opts.last !== "") out.last = opts.last;
    return out;
  }

  #files(): OciFileSystem {
    if (!this.#o.fs) {
      throw new _LuaRaise("local files are not available to this script");
    }
    return this.#o.fs;
  }
}

function _dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** JSON null as Lua nil: wasmoon cannot push a null inside a table. */
function _noNull(v: unknown): unknown {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v.map(_noNull);
  if (_isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = _noNull(x);
    return out;
  }
  return v;
}

function _args(n: unknown, args: unknown): unknown[] {
  const count = typeof n === "number" ? n : 0;
  const out: unknown[] = [];
  for (let i = 1; i <= count; i++) {
    const v = Array.isArray(args) ? args[i - 1] : _isRecord(args) ? args[String(i)] : undefined;
    out.push(v === null ? undefined : v);
  }
  return out;
}

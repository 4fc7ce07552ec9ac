/**
 * The JS side of regbot's Lua API: the host functions behind
 * {@link BOT_PRELUDE}, calling the engine (client, copy, export, import).
 * Objects handed to Lua are kept under an id; every write is skipped and
 * logged as "dry-run: would …" when dry-run is on. The functions live in one
 * module per API group (reference, tag/repo, manifest, image, blob).
 *
 * @module
 */
import {
  _ApiContext,
  type _AsyncFn,
  _isRecord,
  _message,
  type _SyncFn,
  type BotApiOptions,
} from "./_api_context.ts";
import { _blobApi } from "./_api_blob.ts";
import { _imageApi } from "./_api_image.ts";
import { _manifestApi } from "./_api_manifest.ts";
import { _referenceApi } from "./_api_reference.ts";
import { _tagApi } from "./_api_tag.ts";

export type { BotApiOptions } from "./_api_context.ts";

/** What a host function answers to Lua: values, or an error message to raise. */
export type HostAnswer = { v: unknown[]; n: number } | { e: string };

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
  #ctx: _ApiContext;
  #sync: Record<string, _SyncFn> = {};
  #async: Record<string, _AsyncFn> = {};

  /**
   * Creates the host functions of one script run.
   *
   * @param options client, logger, dry-run, signal, platform, throttle, files
   */
  constructor(options: BotApiOptions) {
    this.#ctx = new _ApiContext(options);
    for (const make of [_referenceApi, _tagApi, _manifestApi, _imageApi, _blobApi]) {
      const group = make(this.#ctx);
      Object.assign(this.#sync, group.sync);
      Object.assign(this.#async, group.async);
    }
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
    const ctx = this.#ctx;
    try {
      if (ctx.o.signal.aborted) throw ctx.aborted();
      const fn = Object.hasOwn(this.#async, name) ? this.#async[name] : undefined;
      if (!fn) return { e: `unknown function "${name}"` };
      const v = await fn(a);
      return { v: v.map(_noNull), n: v.length };
    } catch (err) {
      return { e: ctx.o.signal.aborted ? _message(ctx.aborted()) : _message(err) };
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
      const fn = Object.hasOwn(this.#sync, name) ? this.#sync[name] : undefined;
      if (!fn) return { e: `unknown function "${name}"` };
      const v = fn(a);
      return { v: v.map(_noNull), n: v.length };
    } catch (err) {
      return { e: _message(err) };
    }
  }

  /** Objects (references, manifests, configs, blobs) the script can still reach. */
  get objects(): number {
    return this.#ctx.objs.size;
  }

  /**
   * Cancels the blob streams the script opened and never used.
   *
   * @returns nothing
   * @throws never
   */
  async close(): Promise<void> {
    for (const o of this.#ctx.objs.values()) {
      if (o.kind === "blob" && o.body) await o.body.cancel().catch(() => {});
    }
    this.#ctx.objs.clear();
  }
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

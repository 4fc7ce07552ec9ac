/**
 * regbot's `blob` functions.
 *
 * @module
 */
import { digestOf } from "../types/digest.ts";
import { commonName, withoutReference } from "../types/ref.ts";
import {
  type _ApiContext,
  type _ApiGroup,
  type _ConfigObj,
  _LuaRaise,
  _message,
} from "./_api_context.ts";

/**
 * The host functions of `blob.get`, `blob.head` and `blob.put`.
 *
 * @param ctx the run's shared state
 * @returns the functions by prelude name
 */
export function _blobApi(ctx: _ApiContext): _ApiGroup {
  /** blob.get/head: a reference and digest, or a blob object (b:get(), b:head()). */
  const open = async (a: unknown[], get: boolean): Promise<unknown[]> => {
    const o = ctx.obj(a[0]);
    const ref = o?.kind === "blob" ? o.ref : ctx.ref(a[0], 1);
    const digest = o?.kind === "blob"
      ? o.desc.digest
      : a.length >= 2
      ? ctx.str(a[1], 2, "digest")
      : ref.digest;
    try {
      if (!get) {
        const desc = await ctx.o.client.blobHead(ref, digest, ctx.call());
        return [ctx.add({ kind: "blob", ref, desc, body: undefined })];
      }
      const r = await ctx.o.client.blobGet(ref, digest, ctx.call());
      return [ctx.add({ kind: "blob", ref, desc: r.descriptor, body: r.body })];
    } catch (err) {
      throw new _LuaRaise(
        `Failed retrieving "${commonName(ref)}" blob "${digest}": ${_message(err)}`,
      );
    }
  };
  return {
    async: {
      blob_get: (a) => open(a, true),
      blob_head: (a) => open(a, false),
      blob_put: async (a) => {
        // b:put(ref) puts the blob b to ref (regbot's method form passes them the other way round).
        const first = ctx.obj(a[0]);
        const [target, content] = first?.kind === "blob" ? [a[1], a[0]] : [a[0], a[1]];
        const ref = ctx.ref(target, 1);
        const o = ctx.obj(content);
        let body: ReadableStream<Uint8Array>;
        let digest: string;
        let size: number;
        if (typeof content === "string" || o?.kind === "imageconfig") {
          const bytes = typeof content === "string"
            ? new TextEncoder().encode(content)
            : (o as _ConfigObj).raw;
          digest = await digestOf(bytes);
          size = bytes.byteLength;
          body = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
        } else if (o?.kind === "blob") {
          digest = o.desc.digest;
          size = o.desc.size;
          if (ctx.o.dryRun) {
            body = new ReadableStream();
          } else if (o.body) {
            body = o.body;
            o.body = undefined;
          } else {
            body = (await ctx.o.client.blobGet(o.ref, digest, ctx.call())).body;
          }
        } else {
          throw new _LuaRaise("bad argument #2 (blob content expected)");
        }
        if (ctx.skip("put blob", { repo: commonName(withoutReference(ref)), digest, size })) {
          await body.cancel().catch(() => {});
          return [digest, size];
        }
        try {
          const d = await ctx.o.client.blobPut(withoutReference(ref), body, {
            digest,
            size,
            ...ctx.call(),
          });
          return [d.digest, d.size];
        } catch (err) {
          throw new _LuaRaise(`Failed to put blob: ${_message(err)}`);
        }
      },
    },
  };
}

/**
 * regbot's `log`, `sleep`, object release and `reference` functions.
 *
 * @module
 */
import { commonName, withDigest, withTag } from "../types/ref.ts";
import { type _ApiContext, type _ApiGroup, _LuaRaise } from "./_api_context.ts";

/**
 * The host functions of `log`, `sleep`, `reference.new` and the reference methods.
 *
 * @param ctx the run's shared state
 * @returns the functions by prelude name
 */
export function _referenceApi(ctx: _ApiContext): _ApiGroup {
  const refPart = (a: unknown[], part: "tag" | "digest"): unknown[] => {
    const o = ctx.obj(a[0]);
    if (o?.kind !== "reference") throw new _LuaRaise("bad argument #1 (reference expected)");
    if (a.length < 2) return [o.ref[part]];
    const value = ctx.str(a[1], 2, "string");
    o.ref = part === "tag" ? withTag(o.ref, value) : withDigest(o.ref, value);
    return [];
  };
  return {
    sync: {
      release: (a) => {
        const id = typeof a[0] === "number" ? a[0] : -1;
        const o = ctx.objs.get(id);
        if (o?.kind === "blob" && o.body) o.body.cancel().catch(() => {});
        ctx.objs.delete(id);
        return [];
      },
      log: (a) => {
        ctx.o.logger.info(
          "User script message",
          ctx.fields({ message: ctx.str(a[0], 1, "string") }),
        );
        return [];
      },
      ref_string: (a) => [commonName(ctx.ref(a[0], 1))],
      ref_tag: (a) => refPart(a, "tag"),
      ref_digest: (a) => refPart(a, "digest"),
    },
    async: {
      sleep: async (a) => {
        const s = typeof a[0] === "number" ? a[0] : Number.NaN;
        if (!(s >= 0)) throw new _LuaRaise("bad argument #1 to 'sleep' (seconds expected)");
        await ctx.sleep(s * 1000);
        return [];
      },
      reference_new: (a) => {
        const ref = ctx.ref(a[0], 1);
        return Promise.resolve([ctx.add({ kind: "reference", ref: { ...ref } })]);
      },
      reference_close: (a) => {
        ctx.ref(a[0], 1);
        return Promise.resolve([]);
      },
    },
  };
}

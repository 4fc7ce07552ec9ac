/**
 * regbot's `repo.ls`, `tag.ls` and `tag.delete`.
 *
 * @module
 */
import { isRepoLister } from "../transport/transport.ts";
import { commonName, parseRegistry, type Ref, withoutReference } from "../types/ref.ts";
import { type _ApiContext, type _ApiGroup, _LuaRaise, _message } from "./_api_context.ts";

function _listOpts(opts: Record<string, unknown>): { limit?: number; last?: string } {
  const out: { limit?: number; last?: string } = {};
  if (typeof opts.limit === "number" && opts.limit > 0) out.limit = opts.limit;
  if (typeof opts.last === "string" && opts.last !== "") out.last = opts.last;
  return out;
}

/**
 * The host functions of `repo.ls`, `tag.ls` and `tag.delete`.
 *
 * @param ctx the run's shared state
 * @returns the functions by prelude name
 */
export function _tagApi(ctx: _ApiContext): _ApiGroup {
  return {
    async: {
      repo_ls: async (a) => {
        if (typeof a[0] !== "string") {
          throw new _LuaRaise("bad argument #1 (Expected registry name (host and optional port))");
        }
        const opts = ctx.opts(a[1], 2);
        const registry = parseRegistry(a[0]);
        const ref: Ref = { scheme: "reg", registry, repository: "", path: "", tag: "", digest: "" };
        const t = ctx.o.client.transport(ref);
        try {
          if (!isRepoLister(t)) throw new Error("the transport cannot list repositories");
          return [await t.repoList(ref, { ..._listOpts(opts), ...ctx.call() })];
        } catch (err) {
          throw new _LuaRaise(`Failed retrieving repo list: ${_message(err)}`);
        }
      },
      tag_ls: async (a) => {
        const ref = withoutReference(ctx.ref(a[0], 1));
        const opts = ctx.opts(a[1], 2);
        try {
          return [await ctx.o.client.tagList(ref, { ..._listOpts(opts), ...ctx.call() })];
        } catch (err) {
          throw new _LuaRaise(`Failed retrieving tag list: ${_message(err)}`);
        }
      },
      tag_delete: async (a) => {
        const ref = ctx.ref(a[0], 1);
        const name = commonName(ref);
        if (ctx.skip("delete tag", { image: name })) return [];
        ctx.o.logger.info("Delete tag", ctx.fields({ image: name }));
        try {
          await ctx.o.client.tagDelete(ref, ctx.call());
        } catch (err) {
          throw new _LuaRaise(`Failed deleting "${name}": ${_message(err)}`);
        }
        return [];
      },
    },
  };
}

/**
 * regbot's `manifest` functions and the `m:` methods.
 *
 * @module
 */
import { jsonPretty } from "../template/pretty.ts";
import { manifestDescriptor, parseManifest } from "../types/manifest.ts";
import { commonName, withDigest } from "../types/ref.ts";
import {
  type _ApiContext,
  type _ApiGroup,
  _LuaRaise,
  type _ManifestObj,
  _message,
} from "./_api_context.ts";
import { manifestFromLua } from "./lua_go_tables.ts";

/**
 * The table Lua sees for a manifest: its JSON (empty after a HEAD).
 *
 * @param m the manifest object
 * @returns the parsed JSON
 */
export function _manifestData(m: _ManifestObj): unknown {
  return m.manifest ? JSON.parse(new TextDecoder().decode(m.manifest.raw)) : {};
}

/**
 * The host functions of `manifest.*` and `tostring(m)`.
 *
 * @param ctx the run's shared state
 * @returns the functions by prelude name
 */
export function _manifestApi(ctx: _ApiContext): _ApiGroup {
  return {
    sync: {
      manifest_string: (a) => {
        const o = ctx.obj(a[0]);
        if (o?.kind !== "manifest") throw new _LuaRaise("bad argument #1 (manifest expected)");
        return [jsonPretty(o.manifest ? _manifestData(o) : o.desc).trimEnd()];
      },
    },
    async: {
      manifest_get: async (a) => {
        const ref = ctx.ref(a[0], 1);
        const plat = a[1] === undefined || a[1] === null ? undefined : ctx.str(a[1], 2, "string");
        const m = await ctx.get(ref, false, plat);
        return [ctx.add(m, _manifestData(m))];
      },
      manifest_getList: async (a) => {
        const m = await ctx.get(ctx.ref(a[0], 1), true, undefined);
        return [ctx.add(m, _manifestData(m))];
      },
      manifest_head: async (a) => [ctx.add(await ctx.head(ctx.ref(a[0], 1)), {})],
      manifest_descriptor: async (a) => {
        const m = await ctx.manifest(a[0], 1, true, true);
        return [{ ...m.desc }];
      },
      manifest_ratelimit: async (
        a,
      ) => [{ ...(await ctx.manifest(a[0], 1, false, true)).rateLimit }],
      manifest_put: async (a) => {
        const m = await ctx.manifest(a[0], 1, true, false);
        const ref = ctx.ref(a[1], 2);
        const name = commonName(ref);
        if (!m.manifest) throw new _LuaRaise("Failed to put manifest: a HEAD result has no body");
        if (ctx.skip("put manifest", { image: name, digest: m.manifest.digest })) return [];
        try {
          await ctx.o.client.manifestPut(ref, m.manifest.raw, {
            mediaType: m.manifest.mediaType,
            ...ctx.call(),
          });
        } catch (err) {
          throw new _LuaRaise(`Failed to put manifest: ${_message(err)}`);
        }
        return [];
      },
      manifest_delete: async (a) => {
        const m = await ctx.manifest(a[0], 1, true, true);
        const ref = m.ref.digest ? m.ref : withDigest(m.ref, m.desc.digest);
        const name = commonName(ref);
        if (ctx.skip("delete manifest", { image: name })) return [];
        ctx.o.logger.info("Delete manifest", ctx.fields({ image: name }));
        try {
          await ctx.o.client.manifestDelete(ref, ctx.call());
        } catch (err) {
          throw new _LuaRaise(`Failed deleting "${name}": ${_message(err)}`);
        }
        return [];
      },
      manifest_export: async (a) => {
        const o = ctx.obj(a[0]);
        if (o?.kind !== "manifest" || !o.manifest) {
          throw new _LuaRaise("bad argument #1 (manifest expected)");
        }
        try {
          const raw = manifestFromLua(a[1], o.manifest.mediaType);
          const manifest = await parseManifest(raw, { mediaType: o.manifest.mediaType });
          const m: _ManifestObj = { ...o, manifest, desc: manifestDescriptor(manifest) };
          return [ctx.add(m, _manifestData(m))];
        } catch (err) {
          throw new _LuaRaise(`Failed exporting manifest: ${_message(err)}`);
        }
      },
    },
  };
}

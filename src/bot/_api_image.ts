/**
 * regbot's `image` functions and the image config object.
 *
 * @module
 */
import type { RateLimit } from "../cli/ratelimit_view.ts";
import { readBlobCapped } from "../read_capped.ts";
import { jsonPretty } from "../template/pretty.ts";
import { isImage } from "../types/manifest.ts";
import { parsePlatform } from "../types/platform.ts";
import { commonName } from "../types/ref.ts";
import {
  type _ApiContext,
  type _ApiGroup,
  type _ConfigObj,
  _isRecord,
  _LuaRaise,
  _message,
} from "./_api_context.ts";
import { configFromLua, configToLua } from "./lua_go_tables.ts";

/** Lua sends empty tables as `{}`: lists of JSON come back as arrays. */
function _list(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (_isRecord(v) && Object.keys(v).length === 0) return [];
  return undefined;
}

/**
 * The table a config object shows: its JSON with times in Go's form, plus
 * regbot's view of the embedded platform.
 */
function _configData(json: Record<string, unknown>): Record<string, unknown> {
  const platform: Record<string, unknown> = {};
  for (const k of ["architecture", "os", "os.version", "os.features", "variant", "features"]) {
    if (json[k] !== undefined) platform[k] = json[k];
  }
  return { ...configToLua(json), Platform: platform };
}

function _dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/**
 * The host functions of `image.*`, `c:export()` and `tostring(c)`.
 *
 * @param ctx the run's shared state
 * @returns the functions by prelude name
 */
export function _imageApi(ctx: _ApiContext): _ApiGroup {
  return {
    sync: {
      config_string: (a) => {
        const o = ctx.obj(a[0]);
        if (o?.kind !== "imageconfig") throw new _LuaRaise("bad argument #1 (config expected)");
        return [jsonPretty(o.json).trimEnd()];
      },
    },
    async: {
      image_config: async (a) => {
        const m = await ctx.manifest(a[0], 1, false, false);
        const name = commonName(m.ref);
        return await ctx.throttle.run(async () => {
          const man = m.manifest;
          if (!man || !isImage(man)) {
            throw new _LuaRaise("Image methods are not available for manifest");
          }
          try {
            const raw = await readBlobCapped(ctx.o.client, m.ref, {
              digest: man.json.config.digest,
              size: man.json.config.size,
              signal: ctx.o.signal,
              ...(ctx.o.blobLimit ? { limit: ctx.o.blobLimit } : {}),
            });
            const json = JSON.parse(new TextDecoder().decode(raw));
            if (!_isRecord(json)) throw new Error("the config is not a JSON object");
            const c: _ConfigObj = { kind: "imageconfig", ref: m.ref, manifest: man, json, raw };
            return [ctx.add(c, _configData(json))];
          } catch (err) {
            throw new _LuaRaise(`Failed retrieving "${name}" config: ${_message(err)}`);
          }
        });
      },
      config_export: (a) => {
        const o = ctx.obj(a[0]);
        if (o?.kind !== "imageconfig") throw new _LuaRaise("bad argument #1 (config expected)");
        try {
          const raw = configFromLua(a[1], o.json);
          const json = JSON.parse(new TextDecoder().decode(raw)) as Record<string, unknown>;
          return Promise.resolve([ctx.add({ ...o, json, raw }, _configData(json))]);
        } catch (err) {
          throw new _LuaRaise(`Failed exporting config: ${_message(err)}`);
        }
      },
      image_copy: async (a) => {
        const src = ctx.ref(a[0], 1);
        const tgt = ctx.ref(a[1], 2);
        const opts = ctx.opts(a[2], 3);
        const platforms = _list(opts.platforms)?.map((p) => parsePlatform(String(p)));
        const fields = {
          source: commonName(src),
          target: commonName(tgt),
          digestTags: opts.digestTags === true,
          forceRecursive: opts.forceRecursive === true,
          includeExternal: opts.includeExternal === true,
        };
        if (ctx.skip("copy image", fields)) return [];
        ctx.o.logger.info("Copy image", ctx.fields(fields));
        const { copyImage } = await import("../ops/copy.ts");
        await ctx.throttle.run(async () => {
          try {
            const c = ctx.o.client;
            await copyImage({ transport: c.transport(src), ref: src }, {
              transport: c.transport(tgt),
              ref: tgt,
            }, {
              digestTags: fields.digestTags,
              forceRecursive: fields.forceRecursive,
              includeExternal: fields.includeExternal,
              referrers: opts.referrers === true,
              ...(platforms && platforms.length > 0 ? { platforms } : {}),
              signal: ctx.o.signal,
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
        const ref = ctx.ref(a[0], 1);
        const file = ctx.str(a[1], 2, "file name");
        const name = commonName(ref);
        if (ctx.skip("export image to a file", { image: name, file })) return [];
        const fs = ctx.files();
        const { openImageExport } = await import("../ops/image_export.ts");
        await ctx.throttle.run(async () => {
          try {
            const tar = await openImageExport(ctx.o.client, [{ ref }], { signal: ctx.o.signal });
            const tmp = await fs.writeTemp(_dirOf(file), tar, {
              signal: ctx.o.signal,
              prefix: ".ocictl.",
            });
            await fs.rename(tmp, file);
          } catch (err) {
            throw new _LuaRaise(`Failed to export image "${name}" to "${file}": ${_message(err)}`);
          }
        });
        return [];
      },
      image_importTar: async (a) => {
        const ref = ctx.ref(a[0], 1);
        const file = ctx.str(a[1], 2, "file name");
        const name = commonName(ref);
        if (ctx.skip("import image from a file", { image: name, file })) return [];
        const fs = ctx.files();
        const { importImage } = await import("../ops/image_import.ts");
        await ctx.throttle.run(async () => {
          try {
            const tar = await fs.open(file);
            await importImage(ctx.o.client.transport(ref), ref, tar, {
              fs,
              signal: ctx.o.signal,
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
        const ref = ctx.ref(a[0], 1);
        const limit = typeof a[1] === "number" ? a[1] : Number.NaN;
        if (!Number.isFinite(limit)) throw new _LuaRaise("bad argument #2 (number expected)");
        const poll = ctx.duration(a[2], "5m", "rate limit frequency");
        const timeout = ctx.duration(a[3], "6h", "timeout");
        const end = Date.now() + timeout;
        for (;;) {
          let rl: RateLimit;
          try {
            await ctx.o.client.manifestHead(ref, ctx.call());
            rl = ctx.rateLimit();
          } catch (err) {
            throw new _LuaRaise(`Failed checking "${commonName(ref)}" manifest: ${_message(err)}`);
          }
          if (!rl.Set || rl.Remain >= limit) return [true];
          if (Date.now() + poll > end) return [false];
          ctx.o.logger.info(
            "Delaying for ratelimit",
            ctx.fields({ image: commonName(ref), current: rl.Remain, target: limit }),
          );
          await ctx.sleep(poll);
        }
      },
    },
  };
}

/**
 * The Lua side of regbot's API: the `reference`, `repo`, `tag`, `manifest`,
 * `image` and `blob` modules, `log` and `sleep`, written in Lua over two host
 * functions that {@link BotApi} provides (`__ocictl_call` returns a promise,
 * `__ocictl_sync` a value). Objects (references, manifests, configs, blobs)
 * are Lua tables whose state lives on the JS side under an id; manifest and
 * config tables carry their JSON fields under both the JSON and the Go names.
 *
 * @module
 */

import { goFieldNames } from "./lua_go_tables.ts";

const NAMES = goFieldNames();

function _luaTable(m: Map<string, string>): string {
  return `{ ${
    [...m].map(([k, v]) => `[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join(", ")
  } }`;
}

function _luaSet(s: Set<string>): string {
  return `{ ${[...s].map((k) => `[${JSON.stringify(k)}] = true`).join(", ")} }`;
}

/** The Lua prelude run before every bot script. */
export const BOT_PRELUDE: string = String.raw`
local call, sync, await = __ocictl_call, __ocictl_sync, __ocictl_await
__ocictl_call, __ocictl_sync, __ocictl_await = nil, nil, nil
local error, type, select, pairs, ipairs, setmetatable, tostring, rawget, tpack, tunpack =
  error, type, select, pairs, ipairs, setmetatable, tostring, rawget, table.pack, table.unpack

local ID = setmetatable({}, { __mode = "k" })
local ALIAS = setmetatable({}, { __mode = "k" })

local GO = ${_luaTable(NAMES.names)}
local MAPS = ${_luaSet(NAMES.maps)}

-- Adds the Go field names next to the JSON names (the same value), recursively.
local function alias(t)
  if type(t) ~= "table" then return t end
  local added = {}
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "table" and not MAPS[k] then alias(v) end
    local g = type(k) == "string" and GO[k]
    if g and rawget(t, g) == nil then
      t[g] = v
      added[g] = true
    end
  end
  ALIAS[t] = added
  return t
end

-- A copy holding the JSON names only (what :export() reads back).
local function strip(t)
  if type(t) ~= "table" then return t end
  local added = ALIAS[t] or {}
  local out = {}
  for k, v in pairs(t) do
    if not added[k] then
      if type(v) == "table" and not MAPS[k] then out[k] = strip(v) else out[k] = v end
    end
  end
  return out
end

-- Objects cross to JS as {__obj = id}; everything else as is.
local function conv(v)
  local id = type(v) == "table" and ID[v]
  if id then return { __obj = id } end
  return v
end
local function convall(...)
  local n = select("#", ...)
  local a = tpack(...)
  for i = 1, n do a[i] = conv(a[i]) end
  return n, a
end

local wrap

-- Calls a host function and raises its error at the caller's line: every
-- call site is a tail call, so level 2 is the script's frame.
local function invoke(name, ...)
  local n, a = convall(...)
  local r = await(call(name, n, a))
  if r.e ~= nil then error(r.e, 2) end
  local out = r.v or {}
  for i = 1, (r.n or 0) do out[i] = wrap(out[i]) end
  return tunpack(out, 1, r.n or 0)
end
local function invokesync(name, ...)
  local n, a = convall(...)
  local r = sync(name, n, a)
  if r.e ~= nil then error(r.e, 2) end
  local out = r.v or {}
  for i = 1, (r.n or 0) do out[i] = wrap(out[i]) end
  return tunpack(out, 1, r.n or 0)
end
local function api(name)
  return function(...) return invoke(name, ...) end
end
local function apisync(name)
  return function(...) return invokesync(name, ...) end
end

reference, repo, tag, manifest, image, blob = {}, {}, {}, {}, {}, {}
local imageconfig = {}
-- An object the script can no longer reach is released on the JS side too.
local function release(o)
  local id = ID[o]
  if id then sync("release", 1, { id }) end
end
local RefMT = { __index = {}, __tostring = apisync("ref_string"), __name = "reference", __gc = release }
local ManMT = { __index = {}, __tostring = apisync("manifest_string"), __name = "manifest", __gc = release }
local ConfMT = { __index = {}, __tostring = apisync("config_string"), __name = "imageconfig", __gc = release }
local BlobMT = { __index = {}, __name = "blob", __gc = release }

-- Turns {__new = {kind, id, data}} from JS into an object; tables get Go names.
wrap = function(v)
  if type(v) ~= "table" then return v end
  local new = v.__new
  if new == nil then return alias(v) end
  local o
  if new.kind == "reference" then
    o = setmetatable({}, RefMT)
  elseif new.kind == "manifest" then
    o = alias(new.data or {})
    local cfg = rawget(o, "config")
    if type(cfg) == "table" then
      -- m.config is the descriptor and m:config() the image config, as regbot meant.
      setmetatable(cfg, { __call = function(_, self, ...) return invoke("image_config", self, ...) end })
    end
    setmetatable(o, ManMT)
  elseif new.kind == "imageconfig" then
    o = setmetatable(alias(new.data or {}), ConfMT)
  else
    o = setmetatable({}, BlobMT)
  end
  ID[o] = new.id
  return o
end

function log(msg) return invokesync("log", msg) end
-- Lua 5.4's warn would write around the logger: its text goes to the log instead.
function warn(...) return invokesync("log", table.concat({ ... })) end
function sleep(seconds) return invoke("sleep", seconds) end

reference.new = api("reference_new")
reference.close = api("reference_close")
RefMT.__index.close = reference.close
RefMT.__index.tag = apisync("ref_tag")
RefMT.__index.digest = apisync("ref_digest")
reference.__tostring = RefMT.__tostring

repo.ls = api("repo_ls")
tag.ls = api("tag_ls")
tag.delete = api("tag_delete")

manifest.get = api("manifest_get")
manifest.getList = api("manifest_getList")
manifest.head = api("manifest_head")
manifest.put = api("manifest_put")
manifest.delete = api("manifest_delete")
manifest.descriptor = api("manifest_descriptor")
manifest.config = api("image_config")
manifest.ratelimit = api("manifest_ratelimit")
manifest.ratelimitWait = api("image_ratelimitWait")
manifest.__tostring = ManMT.__tostring
manifest.export = function(m)
  if type(m) ~= "table" or getmetatable(m) ~= ManMT then error("bad argument #1 to 'export' (manifest expected)", 2) end
  return invoke("manifest_export", m, strip(m))
end
for _, k in ipairs({ "get", "head", "put", "delete", "descriptor", "config", "ratelimit", "ratelimitWait", "export" }) do
  ManMT.__index[k] = manifest[k]
end
ManMT.__index.getList = manifest.getList

image.config = api("image_config")
image.copy = api("image_copy")
image.exportTar = api("image_exportTar")
image.importTar = api("image_importTar")
image.manifest = manifest.get
image.manifestHead = manifest.head
image.manifestList = manifest.getList
image.ratelimitWait = api("image_ratelimitWait")

imageconfig.export = function(c)
  if type(c) ~= "table" or getmetatable(c) ~= ConfMT then error("bad argument #1 to 'export' (config expected)", 2) end
  return invoke("config_export", c, strip(c))
end
ConfMT.__index.export = imageconfig.export

blob.get = api("blob_get")
blob.head = api("blob_head")
blob.put = api("blob_put")
BlobMT.__index.get = blob.get
BlobMT.__index.head = blob.head
BlobMT.__index.put = blob.put
`;

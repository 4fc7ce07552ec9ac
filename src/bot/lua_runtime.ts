/**
 * The Lua runtime of `ocictl bot`: a fresh Lua 5.4 engine (wasmoon) per
 * script run, sandboxed, with Lua 5.1 compatibility functions, an
 * instruction-count timeout and a memory bound.
 *
 * The sandbox removes `io`, `require`, `dofile`, `loadfile`, `package`,
 * `debug` and every `os` function but `time`, `date` and `clock`; `load`
 * and `loadstring` accept text chunks only. `unsafe` keeps the standard
 * library whole (the 5.1 functions are added either way). Note that
 * wasmoon's `io` and `os` work on its in-memory file system, not the
 * machine's: the sandbox removes them so that scripts do not rely on them.
 *
 * @module
 */
import { type LuaEngine, LuaEventMasks, LuaFactory, type LuaThread } from "wasmoon";
import { ScriptError } from "../errors.ts";

/** Default memory bound of one script run: 64 MiB. */
export const DEFAULT_LUA_MEMORY = 64 * 1024 * 1024;

/** Options of {@link runLua}. */
export interface LuaRunOptions {
  /** The script's name: the chunk name in Lua error messages and in {@link ScriptError}. */
  name: string;
  /** Stop the script after this many milliseconds (0: never). @default 0 */
  timeoutMs?: number | undefined;
  /** Memory bound of the Lua heap in bytes. @default DEFAULT_LUA_MEMORY */
  memoryBytes?: number | undefined;
  /** Keep the whole standard library (no sandbox). @default false */
  unsafe?: boolean | undefined;
  /** Aborted when the run must stop (Ctrl-C); a timeout aborts it too. */
  signal?: AbortSignal | undefined;
  /** JS values set as globals before the prelude runs (API host functions). */
  globals?: Record<string, unknown> | undefined;
  /** Lua code run after the sandbox and before the script (API objects). */
  prelude?: string | undefined;
  /** Where `print` writes (one call per `print`, without the line end). @default discarded */
  print?: ((text: string) => void) | undefined;
}

let _factory: LuaFactory | undefined;

function _luaFactory(): LuaFactory {
  // One wasm module per process; every run gets its own engine (its own Lua state).
  _factory ??= new LuaFactory();
  return _factory;
}

/** The sandbox and compatibility prelude; `__ocictl_timedout` is a JS function. */
function _sandboxLua(unsafe: boolean): string {
  return `
local timedout, select, error, tostring, concat = __ocictl_timedout, select, error, tostring, table.concat
local rawprint = __ocictl_print
__ocictl_timedout, __ocictl_print = nil, nil
print = function(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  rawprint(concat(parts, "\t"))
end
local function stopped(msg)
  return timedout() or msg == "not enough memory"
end
-- A timeout or memory error is not caught by pcall, xpcall or coroutine.resume.
local rawpcall, rawxpcall, rawresume = pcall, xpcall, coroutine.resume
local function check(ok, ...)
  if not ok and stopped((...)) then error((...), 0) end
  return ok, ...
end
pcall = function(...) return check(rawpcall(...)) end
xpcall = function(...) return check(rawxpcall(...)) end
-- Awaiting a JS promise yields the script's own thread. Inside the script's
-- coroutines the promise is passed up through coroutine.resume instead, so
-- host calls work there too; __ocictl_await is that await.
local PROMISE, depth = {}, 0
local tpack, tunpack, rawyield, create = table.pack, table.unpack, coroutine.yield, coroutine.create
local function await(p)
  if depth == 0 then return p:await() end
  return rawyield(PROMISE, p)
end
local function resume(co, ...)
  depth = depth + 1
  local r = tpack(rawresume(co, ...))
  depth = depth - 1
  while r[1] and r[2] == PROMISE do
    local v = await(r[3])
    depth = depth + 1
    r = tpack(rawresume(co, v))
    depth = depth - 1
  end
  return check(tunpack(r, 1, r.n))
end
coroutine.resume = resume
coroutine.wrap = function(f)
  local co = create(f)
  return function(...)
    local r = tpack(resume(co, ...))
    if not r[1] then error(r[2], 0) end
    return tunpack(r, 2, r.n)
  end
end
__ocictl_await = await
-- Lua 5.1 compatibility
unpack = table.unpack
table.getn = function(t) return #t end
table.maxn = function(t)
  local n = 0
  for k in pairs(t) do if type(k) == "number" and k > n then n = k end end
  return n
end
string.gfind = string.gmatch
math.mod = math.fmod
math.pow = function(a, b) return a ^ b end
math.log10 = function(x) return math.log(x, 10) end
local rawload = load
load = function(chunk, name, mode, env)
  if env == nil then return rawload(chunk, name, "t") end
  return rawload(chunk, name, "t", env)
end
loadstring = function(s, name) return rawload(s, name, "t") end
local getupvalue, upvaluejoin, getinfo = debug.getupvalue, debug.upvaluejoin, debug.getinfo
local function envindex(f)
  local i = 1
  while true do
    local name = getupvalue(f, i)
    if name == "_ENV" then return i end
    if name == nil then return nil end
    i = i + 1
  end
end
local function fnof(f, level)
  if type(f) == "function" then return f end
  f = f or 1
  if type(f) ~= "number" or f < 0 then error("bad argument #1 (invalid level)", 3) end
  if f == 0 then return nil end
  local info = getinfo(f + level, "f")
  if info == nil then error("bad argument #1 (invalid level)", 3) end
  return info.func
end
getfenv = function(f)
  local fn = fnof(f, 2)
  if fn == nil then return _G end
  local i = envindex(fn)
  if i == nil then return _G end
  local _, env = getupvalue(fn, i)
  return env
end
setfenv = function(f, t)
  if type(t) ~= "table" then error("bad argument #2 to 'setfenv' (table expected)", 2) end
  local fn = fnof(f, 2)
  if fn == nil then error("setfenv cannot change the global environment in Lua 5.4", 2) end
  local i = envindex(fn)
  if i ~= nil then upvaluejoin(fn, i, function() return t end, 1) end
  return fn
end
${
    unsafe ? "" : `
os = { time = os.time, date = os.date, clock = os.clock }
io, require, dofile, loadfile, package, debug = nil, nil, nil, nil, nil, nil
string.dump = nil
`
  }
`;
}

/**
 * Runs one Lua script in a fresh engine and closes it.
 *
 * @param source the script
 * @param options name, timeout, memory bound, sandbox, API globals and prelude
 * @returns nothing
 * @throws {ScriptError} on a syntax error, a Lua runtime error (with the line),
 *   the timeout or the memory bound
 * @throws {AbortedError} when `signal` was aborted
 *
 * @example A script that fails names its line
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScriptError } from "../errors.ts";
 * import { runLua } from "./lua_runtime.ts";
 * await assert.rejects(
 *   runLua('local x = 1\nerror("no")', { name: "demo" }),
 *   (e) => e instanceof ScriptError && e.line === 2,
 * );
 * ```
 */
export async function runLua(source: string, options: LuaRunOptions): Promise<void> {
  const name = options.name;
  const timeoutMs = options.timeoutMs ?? 0;
  const started = Date.now();
  const deadline = timeoutMs > 0 ? started + timeoutMs : Infinity;
  const timedOut = () => Date.now() > deadline;
  const stopped = () => timedOut() || options.signal?.aborted === true;
  const engine: LuaEngine = await _luaFactory().createEngine({
    enableProxy: false,
    injectObjects: false,
    traceAllocations: true,
  });
  try {
    engine.global.setMemoryMax(options.memoryBytes ?? DEFAULT_LUA_MEMORY);
    const print = options.print;
    engine.global.set("__ocictl_print", (text: unknown) => {
      print?.(String(text));
    });
    engine.global.set("__ocictl_timedout", stopped);
    for (const [k, v] of Object.entries(options.globals ?? {})) engine.global.set(k, v);
    engine.doStringSync(_sandboxLua(options.unsafe === true));
    if (options.prelude) engine.doStringSync(options.prelude);
    const thread = engine.global.newThread();
    try {
      thread.loadString(source, `=${name}`);
    } catch (err) {
      throw _scriptError(name, err, "syntax", false);
    }
    const hook = _installHook(thread, stopped);
    try {
      await thread.run(0);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw _scriptError(name, err, "error", timedOut(), timeoutMs);
    } finally {
      hook.remove();
      thread.close();
    }
  } finally {
    engine.global.close();
  }
}

/** Instructions between two looks at the clock. */
const HOOK_COUNT = 1000;
/** Lua runs at most this long before the event loop gets a turn. */
const SLICE_MS = 20;

/**
 * Compiles a script without running it, to refuse a syntax error before any
 * script of a config runs.
 *
 * @param source the script
 * @param name the script's name
 * @returns nothing
 * @throws {ScriptError} with reason `syntax` and the Lua line
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLuaSyntax } from "./lua_runtime.ts";
 * await checkLuaSyntax("log('fine')", "ok");
 * await assert.rejects(checkLuaSyntax("if then", "bad"));
 * ```
 */
export async function checkLuaSyntax(source: string, name: string): Promise<void> {
  const engine = await _luaFactory().createEngine({
    enableProxy: false,
    injectObjects: false,
    openStandardLibs: false,
  });
  try {
    const thread = engine.global.newThread();
    try {
      thread.loadString(source, `=${name}`);
    } catch (err) {
      throw _scriptError(name, err, "syntax", false);
    } finally {
      thread.close();
    }
  } finally {
    engine.global.close();
  }
}

/**
 * Installs an instruction-count hook on the script's thread: it raises an
 * error once `stopped()` (timeout or abort) and, every {@link SLICE_MS},
 * yields the main chunk so that the event loop runs (signals, timers, other
 * scripts) even while the script computes without calling the API. Yields
 * happen only where Lua allows them and never inside the script's own
 * coroutines. Coroutines inherit the hook.
 */
function _installHook(thread: LuaThread, stopped: () => boolean): { remove(): void } {
  const lua = thread.lua;
  let last = Date.now();
  const pointer = lua.module.addFunction((L: number) => {
    if (stopped()) {
      lua.lua_pushstring(L, "thread timeout exceeded");
      lua.lua_error(L);
      return;
    }
    const now = Date.now();
    if (L === thread.address && now - last >= SLICE_MS && lua.lua_isyieldable(L) !== 0) {
      last = now;
      lua.lua_yieldk(L, 0, 0, null);
    }
  }, "vii");
  lua.lua_sethook(thread.address, pointer, LuaEventMasks.Count, HOOK_COUNT);
  return {
    remove() {
      lua.lua_sethook(thread.address, null, 0, 0);
      lua.module.removeFunction(pointer);
    },
  };
}

function _scriptError(
  name: string,
  err: unknown,
  kind: "error" | "syntax",
  timedOut: boolean,
  timeoutMs = 0,
): ScriptError {
  const raw = err instanceof Error ? err.message : String(err);
  const first = raw.split("\n")[0] ?? raw;
  const prefix = `${name}:`;
  let line: number | undefined;
  let detail = first;
  if (first.startsWith(prefix)) {
    const m = /^(\d+): ?([\s\S]*)$/.exec(first.slice(prefix.length));
    if (m) {
      line = Number(m[1]);
      detail = m[2] ?? "";
    }
  }
  const at = line === undefined ? "" : ` at line ${line}`;
  if (timedOut || /thread timeout exceeded/.test(raw)) {
    return new ScriptError(
      name,
      "timeout",
      `Cannot finish script "${name}": stopped after its timeout of ${timeoutMs} ms${at} (raise "timeout" in the config, or make the script shorter)`,
      line,
      { cause: err },
    );
  }
  if (/not enough memory/.test(first)) {
    return new ScriptError(
      name,
      "memory",
      `Cannot finish script "${name}": it used more memory than allowed${at} (keep fewer values in tables)`,
      line,
      { cause: err },
    );
  }
  if (kind === "syntax") {
    return new ScriptError(
      name,
      "syntax",
      `Cannot load script "${name}": syntax error${at}: ${detail}`,
      line,
      { cause: err },
    );
  }
  return new ScriptError(
    name,
    "error",
    `Cannot finish script "${name}": Lua error${at}: ${detail}`,
    line,
    { cause: err },
  );
}

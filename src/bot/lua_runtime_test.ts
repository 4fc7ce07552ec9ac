import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import { runLua } from "./lua_runtime.ts";

/** Runs a script and returns what it printed. */
async function printed(source: string, unsafe = false): Promise<string[]> {
  const out: string[] = [];
  await runLua(source, { name: "t", unsafe, print: (s) => out.push(s) });
  return out;
}

function isScriptError(reason: string, line?: number) {
  return (e: unknown) =>
    e instanceof ScriptError && e.code === "SCRIPT" && e.reason === reason &&
    e.script === "t" && (line === undefined || e.line === line);
}

Deno.test("runLua() refuses every sandbox escape by default", async () => {
  const escapes = [
    'os.execute("true")',
    'io.open("/etc/passwd")',
    'require("os")',
    'dofile("/etc/passwd")',
    'loadfile("/etc/passwd")',
    "package.loadlib('x', 'y')",
    "debug.getinfo(1)",
    'os.getenv("HOME")',
    'os.remove("/tmp/x")',
    'os.rename("/tmp/x", "/tmp/y")',
    "os.exit(1)",
    "os.tmpname()",
    'io.popen("id")',
    "string.dump(print)",
  ];
  for (const src of escapes) {
    await assert.rejects(runLua(src, { name: "t" }), isScriptError("error", 1), src);
  }
  // Binary chunks cannot be loaded either (bytecode can break out of the VM's checks).
  const out = await printed('local f, err = load("\\27Lua") print(f == nil, err ~= nil)');
  assert.deepEqual(out, ["true\ttrue"]);
  assert.deepEqual(
    await printed("print(type(os.time()), type(os.date('%Y')), type(os.clock()))"),
    ["number\tstring\tnumber"],
  );
});

Deno.test("runLua() keeps the whole library when unsafe", async () => {
  assert.deepEqual(
    await printed(
      "print(io ~= nil, os.execute ~= nil, require ~= nil, debug ~= nil, package ~= nil)",
      true,
    ),
    ["true\ttrue\ttrue\ttrue\ttrue"],
  );
});

Deno.test("runLua() stops an endless loop at its timeout", async () => {
  for (
    const src of [
      "while true do end",
      "local x = 0 repeat x = x + 1 until false",
      // pcall, xpcall and coroutines cannot swallow the timeout
      "while true do pcall(function() while true do end end) end",
      "while true do xpcall(function() while true do end end, function() end) end",
      "local co = coroutine.create(function() while true do end end) while true do coroutine.resume(co) end",
    ]
  ) {
    const t0 = Date.now();
    await assert.rejects(runLua(src, { name: "t", timeoutMs: 150 }), isScriptError("timeout"), src);
    assert.ok(Date.now() - t0 < 5000, `${src} stopped late`);
  }
});

Deno.test("runLua() bounds the memory of one script", async () => {
  await assert.rejects(
    runLua("local t = {} for i = 1, 1e8 do t[i] = string.rep('x', 64) .. i end", {
      name: "t",
      memoryBytes: 4 * 1024 * 1024,
    }),
    isScriptError("memory"),
  );
  // pcall does not hide it
  await assert.rejects(
    runLua("local t = {} pcall(function() for i = 1, 1e8 do t[i] = {i} end end) print('x')", {
      name: "t",
      memoryBytes: 4 * 1024 * 1024,
    }),
    isScriptError("memory"),
  );
});

Deno.test("runLua() reports a runtime error with the script name and line", async () => {
  await assert.rejects(
    runLua("local a = 1\nlocal b = nil\nprint(b.x)\n", { name: "t" }),
    (e) => isScriptError("error", 3)(e) && /"t".*line 3/.test((e as Error).message),
  );
  await assert.rejects(runLua("\n\nerror('stop here')", { name: "t" }), isScriptError("error", 3));
  await assert.rejects(runLua("local = 1", { name: "t" }), isScriptError("syntax", 1));
});

Deno.test("runLua() gives Lua 5.1 scripts what they use", async () => {
  const out = await printed(`
local t = {3, 1, 2}
local a, b, c = unpack(t)
print(a + b + c, table.getn(t), table.maxn(t), math.mod(7, 3), math.pow(2, 3), math.log10(100))
local words = {}
for w in string.gfind("one two three", "%a+") do table.insert(words, w) end
print(table.concat(words, ","))
print(loadstring("return 1 + 1")())
local function g() return marker end
setfenv(g, { marker = "env" })
print(g(), getfenv(g).marker, getfenv(0) == _G, getfenv() == _G)
`);
  assert.deepEqual(out, ["6\t3\t3\t1\t8.0\t2.0", "one,two,three", "2", "env\tenv\ttrue\ttrue"]);
});

Deno.test("runLua() stops an endless loop on abort, without a timeout", async () => {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error("interrupted")), 100);
  const t0 = Date.now();
  await assert.rejects(
    runLua("while true do end", { name: "t", signal: ac.signal }),
    /interrupted/,
  );
  clearTimeout(timer);
  assert.ok(Date.now() - t0 < 5000);
});

Deno.test("runLua() lets the event loop run while a script computes", async () => {
  let ticked = 0;
  const t0 = Date.now();
  const spin = runLua("while true do end", { name: "t", timeoutMs: 400 });
  const tick = new Promise<void>((resolve) =>
    setTimeout(() => {
      ticked = Date.now() - t0;
      resolve();
    }, 30)
  );
  await assert.rejects(spin, isScriptError("timeout"));
  await tick;
  assert.ok(ticked > 0 && ticked < 300, `timer ran after ${ticked} ms`);
});

Deno.test("runLua() keeps coroutines, pcall and sort callbacks intact under the hook", async () => {
  const out = await printed(`
local function heavy() local s = 0 for j = 1, 3e6 do s = s + j end return s end
local co = coroutine.wrap(function() for i = 1, 3 do heavy() coroutine.yield(i) end end)
print(co(), co(), co())
print(pcall(function() return heavy() end))
local t = {}
for i = 1, 2e5 do t[i] = (i * 7919) % 100003 end
table.sort(t, function(a, b) return a < b end)
print(t[1] <= t[2], t[#t - 1] <= t[#t])
`);
  assert.deepEqual(out, ["1\t2\t3", "true\t4500001500000", "true\ttrue"]);
});

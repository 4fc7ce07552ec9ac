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

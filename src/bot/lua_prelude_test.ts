import assert from "node:assert/strict";
import { ScriptError } from "../errors.ts";
import { BOT_PRELUDE } from "./lua_prelude.ts";
import { runLua } from "./lua_runtime.ts";

/** A fake host: records calls, answers from a table of handlers. */
function host(handlers: Record<string, (args: unknown[]) => unknown[] | { e: string }>) {
  const calls: { name: string; args: unknown[] }[] = [];
  const answer = (name: string, n: number, args: unknown) => {
    const a: unknown[] = [];
    for (let i = 1; i <= n; i++) {
      a.push(Array.isArray(args) ? args[i - 1] : (args as Record<string, unknown>)[String(i)]);
    }
    calls.push({ name, args: a });
    const h = handlers[name];
    if (!h) return { e: `no handler for ${name}` };
    const v = h(a);
    return Array.isArray(v) ? { v, n: v.length } : v;
  };
  return {
    calls,
    globals: {
      __ocictl_call: (name: string, n: number, args: unknown) =>
        Promise.resolve(answer(name, n, args)),
      __ocictl_sync: answer,
    },
  };
}

async function run(source: string, h: ReturnType<typeof host>): Promise<string[]> {
  const out: string[] = [];
  await runLua(source, {
    name: "p",
    prelude: BOT_PRELUDE,
    globals: h.globals,
    print: (s) => out.push(s),
  });
  return out;
}

const MANIFEST = {
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:c", size: 2 },
  layers: [{ mediaType: "l", digest: "sha256:l", size: 3 }],
  annotations: { mediaType: "user key, not a field" },
};

Deno.test("BOT_PRELUDE gives manifest tables Go and JSON names, and exports JSON names only", async () => {
  const h = host({
    manifest_get: () => [{ __new: { kind: "manifest", id: 7, data: structuredClone(MANIFEST) } }],
    manifest_export: (a) => {
      exported = a[1];
      return [{ __new: { kind: "manifest", id: 8, data: a[1] } }];
    },
    image_config: (a) => [{ __new: { kind: "imageconfig", id: 9, data: { obj: a[0] } } }],
  });
  let exported: unknown;
  const out = await run(
    `
local m = manifest.get("r")
print(m.SchemaVersion, m.MediaType == m.mediaType, m.Config.Digest, m.Layers[1].Size)
print(m.annotations.mediaType, m.Annotations.MediaType)
m.config.digest = "sha256:edited"
local m2 = m:export()
print(m2.Config.Digest)
local c = m:config()
print(c.obj.__obj)
`,
    h,
  );
  assert.deepEqual(out, [
    "2\ttrue\tsha256:c\t3",
    "user key, not a field\tnil",
    "sha256:edited",
    "7",
  ]);
  // Export sends the manifest object, then the table with JSON names only.
  assert.deepEqual(h.calls[1]?.args[0], { __obj: 7 });
  assert.deepEqual(exported, {
    ...MANIFEST,
    config: { ...MANIFEST.config, digest: "sha256:edited" },
  });
});

Deno.test("BOT_PRELUDE raises host errors at the script's line, for functions and methods", async () => {
  const h = host({
    reference_new: () => [{ __new: { kind: "reference", id: 1 } }],
    tag_ls: () => ({ e: "Failed retrieving tag list: nope" }),
    ref_tag: () => ({ e: "bad tag" }),
  });
  await assert.rejects(
    run('local r = reference.new("x")\n\ntag.ls(r)\n', h),
    (e) =>
      e instanceof ScriptError && e.line === 3 &&
      /Failed retrieving tag list: nope/.test(e.message),
  );
  await assert.rejects(
    run('local r = reference.new("x")\nr:tag("!")\n', h),
    (e) => e instanceof ScriptError && e.line === 2 && /bad tag/.test(e.message),
  );
  // Objects cross to the host as their ids.
  assert.deepEqual(h.calls.find((c) => c.name === "tag_ls")?.args, [{ __obj: 1 }]);
});

Deno.test("BOT_PRELUDE passes nils and extra arguments through by position", async () => {
  const h = host({ manifest_get: (a) => [a.length, a[0] ?? "nil", a[1] ?? "nil"] });
  assert.deepEqual(
    await run('print(manifest.get(nil, "linux/arm64"))\nprint(manifest.get("r"))', h),
    ["2\tnil\tlinux/arm64", "1\tr\tnil"],
  );
});

Deno.test("BOT_PRELUDE host calls work inside the script's coroutines", async () => {
  const h = host({ tag_ls: (a) => [[`${a[0]}:1`, `${a[0]}:2`]] });
  const out = await run(
    `
local function tags(repo)
  return coroutine.wrap(function()
    for _, t in ipairs(tag.ls(repo)) do coroutine.yield(t) end
  end)
end
for t in tags("a") do print(t) end
local co = coroutine.create(function(x)
  local inner = coroutine.wrap(function() return tag.ls("b")[2] end)
  local got = inner()
  coroutine.yield(got)
  return x .. "!"
end)
print(coroutine.resume(co, "done"))
print(coroutine.resume(co))
print(coroutine.status(co))
`,
    h,
  );
  assert.deepEqual(out, ["a:1", "a:2", "true\tb:2", "true\tdone!", "dead"]);
});

import assert from "node:assert/strict";
import { bundleRoots, checkBundle, checkShortCommands, checkWebStreams } from "./check_startup.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("checkShortCommands() names the command, the module and the node: built-in it reaches", async () => {
  const problems = await checkShortCommands(ROOT, [
    { command: "blob get (registry)", roots: ["main.ts", "src/types/hasher.ts"] },
  ]);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(
    problems[0] ?? "",
    /^"blob get \(registry\)" loads src\/types\/hasher\.ts, .*node:crypto/,
  );
});

Deno.test("checkShortCommands() holds for every short command", async () => {
  assert.deepEqual(await checkShortCommands(ROOT), []);
});

Deno.test("checkWebStreams() holds for the short commands, on a layout and on a registry", async () => {
  assert.deepEqual(await checkWebStreams(ROOT), []);
});

Deno.test("checkWebStreams() names a command that uses web streams", async () => {
  // an artifact put reads its file (here stdin) as a stream
  const problems = await checkWebStreams(ROOT, [{ argv: ["artifact", "put", "LAYOUT:art"] }]);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(
    problems[0] ?? "",
    /^"artifact put LAYOUT:art" uses web streams, fetch, Headers or timers: .*ReadableStream/,
  );
});

Deno.test("checkWebStreams() names a registry command whose request goes through fetch", async () => {
  // a blob download streams through Deno's fetch; the short exchanges must not
  const problems = await checkWebStreams(ROOT, [{ argv: ["image", "config", "REGISTRY:v1"] }]);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(
    problems[0] ?? "",
    /^"image config REGISTRY:v1" uses web streams, fetch, Headers or timers: .*\bfetch\b/,
  );
});

Deno.test("checkBundle() holds for every short command in the bundle the binary is built from", async () => {
  assert.deepEqual(await checkBundle(ROOT), []);
});

Deno.test("checkBundle() names a bundled chunk that reaches a node: built-in", async () => {
  const problems = await checkBundle(ROOT, [
    { command: "pull (insecure)", roots: ["main.ts", "src/transport/registry/node_fetch.ts"] },
  ]);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(
    problems[0] ?? "",
    /^"pull \(insecure\), bundled" loads \/.*\/node_fetch-[A-Z0-9]+\.js, .*node:https/,
  );
});

Deno.test("bundleRoots() maps each source root to the chunks that hold its code, and names a root none holds", () => {
  const chunks = {
    "/b/main.js": ["plugins/mod.ts", "main.ts"],
    "/b/chunk-A.js": ["src/cli/fast_parse.ts"],
    "/b/tag-X.js": ["plugins/tag.ts", "plugins/tag_extra.ts"],
    "/b/facade-Y.js": [],
  };
  const ok = bundleRoots(chunks, {
    command: "tag ls",
    roots: ["main.ts", "src/cli/fast_parse.ts", "plugins/tag.ts"],
  });
  assert.deepEqual(ok, { roots: ["/b/main.js", "/b/chunk-A.js", "/b/tag-X.js"], problems: [] });
  const bad = bundleRoots(chunks, {
    command: "tag ls",
    roots: ["main.ts", "plugins/ta", "src/transport/registry/registry_transport.ts"],
  });
  assert.deepEqual(bad.roots, ["/b/main.js"]);
  assert.deepEqual(bad.problems, [
    '"tag ls": no chunk holds plugins/ta',
    '"tag ls": no chunk holds src/transport/registry/registry_transport.ts',
  ]);
});

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
  // a first copy streams its blobs; only the no-op copy must not
  const problems = await checkWebStreams(ROOT, [
    { argv: ["image", "copy", "LAYOUT:v1", "LAYOUT:v2"] },
  ]);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(
    problems[0] ?? "",
    /^"image copy LAYOUT:v1 LAYOUT:v2" uses web streams, fetch or Headers: /,
  );
});

Deno.test("checkWebStreams() names a registry command whose request goes through fetch", async () => {
  // a blob download streams through Deno's fetch; the short exchanges must not
  const problems = await checkWebStreams(ROOT, [{ argv: ["image", "config", "REGISTRY:v1"] }]);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(
    problems[0] ?? "",
    /^"image config REGISTRY:v1" uses web streams, fetch or Headers: .*\bfetch\b/,
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

Deno.test("bundleRoots() maps main.ts and import() targets to chunks, and names a root with none", () => {
  const chunks = ["main.js", "tag-ABC123.js", "chunk-XYZ.js", "tag_list-QQ.js"];
  const ok = bundleRoots("/b", chunks, ["main.ts", "src/cli/fast_parse.ts"], {
    command: "tag ls",
    roots: ["main.ts", "src/cli/fast_parse.ts", "plugins/tag.ts"],
  });
  assert.deepEqual(ok, { roots: ["/b/main.js", "/b/tag-ABC123.js"], problems: [] });
  const bad = bundleRoots("/b", chunks, ["main.ts"], {
    command: "tag ls",
    roots: ["main.ts", "src/transport/registry/registry_transport.ts"],
  });
  assert.deepEqual(bad.problems, [
    '"tag ls": the bundle has no chunk of src/transport/registry/registry_transport.ts',
  ]);
});

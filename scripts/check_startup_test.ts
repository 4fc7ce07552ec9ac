import assert from "node:assert/strict";
import { checkShortCommands, checkWebStreams } from "./check_startup.ts";

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

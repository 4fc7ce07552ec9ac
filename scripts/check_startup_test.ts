import assert from "node:assert/strict";
import { checkShortCommands } from "./check_startup.ts";

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

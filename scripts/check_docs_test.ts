import assert from "node:assert/strict";
import { documentedModules } from "./check_docs.ts";

Deno.test("documentedModules() lists engine and plugin modules, never tests or test helpers", () => {
  const root = new URL("..", import.meta.url).pathname;
  const files = documentedModules(root);
  assert.ok(files.includes("main.ts") && files.includes("src/errors.ts"));
  assert.ok(files.includes("plugins/mod.ts"));
  assert.ok(files.every((f) => !/_test(_helper)?\.ts$/.test(f)));
  assert.ok(files.every((f) => /\.tsx?$/.test(f)));
  assert.ok(files.includes("src/serve/ui/ui.tsx"), "JSX modules are documented too");
});

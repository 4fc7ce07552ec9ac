import assert from "node:assert/strict";
import { lineOfPath, yamlKeyLines } from "./yaml_lines.ts";

Deno.test("yamlKeyLines() maps keys and sequence items to their lines", () => {
  const text = [
    "version: 1",
    "x-base: &base",
    "  type: image",
    "sync:",
    "  - source: a",
    "    <<: *base",
    "    tags:",
    "      allow: [x, y]",
    "  - {source: b, target: c}",
  ].join("\n");
  const lines = yamlKeyLines(text);
  assert.equal(lines.get("version"), 1);
  assert.equal(lines.get("x-base.type"), 3);
  assert.equal(lines.get("sync.0"), 5);
  assert.equal(lines.get("sync.0.source"), 5);
  assert.equal(lines.get("sync.0.tags.allow"), 8);
  assert.equal(lines.get("sync.0.tags.allow.1"), 8);
  assert.equal(lines.get("sync.1.target"), 9);
  assert.equal(lineOfPath(lines, "sync.0.type"), 5);
  assert.equal(lineOfPath(lines, "nothing"), undefined);
});

Deno.test("yamlKeyLines() gives an empty map for text that does not parse", () => {
  assert.equal(yamlKeyLines("a: [").size, 0);
});

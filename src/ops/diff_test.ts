import assert from "node:assert/strict";
import { _rawTar } from "../archive/_raw_tar_test_helper.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { _pushImage, _REPO } from "./_image_test_helper.ts";
import { diffConfigs, diffLayers, diffLines, diffManifests, layerFileList } from "./diff.ts";
import { pushBlobBytes } from "../sample/push_content.ts";
import { MediaType } from "../types/media_type.ts";
import { digestOf } from "../types/digest.ts";

Deno.test("diffLines() returns nothing for equal inputs", () => {
  assert.deepEqual(diffLines(["a", "b"], ["a", "b"]), []);
});

Deno.test("diffLines() makes separate hunks with 3 lines of context by default", () => {
  const a = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];
  const b = ["1", "X", "3", "4", "5", "6", "7", "8", "9", "10", "Y", "12"];
  assert.deepEqual(diffLines(a, b), [
    "@@ -1,5 +1,5 @@",
    "  1",
    "- 2",
    "+ X",
    "  3",
    "  4",
    "  5",
    "@@ -8,5 +8,5 @@",
    "  8",
    "  9",
    "  10",
    "- 11",
    "+ Y",
    "  12",
  ]);
  const full = diffLines(a, b, { contextFull: true });
  assert.equal(full.length, 1 + 12 + 2);
  assert.equal(full[0], "@@ -1,12 +1,12 @@");
  assert.deepEqual(diffLines(a, b, { context: 0 }).slice(0, 3), ["@@ -2,1 +2,1 @@", "- 2", "+ X"]);
  assert.deepEqual(diffLines(a, b, { context: -4 }), diffLines(a, b, { context: 0 }));
});

Deno.test("diffLines() keeps a gap no longer than the context inside one hunk", () => {
  const a = ["a", "b", "c", "d", "e"];
  const b = ["a", "B", "c", "D", "e"];
  assert.deepEqual(diffLines(a, b, { context: 1 }), [
    "@@ -1,5 +1,5 @@",
    "  a",
    "- b",
    "+ B",
    "  c",
    "- d",
    "+ D",
    "  e",
  ]);
});

Deno.test("diffLines() numbers a pure insert or delete from line 1 on both sides", () => {
  assert.deepEqual(diffLines([], ["a"]), ["@@ -1,0 +1,1 @@", "+ a"]);
  assert.deepEqual(diffLines(["a", "b"], []), ["@@ -1,2 +1,0 @@", "- a", "- b"]);
});

Deno.test("diffLines() prefers deleting before inserting and splits hunks at every gap with no context", () => {
  assert.deepEqual(diffLines(["x", "y", "z", "x"], ["z", "y", "x"], { context: 0 }), [
    "@@ -1,2 +1,0 @@",
    "- x",
    "- y",
    "@@ -4,0 +2,1 @@",
    "+ y",
  ]);
});

Deno.test("diffManifests(), diffConfigs() and diffLayers() compare pretty JSON and file lists", async () => {
  const t = new MemoryTransport();
  const a = await _pushImage(t, "a", [await _rawTar([{ name: "f", content: "1" }])], {}, ["one"]);
  const b = await _pushImage(t, "b", [await _rawTar([{ name: "f", content: "2" }])], {}, ["two"]);
  const m = await diffManifests(t, a.ref, b.ref);
  assert.ok(m.some((l) => l.startsWith("- ") && l.includes(a.config.digest)));
  assert.deepEqual(await diffManifests(t, a.ref, a.ref), []);
  const c = await diffConfigs(t, _REPO, a.config.digest, _REPO, b.config.digest);
  assert.ok(c.includes('-       "created_by": "one"'), c.join("\n"));
  const l = await diffLayers(
    t,
    _REPO,
    a.layers[0]?.digest ?? "",
    _REPO,
    b.layers[0]?.digest ?? "",
    { ignoreTimestamp: true },
  );
  assert.equal(l.filter((x) => x.startsWith("- ") || x.startsWith("+ ")).length, 2);
});

Deno.test("layerFileList() prints regctl's lines: Go mode, uid/gid, size, mtime, padded name, digest", async () => {
  const t = new MemoryTransport();
  const a = await _pushImage(t, "a", [
    await _rawTar([{ name: "f", content: "1", mode: 0o4755 }, {
      name: "s",
      type: "symlink",
      linkname: "f",
    }]),
  ]);
  const lines = await layerFileList(t, _REPO, a.layers[0]?.digest ?? "");
  const hash = await digestOf(new TextEncoder().encode("1"));
  assert.deepEqual(lines, [
    `-rwxr-xr-x 0/0        1 1970-01-01T00:00:00Z ${"f".padEnd(40)} ${hash}`,
    `-rw-r--r-- 0/0        0 1970-01-01T00:00:00Z ${"s".padEnd(40)}`,
  ]);
  const noTime = await layerFileList(t, _REPO, a.layers[0]?.digest ?? "", {
    ignoreTimestamp: true,
  });
  assert.equal(noTime[0], `-rwxr-xr-x 0/0        1 ${"f".padEnd(40)} ${hash}`);
});

Deno.test("diffConfigs() re-indents each blob's own bytes as regctl does (order, numbers, escapes kept)", async () => {
  const t = new MemoryTransport();
  const enc = new TextEncoder();
  const a = await pushBlobBytes(
    t,
    _REPO,
    enc.encode('{"z":1.50,"a":{},"l":[],"s":"<&>","n":[1, {"k":"v"}]}'),
    MediaType.OCI_CONFIG,
  );
  const b = await pushBlobBytes(t, _REPO, enc.encode('{"z":2}'), MediaType.OCI_CONFIG);
  const lines = await diffConfigs(t, _REPO, a.digest, _REPO, b.digest, { contextFull: true });
  assert.deepEqual(lines, [
    "@@ -1,12 +1,3 @@",
    "  {",
    '-   "z": 1.50,',
    '-   "a": {},',
    '-   "l": [],',
    '-   "s": "\\u003c\\u0026\\u003e",',
    '-   "n": [',
    "-     1,",
    "-     {",
    '-       "k": "v"',
    "-     }",
    "-   ]",
    '+   "z": 2',
    "  }",
  ]);
});

import assert from "node:assert/strict";
import { ArchiveError } from "./archive_error.ts";
import { Flattener } from "./flatten.ts";
import type { LayerEntryInfo, LayerEntryType } from "./layer_reader.ts";

function e(path: string, type: LayerEntryType = "file", linkname = ""): LayerEntryInfo {
  return {
    path,
    type,
    size: 0,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: undefined,
    linkname,
    ordinal: 0,
  };
}

function flatten(layers: LayerEntryInfo[][]): string[] {
  const f = new Flattener();
  layers.forEach((entries, i) => {
    f.beginLayer(i);
    for (const x of entries) f.add(x);
  });
  return f.entries().map((x) => `${x.path}@${x.layer}`);
}

Deno.test("Flattener hides lower files under a whiteout but keeps same-layer files", () => {
  assert.deepEqual(
    flatten([
      [e("etc", "dir"), e("etc/a"), e("etc/b")],
      [e("etc/.wh.a"), e("etc/c")],
    ]),
    ["etc@0", "etc/b@0", "etc/c@1"],
  );
});

Deno.test("Flattener applies an opaque whiteout to lower layers whatever its position", () => {
  assert.deepEqual(
    flatten([
      [
        e("var", "dir"),
        e("var/cache", "dir"),
        e("var/cache/old"),
        e("var/cache/sub", "dir"),
        e("var/cache/sub/x"),
      ],
      [e("var/cache/new"), e("var/cache/.wh..wh..opq")],
    ]),
    ["var@0", "var/cache@0", "var/cache/new@1"],
  );
});

Deno.test("Flattener removes a whited-out directory with its children", () => {
  assert.deepEqual(flatten([[e("d", "dir"), e("d/x"), e("k")], [e(".wh.d")]]), ["k@0"]);
});

Deno.test("Flattener replaces a directory by a file, dropping its children", () => {
  assert.deepEqual(flatten([[e("d", "dir"), e("d/x")], [e("d")]]), ["d@1"]);
});

Deno.test("Flattener merges directory onto directory, keeping lower children", () => {
  assert.deepEqual(flatten([[e("d", "dir"), e("d/x")], [e("d", "dir"), e("d/y")]]), [
    "d@1",
    "d/x@0",
    "d/y@1",
  ]);
});

Deno.test("Flattener refuses a path through a symlink (symlink escape)", () => {
  assert.throws(
    () => flatten([[e("evil", "symlink", "/etc")], [e("evil/passwd")]]),
    (err: unknown) => err instanceof ArchiveError && err.code === "LAYOUT_INVALID",
  );
});

Deno.test("Flattener refuses a bare .wh. whiteout", () => {
  assert.throws(() => flatten([[e("a/.wh.")]]), ArchiveError);
});

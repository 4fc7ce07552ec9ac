import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ErrorCode, UsageError } from "../errors.ts";
import { MediaType } from "../types/media_type.ts";
import { _decodeTar, _gnuTarList, _gunzip } from "./_tar_test_helper.ts";
import { buildLayer, LAYER_MTIME, type LayerEntry } from "./layer_builder.ts";

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function sampleEntries(): LayerEntry[] {
  return [
    { path: "bin/", type: "dir" },
    { path: "bin/sh", type: "file", content: "#!/bin/sh\n", mode: 0o755 },
    { path: "bin/ash", type: "symlink", linkname: "sh" },
    { path: "bin/hush", type: "hardlink", linkname: "bin/sh" },
    { path: "etc", type: "dir", mode: 0o700 },
    { path: "etc/.wh.gone", type: "file" },
    {
      path: "etc/data.bin",
      type: "file",
      content: new Uint8Array([0, 1, 2, 255]),
      uid: 10,
      gid: 20,
    },
    { path: "var/cache/.wh..wh..opq", type: "file" },
  ];
}

Deno.test("buildLayer() gives the same bytes and digest on every build", async () => {
  const a = await buildLayer(sampleEntries());
  const b = await buildLayer(sampleEntries());
  assert.deepEqual(a.bytes, b.bytes);
  assert.equal(a.descriptor.digest, b.descriptor.digest);
  assert.equal(a.diffId, b.diffId);
});

Deno.test("buildLayer() gives another digest when a file changes", async () => {
  const a = await buildLayer(sampleEntries());
  const changed = sampleEntries();
  changed[1] = { path: "bin/sh", type: "file", content: "#!/bin/bash\n", mode: 0o755 };
  const b = await buildLayer(changed);
  assert.notEqual(a.descriptor.digest, b.descriptor.digest);
  assert.notEqual(a.diffId, b.diffId);
});

Deno.test("buildLayer() descriptor matches the sha256 and length of the gzip bytes", async () => {
  const layer = await buildLayer(sampleEntries());
  assert.equal(layer.descriptor.mediaType, MediaType.OCI_LAYER_GZIP);
  assert.equal(layer.descriptor.digest, sha256(layer.bytes));
  assert.equal(layer.descriptor.size, layer.bytes.byteLength);
  assert.equal(layer.diffId, sha256(_gunzip(layer.bytes)));
  assert.notEqual(layer.diffId, layer.descriptor.digest);
});

Deno.test("buildLayer() writes a gzip header with mtime 0 and OS 255", async () => {
  const { bytes } = await buildLayer(sampleEntries());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x1f, 0x8b, 8, 0]);
  assert.deepEqual([...bytes.subarray(4, 8)], [0, 0, 0, 0]);
  assert.equal(bytes[9], 0xff);
});

Deno.test("buildLayer() with compression none returns the plain tar", async () => {
  const layer = await buildLayer(sampleEntries(), { compression: "none" });
  assert.equal(layer.descriptor.mediaType, MediaType.OCI_LAYER);
  assert.equal(layer.descriptor.digest, sha256(layer.bytes));
  assert.equal(layer.diffId, layer.descriptor.digest);
  const gz = await buildLayer(sampleEntries());
  assert.deepEqual(_gunzip(gz.bytes), layer.bytes);
});

Deno.test("buildLayer() uses the media type it is given", async () => {
  const layer = await buildLayer(sampleEntries(), { mediaType: MediaType.DOCKER_LAYER_GZIP });
  assert.equal(layer.descriptor.mediaType, MediaType.DOCKER_LAYER_GZIP);
});

Deno.test("buildLayer() entries decode strictly with modern-tar and fixed metadata", async () => {
  const layer = await buildLayer(sampleEntries());
  const entries = await _decodeTar(_gunzip(layer.bytes));
  assert.deepEqual(entries.map((e) => e.header.name), [
    "bin/",
    "bin/sh",
    "bin/ash",
    "bin/hush",
    "etc/",
    "etc/.wh.gone",
    "etc/data.bin",
    "var/cache/.wh..wh..opq",
  ]);
  assert.deepEqual(entries.map((e) => e.header.type), [
    "directory",
    "file",
    "symlink",
    "link",
    "directory",
    "file",
    "file",
    "file",
  ]);
  for (const e of entries) {
    assert.equal(e.header.mtime?.getTime(), LAYER_MTIME.getTime(), e.header.name);
    assert.equal(e.header.uname, "");
    assert.equal(e.header.gname, "");
  }
  const byName = new Map(entries.map((e) => [e.header.name, e]));
  assert.equal(new TextDecoder().decode(byName.get("bin/sh")?.data), "#!/bin/sh\n");
  assert.equal(byName.get("bin/sh")?.header.mode, 0o755);
  assert.equal(byName.get("bin/sh")?.header.uid, 0);
  assert.equal(byName.get("bin/")?.header.mode, 0o755);
  assert.equal(byName.get("etc/")?.header.mode, 0o700);
  assert.equal(byName.get("bin/ash")?.header.linkname, "sh");
  assert.equal(byName.get("bin/ash")?.header.mode, 0o777);
  assert.equal(byName.get("bin/hush")?.header.linkname, "bin/sh");
  assert.deepEqual(byName.get("etc/data.bin")?.data, new Uint8Array([0, 1, 2, 255]));
  assert.equal(byName.get("etc/data.bin")?.header.uid, 10);
  assert.equal(byName.get("etc/data.bin")?.header.gid, 20);
  assert.equal(byName.get("etc/.wh.gone")?.data.byteLength, 0);
});

Deno.test("buildLayer() output lists the same paths with GNU tar", async () => {
  const layer = await buildLayer(sampleEntries());
  const decoded = (await _decodeTar(_gunzip(layer.bytes))).map((e) => e.header.name);
  assert.deepEqual(await _gnuTarList(layer.bytes), decoded);
  const verbose = await _gnuTarList(layer.bytes, true);
  assert.equal(verbose.length, decoded.length);
  for (const line of verbose) {
    const owner = line.endsWith("etc/data.bin") ? "10/20" : "0/0";
    assert.match(line, new RegExp(` ${owner} .* 2024-01-01 00:00 `), line);
  }
  assert.ok(verbose.some((l) => l.startsWith("l") && l.endsWith("bin/ash -> sh")));
  assert.ok(verbose.some((l) => l.startsWith("h") && l.endsWith("bin/hush link to bin/sh")));
});

Deno.test("buildLayer() accepts an empty entry list", async () => {
  const layer = await buildLayer([]);
  assert.deepEqual(await _decodeTar(_gunzip(layer.bytes)), []);
});

const badEntries: [string, LayerEntry[]][] = [
  ["an empty path", [{ path: "", type: "file" }]],
  ["an absolute path", [{ path: "/etc/passwd", type: "file" }]],
  ["a .. component", [{ path: "etc/../../x", type: "file" }]],
  ["a . component", [{ path: "./etc", type: "dir" }]],
  ["an empty component", [{ path: "etc//x", type: "file" }]],
  ["a file path ending with /", [{ path: "etc/x/", type: "file" }]],
  ["a duplicate path", [{ path: "etc/a", type: "file" }, { path: "etc/a", type: "file" }]],
  ["a duplicate directory", [{ path: "etc", type: "dir" }, { path: "etc/", type: "dir" }]],
  ["a bare whiteout", [{ path: "etc/.wh.", type: "file" }]],
  ["content on a directory", [{ path: "etc/", type: "dir", content: "x" }]],
  ["a link target on a file", [{ path: "etc/a", type: "file", linkname: "b" }]],
  ["a symlink without target", [{ path: "etc/a", type: "symlink" }]],
  ["a hardlink without target", [{ path: "etc/a", type: "hardlink", linkname: "" }]],
  ["an absolute hardlink target", [{ path: "etc/a", type: "hardlink", linkname: "/etc/b" }]],
  ["a hardlink target with ..", [{ path: "etc/a", type: "hardlink", linkname: "../b" }]],
  ["a mode over 0o7777", [{ path: "etc/a", type: "file", mode: 0o10000 }]],
  ["a fractional mode", [{ path: "etc/a", type: "file", mode: 1.5 }]],
  ["a negative uid", [{ path: "etc/a", type: "file", uid: -1 }]],
  ["a gid too large for ustar", [{ path: "etc/a", type: "file", gid: 0o10000000 }]],
  ["an unknown type", [{ path: "etc/a", type: "fifo" as unknown as LayerEntry["type"] }]],
  ["content that is not bytes", [{
    path: "etc/a",
    type: "file",
    content: 42 as unknown as string,
  }]],
];

for (const [what, entries] of badEntries) {
  Deno.test(`buildLayer() rejects ${what} with UsageError`, async () => {
    await assert.rejects(buildLayer(entries), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.code, ErrorCode.USAGE);
      return true;
    });
  });
}

Deno.test("buildLayer() rejects an unknown compression with UsageError", async () => {
  await assert.rejects(
    buildLayer([], { compression: "zstd" as unknown as "gzip" }),
    (err: unknown) => err instanceof UsageError && err.code === ErrorCode.USAGE,
  );
});

import assert from "node:assert/strict";
import { buildLayer } from "../sample/layer_builder.ts";
import { DigestMismatchError } from "../errors.ts";
import { VerifyStream } from "../verify_stream.ts";
import { digestOf } from "../types/digest.ts";
import { _chunked, _rawTar, _zstd } from "./_raw_tar_test_helper.ts";
import { ArchiveError } from "./archive_error.ts";
import { normalizeEntryPath, walkLayer } from "./layer_reader.ts";

async function list(bytes: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  for await (const e of walkLayer(_chunked(bytes, 300))) {
    out.push(`${e.type} ${e.path}${e.linkname ? ` ${e.linkname}` : ""}`);
  }
  return out;
}

Deno.test("walkLayer() lists a gzip layer's files, links and whiteouts in order", async () => {
  const layer = await buildLayer([
    { path: "bin/", type: "dir" },
    { path: "bin/sh", type: "file", content: "x" },
    { path: "bin/ash", type: "symlink", linkname: "sh" },
    { path: "bin/hush", type: "hardlink", linkname: "bin/sh" },
    { path: "etc/.wh.gone", type: "file" },
  ]);
  assert.deepEqual(await list(layer.bytes), [
    "dir bin",
    "file bin/sh",
    "symlink bin/ash sh",
    "hardlink bin/hush bin/sh",
    "file etc/.wh.gone",
  ]);
});

Deno.test("walkLayer() reads a multi-frame zstd layer and strips ./ prefixes", async () => {
  const tar = await _rawTar([{ name: "./", type: "directory" }, { name: "./a/b", content: "b" }]);
  assert.deepEqual(await list(_zstd(tar, 3)), ["file a/b"]);
});

for (const name of ["../x", "a/../../x", "/abs"]) {
  Deno.test(`walkLayer() refuses the entry ${JSON.stringify(name)} with ArchiveError`, async () => {
    const tar = await _rawTar([{ name: "ok", content: "1" }, { name, content: "evil" }]);
    await assert.rejects(list(tar), (e: unknown) => {
      assert.ok(e instanceof ArchiveError, String(e));
      assert.equal(e.code, "LAYOUT_INVALID");
      return true;
    });
  });
}

Deno.test("walkLayer() refuses a hard link whose target leaves the layer", async () => {
  const tar = await _rawTar([{ name: "h", type: "link", linkname: "../../etc/passwd" }]);
  await assert.rejects(list(tar), ArchiveError);
});

Deno.test("walkLayer() errors with ArchiveError on a truncated tar", async () => {
  const tar = await _rawTar([{ name: "a", content: "x".repeat(2000) }]);
  await assert.rejects(list(tar.subarray(0, 1200)), (e: unknown) => {
    assert.ok(e instanceof ArchiveError, String(e));
    return true;
  });
});

Deno.test("walkLayer() reports the source's digest mismatch after the last entry", async () => {
  const layer = await buildLayer([{ path: "a", type: "file", content: "a" }]);
  const wrong = await digestOf(new TextEncoder().encode("other"));
  const body = _chunked(layer.bytes, 50).pipeThrough(new VerifyStream({ digest: wrong }));
  await assert.rejects(
    (async () => {
      for await (const _ of walkLayer(body)) { /* walk */ }
    })(),
    DigestMismatchError,
  );
});

Deno.test("walkLayer() stops cleanly when the caller breaks early", async () => {
  const layer = await buildLayer([
    { path: "a", type: "file", content: "a" },
    { path: "b", type: "file", content: "b" },
  ]);
  for await (const e of walkLayer(ReadableStream.from([layer.bytes]))) {
    assert.equal(await new Response(e.body).text(), "a");
    break;
  }
});

Deno.test("normalizeEntryPath() strips ./ and trailing slashes", () => {
  assert.equal(normalizeEntryPath("./a//b/"), "a/b");
  assert.equal(normalizeEntryPath("./"), "");
  assert.throws(() => normalizeEntryPath("a/.."), ArchiveError);
});

import assert from "node:assert/strict";
import { _gzip, _rawTar, _zstd } from "../archive/_raw_tar_test_helper.ts";
import { ArchiveError } from "../archive/archive_error.ts";
import { DigestMismatchError, NotFoundError } from "../errors.ts";
import { VerifyStream } from "../verify_stream.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { _pushImage } from "./_image_test_helper.ts";
import { getImageFile, getLayerFile } from "./get_file.ts";

const amd64 = { os: "linux", architecture: "amd64" };

Deno.test("getImageFile() reads the top-most copy from zstd and gzip layers", async () => {
  const t = new MemoryTransport();
  const img = await _pushImage(t, "v1", [
    _gzip(await _rawTar([{ name: "a.txt", content: "old" }, { name: "b.txt", content: "b" }])),
    _zstd(await _rawTar([{ name: "a.txt", content: "new" }]), 2),
  ]);
  const a = await getImageFile(t, img.ref, "/a.txt", amd64);
  assert.equal(await new Response(a.body).text(), "new");
  assert.equal(a.layer, img.layers[1]?.digest);
  const b = await getImageFile(t, img.ref, "b.txt", amd64);
  assert.equal(await new Response(b.body).text(), "b");
});

Deno.test("getImageFile() raises NotFoundError for a missing file and a directory", async () => {
  const t = new MemoryTransport();
  const img = await _pushImage(t, "v1", [
    await _rawTar([{ name: "d/", type: "directory" }, { name: "d/x", content: "x" }]),
  ]);
  await assert.rejects(getImageFile(t, img.ref, "nope", amd64), NotFoundError);
  await assert.rejects(getImageFile(t, img.ref, "d", amd64), NotFoundError);
});

for (const name of ["../x", "/abs"]) {
  Deno.test(`getImageFile() refuses a layer with the entry ${name}`, async () => {
    const t = new MemoryTransport();
    const img = await _pushImage(t, "v1", [await _rawTar([{ name, content: "evil" }])]);
    await assert.rejects(getImageFile(t, img.ref, "x", amd64), (e: unknown) => {
      assert.ok(e instanceof ArchiveError);
      assert.equal(e.code, "LAYOUT_INVALID");
      return true;
    });
  });
}

for (const [name, make] of [["gzip", _gzip], ["zstd", (b: Uint8Array) => _zstd(b)]] as const) {
  Deno.test(`getLayerFile() errors with ArchiveError on a truncated ${name} layer`, async () => {
    const t = new MemoryTransport();
    const full = make(await _rawTar([{ name: "big", content: "z".repeat(5000) }]));
    const img = await _pushImage(t, "v1", [full.subarray(0, full.byteLength - 12)]);
    await assert.rejects(
      getLayerFile(t, img.ref, img.layers[0]?.digest ?? "", "other"),
      ArchiveError,
    );
  });
}

Deno.test("getImageFile() fails when the layer's bytes after the file do not match its digest", async () => {
  const t = new MemoryTransport();
  const good = await _rawTar([{ name: "a.txt", content: "a" }, { name: "b.txt", content: "good" }]);
  const bad = await _rawTar([{ name: "a.txt", content: "a" }, { name: "b.txt", content: "evil" }]);
  const img = await _pushImage(t, "v1", [good]);
  const blobGet: MemoryTransport["blobGet"] = async (ref, digest, options) => {
    const real = await t.blobGet(ref, digest, options);
    if (digest !== img.layers[0]?.digest) return real;
    await real.body.cancel();
    const body = ReadableStream.from([bad]).pipeThrough(
      new VerifyStream({ digest, size: bad.length }),
    );
    return { descriptor: real.descriptor, body };
  };
  const tampering = new Proxy(t, {
    get(target, prop) {
      if (prop === "blobGet") return blobGet;
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const a = await getImageFile(tampering, img.ref, "a.txt", amd64);
  await assert.rejects(new Response(a.body).text(), DigestMismatchError);
});

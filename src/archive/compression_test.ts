import assert from "node:assert/strict";
import { _chunked, _gzip, _zstd } from "./_raw_tar_test_helper.ts";
import { ArchiveError } from "./archive_error.ts";
import { compressor, detectCompression, openDecompressed } from "./compression.ts";

const text = new TextEncoder().encode("ocictl compression test ".repeat(500));

async function roundTrip(bytes: Uint8Array, chunk = 7) {
  const r = await openDecompressed(_chunked(bytes, chunk));
  return { compression: r.compression, bytes: await new Response(r.body).bytes() };
}

Deno.test("detectCompression() tells gzip, zstd and plain data apart by magic bytes", () => {
  assert.equal(detectCompression(_gzip(text)), "gzip");
  assert.equal(detectCompression(_zstd(text)), "zstd");
  assert.equal(detectCompression(text), "none");
  assert.equal(detectCompression(new Uint8Array(0)), "none");
});

Deno.test("openDecompressed() reads multi-member gzip in small chunks", async () => {
  const two = new Uint8Array([..._gzip(text.subarray(0, 100)), ..._gzip(text.subarray(100))]);
  const r = await roundTrip(two);
  assert.equal(r.compression, "gzip");
  assert.deepEqual(r.bytes, text);
});

Deno.test("openDecompressed() reads multi-frame zstd across chunk boundaries", async () => {
  const r = await roundTrip(_zstd(text, 5), 13);
  assert.equal(r.compression, "zstd");
  assert.deepEqual(r.bytes, text);
});

Deno.test("openDecompressed() passes plain and tiny inputs through", async () => {
  assert.deepEqual((await roundTrip(text)).bytes, text);
  assert.deepEqual((await roundTrip(new Uint8Array([1, 2]))).bytes, new Uint8Array([1, 2]));
  assert.deepEqual((await roundTrip(new Uint8Array(0))).bytes, new Uint8Array(0));
});

for (const [name, make] of [["gzip", _gzip], ["zstd", (b: Uint8Array) => _zstd(b)]] as const) {
  Deno.test(`openDecompressed() errors with ArchiveError on truncated ${name}`, async () => {
    const full = make(text);
    const r = await openDecompressed(_chunked(full.subarray(0, full.byteLength - 9), 64));
    await assert.rejects(new Response(r.body).bytes(), (e: unknown) => {
      assert.ok(e instanceof ArchiveError, String(e));
      assert.equal(e.code, "LAYOUT_INVALID");
      return true;
    });
  });
}

Deno.test("compressor() output decompresses back for gzip and zstd", async () => {
  for (const c of ["gzip", "zstd"] as const) {
    const packed = await new Response(_chunked(text, 100).pipeThrough(compressor(c))).bytes();
    assert.equal(detectCompression(packed), c);
    assert.deepEqual((await roundTrip(packed, 50)).bytes, text);
  }
});

import assert from "node:assert/strict";
import { _chunked, _gzip, _zstd } from "./_raw_tar_test_helper.ts";
import { ArchiveError } from "./archive_error.ts";
import { compressor, decompressor, detectCompression, openDecompressed } from "./compression.ts";

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

for (const kind of ["gzip", "zstd"] as const) {
  Deno.test(`decompressor() holds back ${kind} input while its output is not read (bounded memory)`, async () => {
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const packed = await new Response(ReadableStream.from([zeros]).pipeThrough(compressor(kind)))
      .bytes();
    let fed = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (fed >= packed.byteLength) return c.close();
        c.enqueue(packed.subarray(fed, fed + 1024));
        fed += 1024;
      },
    }, { highWaterMark: 0 });
    const reader = source.pipeThrough(decompressor(kind)).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      fed < packed.byteLength / 2,
      `fed ${fed} of ${packed.byteLength} bytes before any read`,
    );
    let total = 0;
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      total += r.value.byteLength;
    }
    assert.ok(total > 60 * 1024 * 1024);
  });
}

Deno.test("compressor() output does not depend on how fast it is read", async () => {
  const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7919) % 251);
  const chunks = () => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < data.byteLength; i += 65536) out.push(data.subarray(i, i + 65536));
    return ReadableStream.from(out);
  };
  for (const c of ["gzip", "zstd"] as const) {
    const fast = await new Response(chunks().pipeThrough(compressor(c))).bytes();
    const slow: Uint8Array[] = [];
    for await (const part of chunks().pipeThrough(compressor(c))) {
      slow.push(part);
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.deepEqual(await new Response(ReadableStream.from(slow)).bytes(), fast, c);
  }
});

Deno.test("decompressor() reads many small zstd frames with skippable frames between them", async () => {
  const skip = new Uint8Array([0x5f, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
  const frames = _zstd(text, 40);
  const data = new Uint8Array([...skip, ...frames, ...skip, ..._zstd(text), ...skip]);
  for (const chunk of [1, 5, 4096]) {
    const out = await new Response(_chunked(data, chunk).pipeThrough(decompressor("zstd"))).bytes();
    assert.deepEqual(out, new Uint8Array([...text, ...text]), `chunks of ${chunk}`);
  }
});

Deno.test("decompressor() errors with ArchiveError on a corrupt zstd block", async () => {
  // a compressed block of text, damaged in its middle; the frame's structure is intact
  const data = _zstd(text).slice();
  for (let i = 40; i < 60; i++) data[i] = data[i]! ^ 0x5a;
  await assert.rejects(
    new Response(_chunked(data, 64).pipeThrough(decompressor("zstd", "layer"))).bytes(),
    (e: unknown) => {
      assert.ok(e instanceof ArchiveError, String(e));
      assert.match(e.message, /^Cannot decompress layer: /);
      return true;
    },
  );
});

Deno.test("decompressor() refuses zstd data followed by bytes that are not a frame", async () => {
  const data = new Uint8Array([..._zstd(text), ...new TextEncoder().encode("trailing")]);
  await assert.rejects(
    new Response(_chunked(data, 100).pipeThrough(decompressor("zstd", "layer"))).bytes(),
    (e: unknown) => e instanceof ArchiveError && /no zstd frame starts at byte/.test(e.message),
  );
});

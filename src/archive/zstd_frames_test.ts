import assert from "node:assert/strict";
import { constants, zstdCompressSync } from "node:zlib";
import { concatBytes } from "../bytes.ts";
import { randomBytes } from "../../tests/registry/_image.ts";
import { ArchiveError } from "./archive_error.ts";
import { ZstdFrameSplitter } from "./zstd_frames.ts";

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

function zstd(bytes: Uint8Array, params: Record<number, number> = {}): Uint8Array {
  return new Uint8Array(zstdCompressSync(bytes, { params }));
}

function skippable(nibble: number, content: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  const view = new DataView(head.buffer);
  view.setUint32(0, 0x184d2a50 + nibble, true);
  view.setUint32(4, content.byteLength, true);
  return concat(head, content);
}

const random = randomBytes(300 * 1024); // incompressible: raw blocks, more than two of 128 KiB
const text = enc.encode("frames and blocks ".repeat(4000)); // compressed blocks
/** Frames of several shapes: checksum, no content size, RLE-friendly zeros, empty. */
const FRAMES: readonly Uint8Array[] = [
  zstd(text),
  zstd(random, { [constants.ZSTD_c_checksumFlag]: 1 }),
  zstd(new Uint8Array(200 * 1024), { [constants.ZSTD_c_contentSizeFlag]: 0 }),
  zstd(new Uint8Array(0)),
  zstd(enc.encode("x"), { [constants.ZSTD_c_checksumFlag]: 1 }),
];

/** Feeds the chunks and returns the frames the segments make up, in order. */
function split(chunks: readonly Uint8Array[]): Uint8Array[] {
  const s = new ZstdFrameSplitter("layer");
  const frames: Uint8Array[] = [];
  let open: Uint8Array[] = [];
  for (const c of chunks) {
    for (const seg of s.push(c)) {
      open.push(seg.bytes.slice());
      if (seg.frameEnd) {
        frames.push(concat(...open));
        open = [];
      }
    }
  }
  s.finish();
  assert.equal(open.length, 0, "bytes after the last frame end");
  assert.equal(s.frames, frames.length);
  return frames;
}

/** Offsets in the frame bytes (skippable frames left out) where frames end. */
function ends(frames: readonly Uint8Array[]): number[] {
  let at = 0;
  return frames.map((f) => at += f.byteLength);
}

/**
 * Checks that the frames are the parts' bytes, cut at least at each part's
 * end (the runtime's encoder may close a part with an extra empty frame).
 */
function assertParts(frames: readonly Uint8Array[], parts: readonly Uint8Array[], what = ""): void {
  assert.deepEqual(concat(...frames), concat(...parts), what);
  const cuts = new Set(ends(frames));
  for (const end of ends(parts)) assert.ok(cuts.has(end), `${what} no frame ends at ${end}`);
}

function rejectsAsArchiveError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ArchiveError, String(e));
    assert.equal(e.code, "LAYOUT_INVALID");
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("ZstdFrameSplitter cuts frames of every shape apart, in one chunk", () => {
  const frames = split([concat(...FRAMES)]);
  assertParts(frames, FRAMES);
  assert.ok(frames.length >= FRAMES.length);
});

Deno.test("ZstdFrameSplitter drops skippable frames anywhere, of any size and magic", () => {
  const data = concat(
    skippable(0, enc.encode("first")),
    FRAMES[0]!,
    skippable(0xf, new Uint8Array(0)),
    skippable(7, random.subarray(0, 70_000)),
    FRAMES[1]!,
    skippable(3, enc.encode("last")),
  );
  assertParts(split([data]), [FRAMES[0]!, FRAMES[1]!]);
});

Deno.test("ZstdFrameSplitter gives the same frames for a split at every offset", () => {
  // small frames, so that every offset lands in each kind of field
  const small = [
    zstd(enc.encode("a".repeat(50))),
    zstd(enc.encode("b"), {
      [constants.ZSTD_c_checksumFlag]: 1,
    }),
    zstd(new Uint8Array(0)),
  ];
  const data = concat(small[0]!, skippable(1, enc.encode("skip")), small[1]!, small[2]!);
  for (let at = 0; at <= data.byteLength; at++) {
    assertParts(split([data.subarray(0, at), data.subarray(at)]), small, `split at ${at}:`);
  }
  const bytes = Array.from(data, (b) => new Uint8Array([b]));
  assertParts(split(bytes), small, "one byte at a time:");
});

Deno.test("ZstdFrameSplitter hands on views of the chunks, not copies", () => {
  const chunk = concat(FRAMES[0]!, FRAMES[4]!);
  const segs = new ZstdFrameSplitter().push(chunk);
  assert.ok(segs.length >= 2);
  for (const seg of segs) assert.equal(seg.bytes.buffer, chunk.buffer);
});

Deno.test("ZstdFrameSplitter.finish() refuses a stream cut anywhere inside a frame", () => {
  const data = concat(FRAMES[0]!, FRAMES[4]!, skippable(2, enc.encode("pad")));
  const valid = new Set(ends(split([data])));
  assert.ok(valid.size >= 2);
  for (let at = 1; at < data.byteLength; at++) {
    if (valid.has(at)) continue;
    const s = new ZstdFrameSplitter("layer");
    s.push(data.subarray(0, at));
    rejectsAsArchiveError(
      () => s.finish(),
      /^Cannot decompress layer: the zstd data ends inside a frame \(the data is truncated/,
    );
  }
});

Deno.test("ZstdFrameSplitter refuses data that is not zstd, and an empty stream", () => {
  rejectsAsArchiveError(
    () => new ZstdFrameSplitter("layer").push(concat(FRAMES[0]!, enc.encode("tail"))),
    new RegExp(`no zstd frame starts at byte ${FRAMES[0]!.byteLength}`),
  );
  const empty = new ZstdFrameSplitter();
  rejectsAsArchiveError(() => empty.finish(), /holds no zstd frame/);
  const onlySkippable = new ZstdFrameSplitter();
  onlySkippable.push(skippable(0, enc.encode("x")));
  rejectsAsArchiveError(() => onlySkippable.finish(), /holds no zstd frame/);
});

Deno.test("ZstdFrameSplitter refuses a reserved header bit, a reserved block type and oversized blocks", () => {
  const magic = [0x28, 0xb5, 0x2f, 0xfd];
  const cases: [number[], RegExp][] = [
    [[...magic, 0x28, 0], /reserved bit/],
    // single segment, 1-byte content size, block header: last, type 3
    [[...magic, 0x20, 5, 0x07, 0, 0], /reserved type 3/],
    // raw block of 128 KiB + 1
    [[...magic, 0x20, 5, 0x09, 0x00, 0x10], /131073 bytes, over the 131072-byte maximum/],
  ];
  for (const [bytes, pattern] of cases) {
    rejectsAsArchiveError(() => new ZstdFrameSplitter().push(new Uint8Array(bytes)), pattern);
  }
});

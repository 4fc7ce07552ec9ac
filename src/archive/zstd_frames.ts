/**
 * Splits a zstd stream into its frames (RFC 8878, section 3.1) without
 * decoding it, so that each frame can go to a fresh decoder: the runtime's
 * native zstd decoder (node:zlib) stops after the first frame of a stream and
 * accepts a truncated frame silently, while layers (zstd:chunked, or our own
 * encoder's empty closing frame) hold many frames.
 *
 * The splitter walks headers only: the frame magic, the frame header
 * descriptor and the optional window, dictionary and content-size fields,
 * then each 3-byte block header (last flag, type, size) and the block's bytes,
 * then the optional 4-byte checksum. Skippable frames (magic `0x184D2A5?`)
 * are dropped. Bytes are handed on as views of the input chunks, never copied.
 *
 * @module
 */
import { ArchiveError } from "./archive_error.ts";

/** A run of bytes of one zstd frame, as a view of an input chunk. */
export interface ZstdSegment {
  /** The bytes (a subarray of the chunk given to {@link ZstdFrameSplitter.push}). */
  bytes: Uint8Array;
  /** True when these bytes end their frame. */
  frameEnd: boolean;
}

/** Magic number of a zstd frame, little-endian. */
const _FRAME_MAGIC = 0xfd2fb528;
/** Magic numbers of skippable frames, with the low 4 bits cleared. */
const _SKIPPABLE_MAGIC = 0x184d2a50;
/** The largest block a frame may hold (RFC 8878, Block_Maximum_Size). */
const _MAX_BLOCK = 128 * 1024;

/** What the splitter reads next. */
const enum _State {
  /** 4 bytes: a frame magic number. */
  Magic,
  /** 1 byte: the frame header descriptor. */
  Descriptor,
  /** 4 bytes: the size of a skippable frame. */
  SkipSize,
  /** 3 bytes: a block header. */
  BlockHeader,
}

/**
 * Walks a zstd stream chunk by chunk and cuts it into frames.
 *
 * @example Two frames in one chunk, then a skippable frame
 * ```ts
 * import assert from "node:assert/strict";
 * import { ZstdFrameSplitter } from "./zstd_frames.ts";
 * // an empty frame: magic, descriptor 0x20 (single segment, 1-byte content size 0),
 * // content size, one last raw block of size 0
 * const empty = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00];
 * const skip = [0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7];
 * const s = new ZstdFrameSplitter();
 * const segs = s.push(new Uint8Array([...empty, ...empty, ...skip]));
 * assert.deepEqual(segs.map((x) => [x.bytes.byteLength, x.frameEnd]), [[9, true], [9, true]]);
 * s.finish();
 * assert.equal(s.frames, 2);
 * ```
 */
export class ZstdFrameSplitter {
  /** Names the data in error messages. */
  readonly #subject: string;
  #state: _State = _State.Magic;
  /** Bytes of the field being read (at most 4). */
  readonly #field = new Uint8Array(4);
  #fieldLength = 0;
  /** Bytes to pass over before the next field (header fields, block bodies, checksums). */
  #skip = 0;
  /** Whether the bytes passed over belong to a skippable frame (dropped). */
  #dropping = false;
  /** Whether the frame ends once {@link #skip} bytes have passed. */
  #endsAfterSkip = false;
  /** Whether the frame carries a checksum after its last block. */
  #checksum = false;
  #frames = 0;
  /** Bytes read before the current chunk, for error messages. */
  #offset = 0;
  /** Bytes read up to the end of the current field, for error messages. */
  #pos = 0;

  /**
   * Creates a splitter.
   *
   * @param subject names the data in error messages (`layer "sha256:…"`)
   */
  constructor(subject = "data") {
    this.#subject = subject;
  }

  /** The number of zstd frames completed so far (skippable frames not counted). */
  get frames(): number {
    return this.#frames;
  }

  /**
   * Reads the next chunk of the stream.
   *
   * @param chunk the next bytes of the stream
   * @returns the frame bytes in the chunk, in order, as views of it; a
   *   segment with `frameEnd` closes its frame (skippable frames are left out)
   * @throws {ArchiveError} on bytes that are not a zstd frame or a reserved block type
   */
  push(chunk: Uint8Array): ZstdSegment[] {
    const out: ZstdSegment[] = [];
    /** Start of the bytes not yet handed on (or dropped). */
    let start = 0;
    let at = 0;
    /** Where this frame's magic starts in the chunk (-1: in an earlier chunk). */
    let magicAt = this.#fieldLength > 0 ? -1 : 0;
    while (at < chunk.byteLength) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.byteLength - at);
        at += n;
        this.#skip -= n;
        if (this.#dropping) start = at;
        if (this.#skip > 0) break;
        if (this.#dropping) {
          this.#dropping = false;
          this.#state = _State.Magic;
        } else if (this.#endsAfterSkip) {
          out.push({ bytes: chunk.subarray(start, at), frameEnd: true });
          start = at;
          this.#endFrame();
        }
        continue;
      }
      if (this.#state === _State.Magic && this.#fieldLength === 0) {
        start = at;
        magicAt = at;
      }
      this.#field[this.#fieldLength++] = chunk[at++]!;
      if (this.#fieldLength < this.#need()) continue;
      this.#fieldLength = 0;
      const state = this.#state;
      this.#pos = this.#offset + at;
      const ended = this.#read();
      if (state === _State.Magic && this.#state === _State.Descriptor && magicAt < 0) {
        // the magic began in an earlier chunk, whose bytes were held back
        out.push({ bytes: this.#field.slice(0, 4 - at), frameEnd: false });
      }
      if (this.#state === _State.SkipSize || this.#dropping) {
        start = at; // a skippable frame's magic and size are dropped too
      }
      if (ended) {
        out.push({ bytes: chunk.subarray(start, at), frameEnd: true });
        start = at;
        this.#endFrame();
      }
    }
    const between = this.#state === _State.Magic || this.#state === _State.SkipSize;
    if (!between && !this.#dropping && at > start) {
      out.push({ bytes: chunk.subarray(start, at), frameEnd: false });
    }
    this.#offset += chunk.byteLength;
    return out;
  }

  /**
   * Checks that the stream ended between frames.
   *
   * @throws {ArchiveError} when the stream ends inside a frame or holds no frame
   */
  finish(): void {
    const idle = this.#state === _State.Magic && this.#fieldLength === 0 && this.#skip === 0;
    if (!idle) this.#fail("the zstd data ends inside a frame");
    if (this.#frames === 0) this.#fail("the data holds no zstd frame");
  }

  #need(): number {
    switch (this.#state) {
      case _State.Descriptor:
        return 1;
      case _State.BlockHeader:
        return 3;
      default:
        return 4;
    }
  }

  /**
   * Interprets the field just read and sets what comes next.
   *
   * @returns whether the frame ended with this field
   */
  #read(): boolean {
    const f = this.#field;
    switch (this.#state) {
      case _State.Magic: {
        const magic = (f[0]! | f[1]! << 8 | f[2]! << 16 | f[3]! << 24) >>> 0;
        if (magic === _FRAME_MAGIC) this.#state = _State.Descriptor;
        else if ((magic & 0xfffffff0) >>> 0 === _SKIPPABLE_MAGIC) this.#state = _State.SkipSize;
        else this.#fail(`no zstd frame starts at byte ${this.#pos - 4}`);
        return false;
      }
      case _State.SkipSize: {
        this.#skip = (f[0]! | f[1]! << 8 | f[2]! << 16 | f[3]! << 24) >>> 0;
        this.#dropping = true;
        if (this.#skip === 0) {
          this.#dropping = false;
          this.#state = _State.Magic;
        }
        return false;
      }
      case _State.Descriptor: {
        const d = f[0]!;
        if (d & 0x08) this.#fail("a zstd frame header sets its reserved bit");
        const singleSegment = (d & 0x20) !== 0;
        const fcsFlag = d >> 6;
        const fcs = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
        const dictionary = [0, 1, 2, 4][d & 0x03]!;
        this.#checksum = (d & 0x04) !== 0;
        this.#skip = (singleSegment ? 0 : 1) + dictionary + fcs;
        this.#endsAfterSkip = false;
        this.#state = _State.BlockHeader;
        return false;
      }
      case _State.BlockHeader: {
        const h = f[0]! | f[1]! << 8 | f[2]! << 16;
        const last = (h & 1) !== 0;
        const type = (h >> 1) & 3;
        const size = h >>> 3;
        if (type === 3) this.#fail("a zstd block has the reserved type 3");
        if (type !== 1 && size > _MAX_BLOCK) {
          this.#fail(`a zstd block is ${size} bytes, over the ${_MAX_BLOCK}-byte maximum`);
        }
        // an RLE block holds one byte, repeated `size` times
        this.#skip = (type === 1 ? 1 : size) + (last && this.#checksum ? 4 : 0);
        this.#endsAfterSkip = last;
        // a last empty raw block without checksum ends the frame at once
        return last && this.#skip === 0;
      }
    }
    return false;
  }

  #endFrame(): void {
    this.#frames++;
    this.#state = _State.Magic;
    this.#endsAfterSkip = false;
  }

  #fail(reason: string): never {
    throw new ArchiveError(
      this.#subject,
      `Cannot decompress ${this.#subject}: ${reason} (the data is truncated or corrupt)`,
    );
  }
}

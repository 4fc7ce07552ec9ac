/**
 * Sets the times inside a tar as it streams, without changing its length:
 * the octal `mtime` of each header block is rewritten (checksum updated),
 * and `mtime`/`atime`/`ctime` PAX records are rewritten when the new value
 * fits the old record's width.
 *
 * @module
 */
import { ArchiveError } from "../archive/archive_error.ts";
import { adjustTime } from "./time_option.ts";

const BLOCK = 512;
const PAX_LIMIT = 1024 * 1024;

/** The time to set inside the tar. */
export interface TarTimePatch {
  /** The time to set. */
  set: Date;
  /** Only times after this one change. */
  after?: Date | undefined;
}

function _octal(block: Uint8Array, at: number, len: number): number {
  if ((block[at]! & 0x80) !== 0) {
    let n = 0;
    for (let i = at + 1; i < at + len; i++) n = n * 256 + block[i]!;
    return n;
  }
  const s = new TextDecoder().decode(block.subarray(at, at + len)).replace(/[\0 ]+$/g, "").trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function _writeChecksum(block: Uint8Array): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  const s = sum.toString(8).padStart(6, "0");
  block.set(new TextEncoder().encode(s), 148);
  block[154] = 0;
  block[155] = 0x20;
}

function _patchHeader(block: Uint8Array, p: TarTimePatch): void {
  if ((block[136]! & 0x80) !== 0) return;
  const mtime = _octal(block, 136, 12);
  const t = adjustTime(new Date(mtime * 1000), p.set, p.after);
  if (t === undefined) return;
  const secs = Math.floor(t.getTime() / 1000);
  if (secs < 0 || secs > 0o77777777777) return;
  block.set(new TextEncoder().encode(secs.toString(8).padStart(11, "0")), 136);
  block[147] = 0;
  _writeChecksum(block);
}

function _patchPax(data: Uint8Array, p: TarTimePatch): Uint8Array {
  const text = new TextDecoder().decode(data);
  let at = 0;
  let out = "";
  while (at < text.length) {
    const space = text.indexOf(" ", at);
    const len = space < 0 ? NaN : parseInt(text.slice(at, space), 10);
    if (!(len > 0) || at + len > text.length) {
      out += text.slice(at);
      break;
    }
    const record = text.slice(at, at + len);
    const body = record.slice(space - at + 1, -1);
    const eq = body.indexOf("=");
    const key = body.slice(0, eq);
    const value = body.slice(eq + 1);
    let next = record;
    if (key === "mtime" || key === "atime" || key === "ctime") {
      const t = adjustTime(new Date(Number(value) * 1000), p.set, p.after);
      if (t !== undefined && Number.isFinite(Number(value))) {
        let v = String(Math.floor(t.getTime() / 1000));
        if (v.length < value.length) v = (v + ".").padEnd(value.length, "0");
        if (v.length === value.length) next = record.replace(`${key}=${value}`, `${key}=${v}`);
      }
    }
    out += next;
    at += len;
  }
  const bytes = new TextEncoder().encode(out);
  return bytes.byteLength === data.byteLength ? bytes : data;
}

/**
 * A transform that sets the times inside a tar (same length out as in).
 *
 * @param patch the time to set and the time after which times change
 * @returns the transform; it errors with {@link ArchiveError} on a PAX header over 1 MiB
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packTar } from "modern-tar";
 * import { patchTarTimes } from "./tar_time_patch.ts";
 * const tar = await packTar([{ header: { name: "a", size: 1, mtime: new Date(5000) }, body: "a" }]);
 * const out = new Uint8Array(await new Response(
 *   ReadableStream.from([tar]).pipeThrough(patchTarTimes({ set: new Date(0) })),
 * ).arrayBuffer());
 * assert.equal(out.byteLength, tar.byteLength);
 * ```
 */
export function patchTarTimes(patch: TarTimePatch): TransformStream<Uint8Array, Uint8Array> {
  let pending = new Uint8Array(0);
  let passRemaining = 0;
  let paxRemaining = -1;
  let paxBlocks: Uint8Array[] = [];
  const process = (controller: TransformStreamDefaultController<Uint8Array>) => {
    let at = 0;
    while (at < pending.byteLength) {
      if (passRemaining > 0) {
        const n = Math.min(passRemaining, pending.byteLength - at);
        controller.enqueue(pending.slice(at, at + n));
        passRemaining -= n;
        at += n;
        continue;
      }
      if (pending.byteLength - at < BLOCK) break;
      const block = pending.slice(at, at + BLOCK);
      at += BLOCK;
      if (paxRemaining >= 0) {
        paxBlocks.push(block);
        paxRemaining -= BLOCK;
        if (paxRemaining <= 0) {
          const all = new Uint8Array(paxBlocks.length * BLOCK);
          paxBlocks.forEach((b, i) => all.set(b, i * BLOCK));
          const size = paxBlocks.length * BLOCK + paxRemaining;
          const patched = _patchPax(all.subarray(0, size), patch);
          all.set(patched, 0);
          controller.enqueue(all);
          paxBlocks = [];
          paxRemaining = -1;
        }
        continue;
      }
      if (block.every((b) => b === 0)) {
        controller.enqueue(block);
        continue;
      }
      const type = String.fromCharCode(block[156]!);
      const size = _octal(block, 124, 12);
      _patchHeader(block, patch);
      controller.enqueue(block);
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if ((type === "x" || type === "g") && size > 0) {
        if (size > PAX_LIMIT) {
          throw new ArchiveError(
            "tar",
            `Cannot set times in the nested tar: a PAX header is over 1 MiB`,
          );
        }
        paxRemaining = size;
      } else if (!["1", "2", "3", "4", "5", "6"].includes(type)) {
        passRemaining = padded;
      }
    }
    pending = pending.slice(at);
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const joined = new Uint8Array(pending.byteLength + chunk.byteLength);
      joined.set(pending, 0);
      joined.set(chunk, pending.byteLength);
      pending = joined;
      process(controller);
    },
    flush(controller) {
      if (pending.byteLength > 0) controller.enqueue(pending);
    },
  });
}

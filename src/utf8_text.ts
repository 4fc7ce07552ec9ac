/**
 * UTF-8 text to and from bytes (JSON bodies, `index.json`, manifests, output
 * lines) with a fast path for ASCII. A process's first `TextDecoder` costs a
 * short command 0.5–1 ms of start-up and its first `TextEncoder` 0.3–0.4 ms
 * (measured on a 2-core VM); the JSON a registry or a layout holds and the
 * lines ocictl prints are nearly always plain ASCII, which needs neither.
 *
 * @module
 */

/** Longest input the ASCII path takes; longer text goes to `TextDecoder`. */
const _ASCII_MAX = 64 * 1024;

/** Characters passed to one `String.fromCharCode` call (under engines' argument limits). */
const _PIECE = 8192;

/**
 * Decodes UTF-8 bytes as `new TextDecoder("utf-8", { fatal }).decode(bytes)`
 * does: ASCII input is converted directly, anything else goes to the
 * decoder (which also drops a leading byte order mark).
 *
 * @param bytes the text's bytes
 * @param fatal throw on invalid UTF-8 instead of inserting U+FFFD
 * @returns the text
 * @throws {TypeError} when `fatal` and the bytes are not valid UTF-8
 *
 * @example ASCII and non-ASCII text
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Text } from "./utf8_text.ts";
 * assert.equal(utf8Text(new TextEncoder().encode('{"tags":["v1"]}')), '{"tags":["v1"]}');
 * assert.equal(utf8Text(new TextEncoder().encode("café")), "café");
 * ```
 */
export function utf8Text(bytes: Uint8Array, fatal = false): string {
  if (bytes.length <= _ASCII_MAX && _isAscii(bytes)) {
    let out = "";
    for (let at = 0; at < bytes.length; at += _PIECE) {
      out += String.fromCharCode.apply(
        null,
        bytes.subarray(at, at + _PIECE) as unknown as number[],
      );
    }
    return out;
  }
  return new TextDecoder("utf-8", { fatal }).decode(bytes);
}

function _isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/**
 * Encodes text as UTF-8, as `new TextEncoder().encode(text)` does: ASCII
 * text is copied directly, anything else goes to the encoder.
 *
 * @param text the text
 * @returns its UTF-8 bytes
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Bytes } from "./utf8_text.ts";
 * assert.deepEqual(utf8Bytes("v1\n"), new Uint8Array([0x76, 0x31, 0x0a]));
 * assert.equal(utf8Bytes("é").length, 2);
 * ```
 */
export function utf8Bytes(text: string): Uint8Array {
  if (text.length <= _ASCII_MAX) {
    const out = new Uint8Array(text.length);
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) break;
      out[i] = c;
    }
    if (i === text.length) return out;
  }
  return (_encoder ??= new TextEncoder()).encode(text);
}

let _encoder: TextEncoder | undefined;

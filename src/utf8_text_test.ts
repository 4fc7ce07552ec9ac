import assert from "node:assert/strict";
import fc from "fast-check";
import { utf8Bytes, utf8Text } from "./utf8_text.ts";

Deno.test("utf8Text() decodes as TextDecoder does, ASCII or not, fatal or not", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ minLength: 0, maxLength: 20, min: 0x20, max: 0x7e }),
      fc.boolean(),
      (raw, ascii, fatal) => {
        for (const bytes of [raw, ascii]) {
          let want: string | TypeError;
          try {
            want = new TextDecoder("utf-8", { fatal }).decode(bytes);
          } catch (err) {
            want = err as TypeError;
          }
          if (want instanceof TypeError) assert.throws(() => utf8Text(bytes, fatal), TypeError);
          else assert.equal(utf8Text(bytes, fatal), want);
        }
      },
    ),
  );
});

Deno.test("utf8Text() handles long ASCII, a byte order mark and invalid bytes", () => {
  const long = "a".repeat(70_000) + "b".repeat(10_000);
  assert.equal(utf8Text(new TextEncoder().encode(long)), long);
  const mid = "x".repeat(20_000);
  assert.equal(utf8Text(new TextEncoder().encode(mid)), mid);
  assert.equal(utf8Text(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), "A");
  assert.equal(utf8Text(new Uint8Array([0x41, 0xff])), "A\ufffd");
  assert.throws(() => utf8Text(new Uint8Array([0x41, 0xff]), true), TypeError);
  assert.equal(utf8Text(new Uint8Array()), "");
});

Deno.test("utf8Bytes() encodes as TextEncoder does, surrogates and long text included", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.boolean(), (text, ascii) => {
      const t = ascii ? text.replace(/[\u0080-\uffff]/g, "a") : text;
      assert.deepEqual(utf8Bytes(t), new TextEncoder().encode(t));
    }),
  );
  const lone = "a\ud800b";
  assert.deepEqual(utf8Bytes(lone), new TextEncoder().encode(lone));
  const long = "z".repeat(70_000);
  assert.deepEqual(utf8Bytes(long), new TextEncoder().encode(long));
  assert.deepEqual(utf8Bytes(""), new Uint8Array());
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { InvalidDigestError } from "../errors.ts";
import {
  digestOf,
  hasherFor,
  isDigest,
  loadHasher,
  parseDigest,
  SMALL_HASH_BYTES,
} from "./digest.ts";
import { createHasher } from "./hasher.ts";

const HEX64 = "0123456789abcdef".repeat(4);
const HEX128 = HEX64 + HEX64;

Deno.test("parseDigest() accepts sha256 and sha512", () => {
  assert.equal(parseDigest(`sha256:${HEX64}`).algorithm, "sha256");
  assert.equal(parseDigest(`sha512:${HEX128}`).hex, HEX128);
});

const bad = [
  "",
  "sha256",
  "sha256:",
  `sha256:${HEX64.toUpperCase()}`,
  `sha256:${HEX64}0`,
  `sha256:${HEX64.slice(1)}`,
  `sha512:${HEX64}`,
  `md5:${HEX64}`,
  "sha256:../../etc/passwd",
  `sha256:../${HEX64.slice(3)}`,
  `sha256/${HEX64}`,
  `SHA256:${HEX64}`,
  ` sha256:${HEX64}`,
  `sha256:${HEX64}\n`,
];
for (const input of bad) {
  Deno.test(`parseDigest() rejects ${JSON.stringify(input)}`, () => {
    assert.throws(() => parseDigest(input), (e: unknown) => {
      assert.ok(e instanceof InvalidDigestError);
      assert.equal(e.code, "INVALID_DIGEST");
      return true;
    });
    assert.equal(isDigest(input), false);
  });
}

Deno.test("digestOf() matches node:crypto for both algorithms", async () => {
  const data = new TextEncoder().encode("ocictl");
  assert.equal(await digestOf(data), `sha256:${createHash("sha256").update(data).digest("hex")}`);
  assert.equal(
    await digestOf(data, "sha512"),
    `sha512:${createHash("sha512").update(data).digest("hex")}`,
  );
});

Deno.test("createHasher() gives the same digest when fed in pieces", async () => {
  const data = new TextEncoder().encode("hello world, in pieces");
  const h = createHasher();
  h.update(data.subarray(0, 5));
  h.update(data.subarray(5));
  assert.equal(h.digest(), await digestOf(data));
});

Deno.test("loadHasher() gives the streaming hasher, which agrees with digestOf() for sha512", async () => {
  const data = new TextEncoder().encode("x".repeat(200_000));
  const h = (await loadHasher())("sha512");
  h.update(data.subarray(0, 1));
  h.update(data.subarray(1));
  assert.equal(h.digest(), await digestOf(data, "sha512"));
});

Deno.test("hasherFor() agrees with digestOf() on both sides of SMALL_HASH_BYTES, fed in pieces", async () => {
  for (const size of [0, 1, 1000, SMALL_HASH_BYTES, SMALL_HASH_BYTES + 1]) {
    const data = new Uint8Array(size).map((_, i) => (i * 7 + size) & 0xff);
    for (const algorithm of ["sha256", "sha512"] as const) {
      const h = await hasherFor(algorithm, size);
      const cut = Math.floor(size / 3);
      h.update(data.subarray(0, cut));
      h.update(data.subarray(cut));
      assert.equal(await h.digest(), await digestOf(data, algorithm), `${algorithm} ${size}`);
    }
  }
});

Deno.test("hasherFor() keeps a copy of small pieces, so a reused buffer does not change the digest", async () => {
  const data = new TextEncoder().encode("abcdef");
  const h = await hasherFor("sha256", data.byteLength);
  const buffer = new Uint8Array(3);
  buffer.set(data.subarray(0, 3));
  h.update(buffer);
  buffer.set(data.subarray(3));
  h.update(buffer);
  buffer.fill(0);
  assert.equal(await h.digest(), await digestOf(data));
});

Deno.test("hasherFor() refuses more bytes than the small size it was made for", async () => {
  const h = await hasherFor("sha256", 2);
  h.update(new Uint8Array(2));
  assert.throws(() => h.update(new Uint8Array(1)), RangeError);
});

Deno.test("hasherFor() with fewer bytes than expected hashes what it got (callers check the count)", async () => {
  const data = new TextEncoder().encode("short");
  const h = await hasherFor("sha256", 100);
  h.update(data);
  assert.equal(await h.digest(), await digestOf(data));
});

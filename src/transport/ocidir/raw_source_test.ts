import assert from "node:assert/strict";
import { AbortedError, ErrorCode } from "../../errors.ts";
import { digestOf } from "../../types/digest.ts";
import type { Ref } from "../../types/ref.ts";
import type { ByteSource } from "../byte_source.ts";
import type { RawBlob } from "../transport.ts";
import { blobPath } from "./layout.ts";
import { OciDirTransport } from "./ocidir_transport.ts";
import { denoFileSystem } from "./file_system.ts";
import { pathExists, strayBlobFiles } from "../../../tests/_files.ts";
import { badBodies } from "./_ocidir_test_helper.ts";
import { randomBytes } from "../../../tests/registry/_image.ts";
import { bytesSource } from "../../../tests/_byte_source.ts";

function layout(path: string): Ref {
  return { scheme: "ocidir", registry: "", repository: "", path, tag: "", digest: "" };
}

const sourceOf = (bytes: Uint8Array, piece = 300 * 1024) => bytesSource(bytes, piece);

/** A raw blob read through `source` only: asking for its body fails the test. */
function rawOf(digest: string, size: number, source: ByteSource): RawBlob {
  return {
    digest,
    size,
    source,
    get body(): ReadableStream<Uint8Array> {
      throw new Error("the body stream was asked for");
    },
  };
}

/** `size` random bytes, their digest, and a byte source over them. */
async function seeded(size: number, seed: number) {
  const bytes = randomBytes(size, seed);
  return { bytes, digest: await digestOf(bytes), inner: sourceOf(bytes) };
}

async function withLayout(fn: (t: OciDirTransport, dir: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawsource_" });
  const t = new OciDirTransport();
  try {
    await fn(t, `${root}/a`);
  } finally {
    await t.close();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("OciDirTransport takes byte sources", () => {
  assert.equal(new OciDirTransport().takesByteSources, true);
});

// Large enough to be flushed in the background on the way (over 16 MiB), and
// small enough to be hashed with Web Crypto.
for (const size of [17 * 1024 * 1024 + 4321, 1000, 0]) {
  Deno.test(`OciDirTransport.blobPutRaw() stores a byte source's bytes, checked, without a stream (${size} bytes)`, async () => {
    await withLayout(async (t, a) => {
      const bytes = randomBytes(size, 11);
      const digest = await digestOf(bytes);
      const seen: number[] = [];
      const desc = await t.blobPutRaw(layout(a), rawOf(digest, size, sourceOf(bytes)), {
        onProgress: (n) => seen.push(n),
      });
      assert.deepEqual(desc, { mediaType: "application/octet-stream", digest, size });
      assert.deepEqual(await Deno.readFile(blobPath(a, digest)), bytes);
      assert.equal(seen.at(-1) ?? 0, size);
      assert.ok(seen.every((n, i) => i === 0 || n > seen[i - 1]!));
      assert.deepEqual(await strayBlobFiles(a), []);
      assert.ok(await pathExists(`${a}/oci-layout`));
    });
  });
}

Deno.test("OciDirTransport.blobPutRaw() refuses a byte source with wrong, long, short or no bytes; nothing stored", async () => {
  await withLayout(async (t, a) => {
    for (const size of [2 * 1024 * 1024 + 17, 5000]) {
      const bytes = randomBytes(size, 12);
      const digest = await digestOf(bytes);
      const cases = badBodies(bytes, 1);
      for (const [name, body, check] of cases) {
        const source = sourceOf(body);
        await assert.rejects(t.blobPutRaw(layout(a), rawOf(digest, size, source)), check, name);
        assert.equal(source.cancels, 1, `${name}: the source is let go`);
        assert.equal(await pathExists(blobPath(a, digest)), false, name);
        assert.deepEqual(await strayBlobFiles(a), [], name);
      }
    }
  });
});

Deno.test("OciDirTransport.blobPutRaw() with a byte source that fails midway throws its error, nothing left", async () => {
  await withLayout(async (t, a) => {
    const { bytes, digest, inner } = await seeded(3 * 1024 * 1024, 13);
    let reads = 0;
    const boom = new TypeError("the connection closed inside the body");
    const source: ByteSource = {
      read: (p) => ++reads > 3 ? Promise.reject(boom) : inner.read(p),
      cancel: (r) => inner.cancel(r),
    };
    await assert.rejects(
      t.blobPutRaw(layout(a), rawOf(digest, bytes.byteLength, source)),
      (e) => e === boom,
    );
    assert.equal(inner.cancels, 1);
    assert.equal(await pathExists(blobPath(a, digest)), false);
    assert.deepEqual(await strayBlobFiles(a), []);
  });
});

Deno.test("OciDirTransport.blobPutRaw() aborted while a byte source waits throws AbortedError and cancels it", async () => {
  await withLayout(async (t, a) => {
    const { bytes, digest, inner } = await seeded(2 * 1024 * 1024, 14);
    let reads = 0;
    let release: (n: number | null) => void = () => {};
    const ac = new AbortController();
    const source: ByteSource = {
      read(p) {
        if (++reads < 3) return inner.read(p);
        setTimeout(() => ac.abort(), 10);
        return new Promise((resolve) => (release = resolve));
      },
      cancel(r) {
        release(null); // a cancelled source ends its pending read
        return inner.cancel(r);
      },
    };
    await assert.rejects(
      t.blobPutRaw(layout(a), rawOf(digest, bytes.byteLength, source), { signal: ac.signal }),
      (e: unknown) => e instanceof AbortedError && e.code === ErrorCode.ABORTED,
    );
    assert.ok(inner.cancels >= 1);
    assert.equal(await pathExists(blobPath(a, digest)), false);
    assert.deepEqual(await strayBlobFiles(a), []);
  });
});

Deno.test("OciDirTransport.prepareRawPuts() starts no hashing worker, for streams or byte sources", () => {
  let warmed = 0;
  const fs = { ...denoFileSystem, warmHashFile: () => (warmed++, () => {}) };
  const t = new OciDirTransport({ fs });
  t.prepareRawPuts(layout("/nowhere"))();
  t.prepareRawPuts(layout("/nowhere"), { byteSources: true })();
  assert.equal(warmed, 0);
});

Deno.test("OciDirTransport.blobPutRaw() from a byte source into a layout that cannot be made rejects with that error, nothing stored", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawsource_" });
  const dir = `${root}/new`;
  const refused = new Error("cannot lock the layout");
  const t = new OciDirTransport({ fs: { ...denoFileSystem, lock: () => Promise.reject(refused) } });
  try {
    const bytes = randomBytes(2 * 1024 * 1024, 15);
    const source = sourceOf(bytes);
    await assert.rejects(
      t.blobPutRaw(layout(dir), rawOf(await digestOf(bytes), bytes.byteLength, source)),
      (e) => e === refused,
    );
    assert.ok(source.cancels >= 1);
    assert.equal(await pathExists(blobPath(dir, await digestOf(bytes))), false);
    assert.deepEqual(await strayBlobFiles(dir), []);
  } finally {
    await t.close();
    await Deno.remove(root, { recursive: true });
  }
});

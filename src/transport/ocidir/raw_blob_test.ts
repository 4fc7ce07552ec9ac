import assert from "node:assert/strict";
import {
  AbortedError,
  DigestMismatchError,
  ErrorCode,
  NotFoundError,
  SizeMismatchError,
} from "../../errors.ts";
import { digestOf } from "../../types/digest.ts";
import type { Ref } from "../../types/ref.ts";
import type { RawBlob } from "../transport.ts";
import { isRawBlobSource, isRawBlobTarget } from "../transport.ts";
import { denoFileSystem, type FileSystem } from "./file_system.ts";
import { blobPath } from "./layout.ts";
import { OciDirTransport } from "./ocidir_transport.ts";
import { pathExists, strayBlobFiles } from "../../../tests/_files.ts";
import { badBodies } from "./_ocidir_test_helper.ts";
import { randomBytes } from "../../../tests/registry/_image.ts";

function layout(path: string): Ref {
  return { scheme: "ocidir", registry: "", repository: "", path, tag: "", digest: "" };
}

/** A stream of `bytes` in pieces of `piece` bytes. */
function streamOf(bytes: Uint8Array, piece = 256 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.byteLength) {
        c.close();
        return;
      }
      c.enqueue(bytes.slice(at, at + piece));
      at += piece;
    },
  });
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

async function withLayouts(
  fn: (t: OciDirTransport, a: string, b: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawblob_" });
  const t = new OciDirTransport();
  try {
    await fn(t, `${root}/a`, `${root}/b`);
  } finally {
    await t.close();
    await Deno.remove(root, { recursive: true });
  }
}

const BIG = 2 * 1024 * 1024 + 4321;

async function seed(t: OciDirTransport, dir: string, bytes: Uint8Array): Promise<string> {
  const d = await t.blobPut(layout(dir), streamOf(bytes), {
    digest: await digestOf(bytes),
    size: bytes.byteLength,
  });
  return d.digest;
}

Deno.test("OciDirTransport is a raw blob source and target", () => {
  const t = new OciDirTransport();
  assert.equal(isRawBlobSource(t), true);
  assert.equal(isRawBlobTarget(t), true);
  assert.equal(t.canPutRaw(layout("/nowhere")), true);
});

Deno.test("OciDirTransport.blobGetRaw() hands out the file's bytes", async () => {
  await withLayouts(async (t, a) => {
    const bytes = randomBytes(BIG, 1);
    const digest = await seed(t, a, bytes);
    const raw = await t.blobGetRaw(layout(a), digest, { size: bytes.byteLength });
    assert.equal(raw.digest, digest);
    assert.equal(raw.size, bytes.byteLength);
    assert.deepEqual(await readAll(raw.body), bytes);
  });
});

Deno.test("OciDirTransport.blobGetRaw() refuses a truncated or missing blob file; a corrupted one is left to the target", async () => {
  await withLayouts(async (t, a, b) => {
    const bytes = randomBytes(BIG, 2);
    const digest = await seed(t, a, bytes);
    const path = blobPath(a, digest);
    const corrupt = bytes.slice();
    corrupt[BIG - 3] = (corrupt[BIG - 3] ?? 0) ^ 0x80;
    await Deno.writeFile(path, corrupt);
    // Unchecked on the way out: the target's check refuses it, nothing stored.
    await assert.rejects(
      t.blobPutRaw(layout(b), t.blobGetRaw(layout(a), digest, { size: BIG })),
      (e: unknown) => e instanceof DigestMismatchError && e.code === ErrorCode.DIGEST_MISMATCH,
    );
    assert.equal(await pathExists(blobPath(b, digest)), false);
    assert.deepEqual(await strayBlobFiles(b), []);
    await Deno.writeFile(path, bytes.subarray(0, BIG - 1));
    await assert.rejects(
      t.blobGetRaw(layout(a), digest, { size: BIG }),
      (e: unknown) => e instanceof SizeMismatchError && e.code === ErrorCode.SIZE_MISMATCH,
    );
    // The right file, but another expected size.
    await Deno.writeFile(path, bytes);
    await assert.rejects(t.blobGetRaw(layout(a), digest, { size: BIG + 1 }), SizeMismatchError);
    await Deno.remove(path);
    await assert.rejects(
      t.blobGetRaw(layout(a), digest, { size: BIG }),
      (e: unknown) => e instanceof NotFoundError && e.code === ErrorCode.NOT_FOUND,
    );
  });
});

Deno.test("OciDirTransport.blobGetRaw() with an aborted signal throws AbortedError", async () => {
  await withLayouts(async (t, a) => {
    const bytes = randomBytes(1000, 3);
    const digest = await seed(t, a, bytes);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      t.blobGetRaw(layout(a), digest, { size: 1000, signal: ac.signal }),
      (e: unknown) => e instanceof AbortedError && e.code === ErrorCode.ABORTED,
    );
  });
});

/**
 * Two body shapes: every piece 256 KiB, and the same with a small last piece
 * (an HTTP body's last chunk is usually small).
 */
const SHAPES = [
  { name: "256 KiB pieces", size: 2 * 1024 * 1024 + 256 * 1024 },
  { name: "small last piece", size: BIG },
] as const;

for (const shape of SHAPES) {
  Deno.test(`OciDirTransport.blobPutRaw() stores good bytes, readable by blobGet (${shape.name})`, async () => {
    await withLayouts(async (t, a) => {
      const bytes = randomBytes(shape.size, 4);
      const digest = await digestOf(bytes);
      const raw: RawBlob = { digest, size: shape.size, body: streamOf(bytes) };
      const desc = await t.blobPutRaw(layout(a), raw);
      assert.equal(desc.digest, digest);
      assert.equal(desc.size, shape.size);
      assert.deepEqual(await Deno.readFile(blobPath(a, digest)), bytes);
      const got = await t.blobGet(layout(a), digest, { size: shape.size });
      assert.deepEqual(await readAll(got.body), bytes);
      assert.deepEqual(await strayBlobFiles(a), []);
      // The layout it created is a valid one.
      assert.ok(await pathExists(`${a}/oci-layout`));
    });
  });

  Deno.test(`OciDirTransport.blobPutRaw() refuses wrong, long or short bytes and stores nothing (${shape.name})`, async () => {
    await withLayouts(async (t, a) => {
      const size = shape.size;
      const bytes = randomBytes(size, 5);
      const digest = await digestOf(bytes);
      const cases = badBodies(bytes, 256 * 1024);
      for (const [name, body, check] of cases) {
        await assert.rejects(
          t.blobPutRaw(layout(a), { digest, size, body: streamOf(body) }),
          check,
          name,
        );
        assert.equal(await pathExists(blobPath(a, digest)), false, name);
        assert.deepEqual(await strayBlobFiles(a), [], name);
      }
    });
  });
}

Deno.test("OciDirTransport.blobPutRaw() with a body that errors midway throws it and leaves no temp file", async () => {
  await withLayouts(async (t, a) => {
    const bytes = randomBytes(BIG, 7);
    const digest = await digestOf(bytes);
    const boom = new Error("connection reset");
    for (let round = 0; round < 2; round++) {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent >= 1024 * 1024) {
            c.error(boom);
            return;
          }
          c.enqueue(bytes.slice(sent, sent + 128 * 1024));
          sent += 128 * 1024;
        },
      });
      await assert.rejects(
        t.blobPutRaw(layout(a), { digest, size: BIG, body }),
        (e: unknown) => e === boom,
      );
      assert.equal(await pathExists(blobPath(a, digest)), false);
      assert.deepEqual(await strayBlobFiles(a), []);
    }
  });
});

Deno.test("OciDirTransport.blobPutRaw() aborted before or during the write throws AbortedError, nothing left", async () => {
  await withLayouts(async (t, a) => {
    const bytes = randomBytes(BIG, 8);
    const digest = await digestOf(bytes);
    const before = new AbortController();
    before.abort();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    await assert.rejects(
      t.blobPutRaw(layout(a), { digest, size: BIG, body }, {
        signal: before.signal,
      }),
      (e: unknown) => e instanceof AbortedError && e.code === ErrorCode.ABORTED,
    );
    assert.equal(cancelled, true);
    // A body that stalls after 1 MiB; the abort comes while the write waits.
    const during = new AbortController();
    let sent = 0;
    const stalled = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 1024 * 1024) {
          setTimeout(() => during.abort(), 20);
          return new Promise<void>(() => {});
        }
        c.enqueue(bytes.slice(sent, sent + 256 * 1024));
        sent += 256 * 1024;
      },
    });
    await assert.rejects(
      t.blobPutRaw(layout(a), { digest, size: BIG, body: stalled }, {
        signal: during.signal,
      }),
      AbortedError,
    );
    assert.equal(await pathExists(blobPath(a, digest)), false);
    assert.deepEqual(await strayBlobFiles(a), []);
  });
});

Deno.test("OciDirTransport raw round trip: blobGetRaw from one layout, blobPutRaw into another", async () => {
  await withLayouts(async (t, a, b) => {
    const bytes = randomBytes(BIG, 9);
    const digest = await seed(t, a, bytes);
    const raw = await t.blobGetRaw(layout(a), digest, { size: BIG });
    const desc = await t.blobPutRaw(layout(b), raw);
    assert.deepEqual(desc.digest, digest);
    assert.deepEqual(await Deno.readFile(blobPath(b, digest)), bytes);
    assert.deepEqual(await strayBlobFiles(b), []);
    assert.equal((await t.blobHead(layout(b), digest)).size, BIG);
  });
});

Deno.test("OciDirTransport.blobPutRaw() takes a blob still being opened, and a failed opening stores nothing", async () => {
  await withLayouts(async (t, a, b) => {
    const bytes = randomBytes(BIG, 70);
    const digest = await seed(t, a, bytes);
    const opening = t.blobGetRaw(layout(a), digest, { size: BIG });
    assert.equal((await t.blobPutRaw(layout(b), opening)).digest, digest);
    assert.deepEqual(await Deno.readFile(blobPath(b, digest)), bytes);

    const other = randomBytes(BIG, 71);
    const failure = new Error("the source could not open the blob");
    await assert.rejects(t.blobPutRaw(layout(b), Promise.reject(failure)), (e) => e === failure);
    assert.equal(await pathExists(blobPath(b, await digestOf(other))), false);
    assert.deepEqual(await strayBlobFiles(b), []);
  });
});

Deno.test("OciDirTransport.blobPutRaw() on a file system that fails before creating the temp file rejects, body cancelled", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawblob_" });
  const full = new Error("no space left on device");
  const fs: FileSystem = { ...denoFileSystem, writeTemp: () => Promise.reject(full) };
  const t = new OciDirTransport({ fs });
  try {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
    });
    await assert.rejects(
      t.blobPutRaw(layout(`${root}/a`), {
        digest: await digestOf(new Uint8Array(1)),
        size: 1,
        body,
      }),
      (e) => e === full,
    );
    assert.equal(cancelled, true);
  } finally {
    await t.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OciDirTransport.blobPutRaw() still checks the bytes on a file system that does not announce its temp file", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawblob_" });
  const fs: FileSystem = {
    ...denoFileSystem,
    writeTemp: (dir, body, options = {}) =>
      denoFileSystem.writeTemp(dir, body, { ...options, onCreated: undefined }),
  };
  const t = new OciDirTransport({ fs });
  try {
    const bytes = randomBytes(BIG, 72);
    const wrong = bytes.slice();
    wrong[10] = (wrong[10] ?? 0) ^ 1;
    const digest = await digestOf(bytes);
    await assert.rejects(
      t.blobPutRaw(layout(`${root}/a`), { digest, size: BIG, body: streamOf(wrong) }),
      DigestMismatchError,
    );
    assert.equal(await pathExists(blobPath(`${root}/a`, digest)), false);
    await t.blobPutRaw(layout(`${root}/a`), { digest, size: BIG, body: streamOf(bytes) });
    assert.deepEqual(await Deno.readFile(blobPath(`${root}/a`, digest)), bytes);
  } finally {
    await t.close();
    await Deno.remove(root, { recursive: true });
  }
});

/** Whether a blob temp file with bytes in it exists under `dir/blobs/sha256`. */
async function blobTempHasBytes(dir: string): Promise<boolean> {
  try {
    for await (const e of Deno.readDir(`${dir}/blobs/sha256`)) {
      if (e.name.endsWith(".tmp") && (await Deno.stat(`${dir}/blobs/sha256/${e.name}`)).size > 0) {
        return true;
      }
    }
  } catch {
    // not there yet
  }
  return false;
}

Deno.test("OciDirTransport.blobPutRaw() into a new directory writes the blob while the layout's own files are written", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawblob_" });
  const dir = `${root}/new`;
  // oci-layout is put in place only once the blob's temp file has bytes: a
  // download that waited for the layout would stall here, and fail.
  const fs: FileSystem = {
    ...denoFileSystem,
    async rename(from, to) {
      if (to === `${dir}/oci-layout`) {
        for (let i = 0; i < 500 && !(await blobTempHasBytes(dir)); i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        if (!(await blobTempHasBytes(dir))) throw new Error("the blob waited for the layout");
      }
      await denoFileSystem.rename(from, to);
    },
  };
  const t = new OciDirTransport({ fs });
  try {
    const bytes = randomBytes(BIG, 73);
    const digest = await digestOf(bytes);
    await t.blobPutRaw(layout(dir), { digest, size: BIG, body: streamOf(bytes) });
    assert.deepEqual(await Deno.readFile(blobPath(dir, digest)), bytes);
    assert.equal(await pathExists(`${dir}/oci-layout`), true);
    assert.equal(await pathExists(`${dir}/index.json`), true);
    assert.deepEqual(await strayBlobFiles(dir), []);
  } finally {
    await t.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("OciDirTransport.blobPutRaw() into a new directory whose layout cannot be made rejects with that error, nothing stored", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawblob_" });
  const dir = `${root}/new`;
  const refused = new Error("cannot lock the layout");
  const fs: FileSystem = { ...denoFileSystem, lock: () => Promise.reject(refused) };
  const t = new OciDirTransport({ fs });
  try {
    const bytes = randomBytes(BIG, 74);
    const digest = await digestOf(bytes);
    await assert.rejects(
      t.blobPutRaw(layout(dir), { digest, size: BIG, body: streamOf(bytes) }),
      (e) => e === refused,
    );
    assert.equal(await pathExists(blobPath(dir, digest)), false);
    assert.deepEqual(await strayBlobFiles(dir), []);
  } finally {
    await t.close();
    await Deno.remove(root, { recursive: true });
  }
});

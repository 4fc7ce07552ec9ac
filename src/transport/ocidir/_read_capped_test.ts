import assert from "node:assert/strict";
import { NotFoundError, SizeLimitError } from "../../errors.ts";
import { readCapped } from "./_read_capped.ts";
import { denoFileSystem, type FileSystem } from "./file_system.ts";

async function withFile(bytes: Uint8Array, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/f`, bytes);
    await fn(`${dir}/f`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A file system whose stat reports `seen` bytes while reads give `bytes`; counts closes. */
function lying(bytes: Uint8Array, seen: number) {
  let closed = 0;
  const fs = {
    ...denoFileSystem,
    stat: () =>
      Promise.resolve({ isFile: true, isDirectory: false, size: seen, mtime: 0, ino: undefined }),
    openReader: () => {
      let at = 0;
      return Promise.resolve({
        read: (buf: Uint8Array) => {
          if (at >= bytes.byteLength) return Promise.resolve(null);
          const n = Math.min(buf.byteLength, bytes.byteLength - at, 1000);
          buf.set(bytes.subarray(at, at + n));
          at += n;
          return Promise.resolve(n);
        },
        close: () => void closed++,
      });
    },
  } as FileSystem;
  return { fs, closed: () => closed };
}

Deno.test("readCapped() reads a small file whole, at the cap exactly", async () => {
  const bytes = crypto.getRandomValues(new Uint8Array(1000));
  await withFile(bytes, async (path) => {
    assert.deepEqual(await readCapped(denoFileSystem, path, 1000, "f"), bytes);
    await assert.rejects(readCapped(denoFileSystem, path, 999, "f"), SizeLimitError);
  });
  await withFile(new Uint8Array(), async (path) => {
    assert.equal((await readCapped(denoFileSystem, path, 10, "f")).byteLength, 0);
  });
});

Deno.test("readCapped() follows a file that grew after its stat, up to the cap", async () => {
  const bytes = new Uint8Array(150 * 1024).map((_, i) => (i * 7) % 251);
  const grown = lying(bytes, 10);
  assert.deepEqual(await readCapped(grown.fs, "x", bytes.byteLength, "f"), bytes);
  assert.equal(grown.closed(), 1);
  const over = lying(bytes, 10);
  await assert.rejects(readCapped(over.fs, "x", 100 * 1024, "f"), SizeLimitError);
  assert.equal(over.closed(), 1);
});

Deno.test("readCapped() refuses a missing file with NotFoundError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(readCapped(denoFileSystem, `${dir}/none`, 10, "f"), NotFoundError);
  } finally {
    await Deno.remove(dir);
  }
});

import assert from "node:assert/strict";
import type { FileInfo } from "./file_system.ts";
import { VerifiedFiles } from "./verified_files.ts";

const INFO: FileInfo = { isFile: true, isDirectory: false, size: 3, mtime: 10, ino: 7, ctime: 11 };

Deno.test("VerifiedFiles trusts a file only while inode, size, mtime and ctime are unchanged", () => {
  const v = new VerifiedFiles();
  v.add("/a", INFO);
  assert.equal(v.has("/a", INFO), true);
  assert.equal(v.has("/b", INFO), false);
  for (const changed of [{ ino: 8 }, { size: 4 }, { mtime: 12 }, { ctime: 13 }]) {
    assert.equal(v.has("/a", { ...INFO, ...changed }), false, JSON.stringify(changed));
  }
});

Deno.test("VerifiedFiles never remembers a file whose identity is not fully known", () => {
  const v = new VerifiedFiles();
  for (const partial of [{ ino: undefined }, { mtime: undefined }, { ctime: undefined }]) {
    const info = { ...INFO, ...partial };
    v.add("/a", info);
    assert.equal(v.has("/a", info), false, JSON.stringify(partial));
  }
  v.add("/d", { ...INFO, isFile: false, isDirectory: true });
  assert.equal(v.has("/d", { ...INFO, isFile: false, isDirectory: true }), false);
});

Deno.test("VerifiedFiles forgets deleted files and the oldest beyond its bound", () => {
  const v = new VerifiedFiles(2);
  v.add("/a", INFO);
  v.add("/b", INFO);
  v.add("/c", INFO);
  assert.equal(v.has("/a", INFO), false);
  assert.equal(v.has("/b", INFO), true);
  assert.equal(v.has("/c", INFO), true);
  v.delete("/b");
  assert.equal(v.has("/b", INFO), false);
});

Deno.test("VerifiedFiles keeps each file's own identity through updates, deletes and evictions", () => {
  const max = 8;
  const v = new VerifiedFiles(max);
  // the model: insertion order, newest last, as the memory forgets oldest first
  const model = new Map<string, FileInfo>();
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const path = `/l/blobs/sha256/${Math.floor(next() * 12)}`;
    if (next() < 0.25) {
      v.delete(path);
      model.delete(path);
    } else {
      const info = { ...INFO, ino: i, size: i * 3 };
      v.add(path, info);
      model.delete(path);
      model.set(path, info);
      if (model.size > max) model.delete(model.keys().next().value as string);
    }
    for (let f = 0; f < 12; f++) {
      const p = `/l/blobs/sha256/${f}`;
      const known = model.get(p);
      if (known !== undefined) assert.equal(v.has(p, known), true, `${p} after step ${i}`);
      else assert.equal(v.has(p, { ...INFO, ino: i, size: i * 3 }), false, `${p} after step ${i}`);
    }
  }
});

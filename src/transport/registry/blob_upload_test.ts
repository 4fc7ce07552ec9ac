import assert from "node:assert/strict";
import { chunkRange, parseUploadRange } from "./blob_upload.ts";

Deno.test("chunkRange() uses inclusive ends", () => {
  assert.equal(chunkRange(0, 1), "0-0");
  assert.equal(chunkRange(0, 1024), "0-1023");
  assert.equal(chunkRange(1024, 1024), "1024-2047");
});

Deno.test("parseUploadRange() reads distribution, olareg and bytes= forms", () => {
  assert.equal(parseUploadRange("0-1023"), 1024);
  assert.equal(parseUploadRange("bytes=0-9"), 10);
  assert.equal(parseUploadRange("0--1"), 0);
  assert.equal(parseUploadRange(null), undefined);
  assert.equal(parseUploadRange("5-9"), undefined);
  assert.equal(parseUploadRange("junk"), undefined);
});

import assert from "node:assert/strict";
import { InvalidReferenceError, NotFoundError } from "../../errors.ts";
import { parseRef } from "../../types/ref.ts";
import { ignoreNotFound, layoutDir, layoutName } from "./_layout_store.ts";

Deno.test("layoutName() and layoutDir() name a layout reference and its directory", () => {
  const ref = parseRef("ocidir:///tmp/layout/:v1");
  assert.equal(layoutDir(ref), "/tmp/layout");
  assert.match(layoutName(ref), /^ocidir:\/\/\/tmp\/layout\/?:v1$/);
  assert.throws(() => layoutDir({ ...ref, path: "" }), InvalidReferenceError);
});

Deno.test("ignoreNotFound() swallows only NotFoundError", () => {
  ignoreNotFound(new NotFoundError("gone"));
  assert.throws(() => ignoreNotFound(new Error("other")), /other/);
});

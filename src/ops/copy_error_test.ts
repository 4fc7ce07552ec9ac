import assert from "node:assert/strict";
import { AbortedError, ErrorCode, NotFoundError, OciError } from "../errors.ts";
import { CopyError, wrapCopyError } from "./copy_error.ts";

Deno.test("CopyError keeps the cause's code, side and op", () => {
  const cause = new NotFoundError("Cannot find blob");
  const err = new CopyError("get blob", "source", "example.com/a@sha256:x", cause);
  assert.ok(err instanceof OciError);
  assert.equal(err.code, ErrorCode.NOT_FOUND);
  assert.equal(err.side, "source");
  assert.equal(err.op, "get blob");
  assert.equal(err.cause, cause);
  assert.equal(err.name, "CopyError");
});

Deno.test("CopyError of a non-ocictl error uses the COPY code", () => {
  const err = new CopyError("put blob", "destination", "x", new TypeError("boom"));
  assert.equal(err.code, ErrorCode.COPY);
  const abort = new CopyError("put blob", "destination", "x", new DOMException("a", "AbortError"));
  assert.equal(abort.code, ErrorCode.ABORTED);
});

Deno.test("wrapCopyError() keeps CopyError and AbortedError as they are", () => {
  const inner = new CopyError("get blob", "source", "x", new Error("e"));
  assert.equal(wrapCopyError(inner, "put blob", "destination", "y"), inner);
  const aborted = new AbortedError();
  assert.equal(wrapCopyError(aborted, "put blob", "destination", "y"), aborted);
  const wrapped = wrapCopyError(new Error("e"), "put blob", "destination", "y");
  assert.ok(wrapped instanceof CopyError);
});

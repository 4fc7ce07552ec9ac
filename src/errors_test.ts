import assert from "node:assert/strict";
import {
  DigestMismatchError,
  ErrorCode,
  InvalidReferenceError,
  isErrorCode,
  NotFoundError,
  OciError,
  RegistryError,
} from "./errors.ts";

Deno.test("OciError subclasses carry a stable code and their class name", () => {
  const e = new InvalidReferenceError("Bad", "repository must be lowercase");
  assert.ok(e instanceof OciError);
  assert.equal(e.code, ErrorCode.INVALID_REFERENCE);
  assert.equal(e.name, "InvalidReferenceError");
  assert.equal(e.input, "Bad");
});

Deno.test("isErrorCode() matches only the given code", () => {
  assert.ok(isErrorCode(new NotFoundError("Cannot find x"), "NOT_FOUND"));
  assert.ok(!isErrorCode(new NotFoundError("Cannot find x"), "USAGE"));
  assert.ok(!isErrorCode(new Error("plain"), "NOT_FOUND"));
});

Deno.test("DigestMismatchError records expected and actual", () => {
  const e = new DigestMismatchError("blob", "sha256:a", "sha256:b");
  assert.equal(e.expected, "sha256:a");
  assert.equal(e.actual, "sha256:b");
});

Deno.test("RegistryError keeps status, method, url and the OCI errors", () => {
  const e = new RegistryError("Cannot get manifest", {
    status: 404,
    method: "GET",
    url: "http://127.0.0.1/v2/a/manifests/b",
    errors: [{ code: "MANIFEST_UNKNOWN" }],
  }, { code: ErrorCode.NOT_FOUND });
  assert.equal(e.status, 404);
  assert.equal(e.code, "NOT_FOUND");
  assert.equal(e.errors[0]?.code, "MANIFEST_UNKNOWN");
});

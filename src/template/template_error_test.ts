import assert from "node:assert/strict";
import { TemplateError } from "./template_error.ts";
import { ErrorCode, isErrorCode, OciError } from "../errors.ts";

Deno.test("TemplateError is an OciError with code TEMPLATE, line and col", () => {
  const cause = new Error("inner");
  const err = new TemplateError("x".repeat(100), 3, 7, "bad", "execute", { cause });
  assert.ok(err instanceof OciError);
  assert.ok(isErrorCode(err, ErrorCode.TEMPLATE));
  assert.equal(err.line, 3);
  assert.equal(err.col, 7);
  assert.equal(err.detail, "bad");
  assert.equal(err.cause, cause);
  assert.equal(err.name, "TemplateError");
});

import assert from "node:assert/strict";
import {
  AbortedError,
  InvalidDigestError,
  InvalidPlatformError,
  InvalidReferenceError,
  NotFoundError,
  OciError,
  UnknownSchemeError,
  UsageError,
} from "../errors.ts";
import { errorLine, exitCodeOf } from "./exit_code.ts";

Deno.test("exitCodeOf() maps usage errors to 2, others to 1, aborts to 130", () => {
  const usage = [
    new UsageError("x"),
    new InvalidReferenceError("x", "y"),
    new UnknownSchemeError("x://", "x"),
    new InvalidDigestError("x", "y"),
    new InvalidPlatformError("x", "y"),
    new OciError("TEMPLATE", "x"),
  ];
  for (const e of usage) assert.equal(exitCodeOf(e), 2, e.name);
  assert.equal(exitCodeOf(new NotFoundError("x")), 1);
  assert.equal(exitCodeOf(new TypeError("x")), 1);
  assert.equal(exitCodeOf("string"), 1);
  assert.equal(exitCodeOf(new AbortedError()), 130);
  const c = new AbortController();
  c.abort();
  assert.equal(exitCodeOf(new NotFoundError("x"), c.signal), 130);
});

Deno.test("errorLine() prints one prefixed line", () => {
  assert.equal(errorLine(new Error("Cannot a\n  b")), "ocictl: Cannot a b\n");
});

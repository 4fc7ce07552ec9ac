import { deepEqual, equal } from "node:assert/strict";
import { ApiError, apiErrorResponse, errorResponse } from "./errors_body.ts";

Deno.test("errorResponse() writes the spec JSON body with its content type", async () => {
  const res = errorResponse(404, [{ code: "BLOB_UNKNOWN", message: "gone" }], { "X-A": "1" });
  equal(res.status, 404);
  equal(res.headers.get("content-type"), "application/json");
  equal(res.headers.get("x-a"), "1");
  deepEqual(await res.json(), {
    errors: [{ code: "BLOB_UNKNOWN", message: "gone", detail: null }],
  });
});

Deno.test("apiErrorResponse() keeps every entry and header, and drops the body for HEAD", async () => {
  const err = new ApiError(400, "MANIFEST_BLOB_UNKNOWN", "one", {
    detail: { digest: "d1" },
    more: [{ code: "MANIFEST_BLOB_UNKNOWN", message: "two" }],
    headers: { Range: "0-1" },
  });
  const res = apiErrorResponse(err);
  equal(res.headers.get("range"), "0-1");
  const body = await res.json() as { errors: { code: string; detail: unknown }[] };
  equal(body.errors.length, 2);
  deepEqual(body.errors[0]?.detail, { digest: "d1" });
  const head = apiErrorResponse(err, true);
  equal(head.body, null);
  equal(head.headers.get("content-type"), "application/json");
});

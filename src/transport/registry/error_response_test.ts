import assert from "node:assert/strict";
import { NotFoundError, RegistryError } from "../../errors.ts";
import { decodeErrorBody, registryError } from "./error_response.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const base = {
  action: "get manifest",
  subject: "localhost:5000/a:b",
  method: "GET",
  url: "http://localhost:5000/v2/a/manifests/b",
  registry: "localhost:5000",
};

Deno.test("decodeErrorBody() reads OCI errors and skips malformed entries", () => {
  const got = decodeErrorBody(enc(JSON.stringify({
    errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown", detail: { t: 1 } }, {
      message: "no code",
    }, 7],
  })));
  assert.deepEqual(got, [{
    code: "MANIFEST_UNKNOWN",
    message: "manifest unknown",
    detail: { t: 1 },
  }]);
  assert.deepEqual(decodeErrorBody(enc("<html><body>502</body></html>")), []);
  assert.deepEqual(decodeErrorBody(enc('{"errors":"x"}')), []);
  assert.deepEqual(decodeErrorBody(enc("null")), []);
  assert.deepEqual(decodeErrorBody(new Uint8Array([0xff, 0xfe])), []);
});

Deno.test("registryError() maps 404 to NotFoundError with the registry error as cause", () => {
  const err = registryError({
    ...base,
    status: 404,
    body: enc('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'),
  });
  assert.ok(err instanceof NotFoundError);
  assert.equal(err.code, "NOT_FOUND");
  assert.ok(err.cause instanceof RegistryError);
  assert.equal(err.cause.status, 404);
  assert.equal(err.cause.errors[0]?.code, "MANIFEST_UNKNOWN");
});

Deno.test("registryError() maps 401/403 to UNAUTHORIZED and 429 to RATE_LIMIT", () => {
  for (const status of [401, 403]) {
    const err = registryError({ ...base, status });
    assert.ok(err instanceof RegistryError);
    assert.equal(err.code, "UNAUTHORIZED");
  }
  const rl = registryError({ ...base, status: 429, body: enc("<html>slow down</html>") });
  assert.ok(rl instanceof RegistryError);
  assert.equal(rl.code, "RATE_LIMIT");
  assert.deepEqual(rl.errors, []);
  const other = registryError({ ...base, status: 500, method: "PUT" });
  assert.ok(other instanceof RegistryError);
  assert.equal(other.code, "REGISTRY");
  assert.equal(other.method, "PUT");
});

import assert from "node:assert/strict";
import { ErrorCode, RegistryError } from "../../errors.ts";
import { networkError } from "./_network_error.ts";

const req = {
  action: "get manifest",
  subject: "r.example/a:v1",
  method: "GET",
  url: new URL("https://r.example/v2/a/manifests/v1"),
};

Deno.test("networkError() names the host and the cause, with a hint when it knows the fix", () => {
  const refused = networkError("r", "r.example", req, new TypeError("connection refused"));
  assert.ok(refused instanceof RegistryError);
  assert.equal(refused.code, ErrorCode.REGISTRY);
  assert.equal(refused.status, 0);
  assert.equal(
    refused.message,
    'Cannot get manifest "r.example/a:v1": cannot reach "r.example" (TypeError: connection refused)',
  );
  const plain = networkError(
    "r",
    "r.example",
    req,
    new TypeError("fetch failed", { cause: "received corrupt message" }),
  );
  assert.match(
    plain.message,
    /\(received corrupt message\); the registry answers plain http: run "ocictl registry set --tls disabled r"$/,
  );
  const untrusted = networkError("r", "r.example", req, "invalid peer certificate: UnknownIssuer");
  assert.match(untrusted.message, /; the TLS certificate is not trusted$/);
  assert.equal(untrusted.cause, "invalid peer certificate: UnknownIssuer");
});

import assert from "node:assert/strict";
import { RegistryError } from "../../errors.ts";
import { classifyTlsError } from "./_tls_error.ts";

Deno.test("classifyTlsError() turns https protocol and trust failures into RegistryError", () => {
  const url = new URL("https://r.example:5000/v2/");
  const plain = new TypeError("fetch failed", {
    cause: new Error("received corrupt message of type InvalidContentType"),
  });
  const untrusted = new TypeError("fetch failed", {
    cause: new Error("invalid peer certificate: UnknownIssuer"),
  });
  for (const err of [plain, untrusted]) {
    const got = classifyTlsError(err, url, "GET", "r.example:5000");
    assert.ok(got instanceof RegistryError);
    assert.equal(got.code, "REGISTRY");
    assert.equal(got.cause, err);
  }
  assert.equal(classifyTlsError(new TypeError("connection refused"), url, "GET", "r"), undefined);
  assert.equal(classifyTlsError(plain, new URL("http://r.example/v2/"), "GET", "r"), undefined);
  assert.equal(classifyTlsError("text", url, "GET", "r"), undefined);
});

Deno.test("classifyTlsError() names the client certificate when the registry refuses it", () => {
  const url = new URL("https://r.example:5000/v2/");
  for (const alert of ["BadCertificate", "CertificateRequired", "UnknownCA"]) {
    const err = new Error(`received fatal alert: ${alert}`);
    const got = classifyTlsError(err, url, "GET", "r.example:5000");
    assert.ok(got instanceof RegistryError);
    assert.match(got.message, new RegExp(`client certificate \\(${alert}\\).*--client-key`));
    assert.doesNotMatch(got.message, /--cacert/);
  }
});

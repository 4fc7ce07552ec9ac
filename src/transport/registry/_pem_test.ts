import assert from "node:assert/strict";
import { splitPem } from "./_pem.ts";

Deno.test("splitPem() splits a bundle and keeps unknown text whole", () => {
  const a = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----";
  const b = "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----";
  assert.deepEqual(splitPem(`${a}\n${b}\n`), [`${a}\n`, `${b}\n`]);
  assert.deepEqual(splitPem("not pem"), ["not pem"]);
});

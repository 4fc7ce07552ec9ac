import assert from "node:assert/strict";
import { AbortedError, DigestMismatchError, SizeLimitError } from "../errors.ts";
import { digestOf } from "../types/digest.ts";
import { MANIFEST_WRITE_LIMIT, parseManifest } from "../types/manifest.ts";
import { checkManifestPut, checkSignal, referrerDescriptor, tagPage } from "./transport_checks.ts";

const INDEX = new TextEncoder().encode(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
);

Deno.test("checkSignal() throws AbortedError only for an aborted signal", () => {
  checkSignal(new AbortController().signal, "read");
  assert.throws(() => checkSignal(AbortSignal.abort(), "read"), AbortedError);
});

Deno.test("checkManifestPut() caps the size and matches the reference's digest", async () => {
  assert.equal(
    (await checkManifestPut(INDEX, { digest: await digestOf(INDEX) }, "m")).digest,
    await digestOf(INDEX),
  );
  await assert.rejects(
    async () => checkManifestPut(INDEX, { digest: await digestOf(new Uint8Array([1])) }, "m"),
    DigestMismatchError,
  );
  await assert.rejects(
    () => checkManifestPut(new Uint8Array(MANIFEST_WRITE_LIMIT + 1), { digest: "" }, "m"),
    SizeLimitError,
  );
});

Deno.test("tagPage() starts after last and stops at limit", () => {
  assert.deepEqual(tagPage(["a", "b", "c"], {}), ["a", "b", "c"]);
  assert.deepEqual(tagPage(["a", "b", "c"], { last: "b" }), ["c"]);
  assert.deepEqual(tagPage(["a", "b", "c"], { limit: 2 }), ["a", "b"]);
  assert.deepEqual(tagPage(["a", "b"], { limit: -1 }), []);
});

Deno.test("referrerDescriptor() takes the config media type when there is no artifactType", async () => {
  const raw = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "x/config", digest: await digestOf(new Uint8Array()), size: 0 },
    layers: [],
    annotations: { a: "b" },
  }));
  const d = referrerDescriptor(await parseManifest(raw));
  assert.equal(d.artifactType, "x/config");
  assert.deepEqual(d.annotations, { a: "b" });
  assert.equal(d.digest, await digestOf(raw));
});

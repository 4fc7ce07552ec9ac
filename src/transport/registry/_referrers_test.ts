import assert from "node:assert/strict";
import { parseManifest } from "../../types/manifest.ts";
import { addingReferrer, removingReferrer } from "./_referrers.ts";

const RAW = new TextEncoder().encode(JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.index.v1+json",
  artifactType: "x/sbom",
  manifests: [],
  annotations: { a: "b" },
}));

Deno.test("addingReferrer() appends the referrer once, with artifact type and annotations", async () => {
  const m = await parseManifest(RAW);
  const once = addingReferrer(m)([]);
  assert.equal(once?.length, 1);
  assert.equal(once?.[0]?.artifactType, "x/sbom");
  assert.deepEqual(once?.[0]?.annotations, { a: "b" });
  assert.equal(addingReferrer(m)(once ?? []), undefined);
});

Deno.test("removingReferrer() removes the digest, or says there is no change", async () => {
  const m = await parseManifest(RAW);
  const list = addingReferrer(m)([]) ?? [];
  assert.deepEqual(removingReferrer(m.digest)(list), []);
  assert.equal(removingReferrer("sha256:" + "0".repeat(64))(list), undefined);
});

import assert from "node:assert/strict";
import { digestOf } from "../../types/digest.ts";
import { parseManifest } from "../../types/manifest.ts";
import { MediaType } from "../../types/media_type.ts";
import { buildDeleteTagImage } from "./_delete_tag.ts";

Deno.test("buildDeleteTagImage() builds a valid unique image in the original family", async () => {
  const a = await buildDeleteTagImage("v1", MediaType.OCI_INDEX, new Date(0));
  const b = await buildDeleteTagImage("v1", MediaType.OCI_INDEX, new Date(1000));
  const m = await parseManifest(a.manifest);
  assert.equal(m.mediaType, MediaType.OCI_MANIFEST);
  assert.notEqual(m.digest, (await parseManifest(b.manifest)).digest);
  for (const blob of a.blobs) assert.equal(await digestOf(blob.bytes), blob.digest);
  const d = await parseManifest(
    (await buildDeleteTagImage("v1", MediaType.DOCKER_MANIFEST, new Date(0))).manifest,
  );
  assert.equal(d.mediaType, MediaType.DOCKER_MANIFEST);
});

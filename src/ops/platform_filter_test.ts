import assert from "node:assert/strict";
import { NotFoundError } from "../errors.ts";
import { digestOf } from "../types/digest.ts";
import { encodeJson, parseManifest } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { filterIndex } from "./platform_filter.ts";

const d = (n: string) => "sha256:" + n.repeat(64);
const entry = (architecture: string, n: string, extra: Record<string, unknown> = {}) => ({
  mediaType: MediaType.OCI_MANIFEST,
  digest: d(n),
  size: 10,
  platform: { os: "linux", architecture },
  ...extra,
});
const index = await parseManifest(encodeJson({
  schemaVersion: 2,
  mediaType: MediaType.DOCKER_MANIFEST_LIST,
  manifests: [
    entry("amd64", "a"),
    entry("arm64", "b"),
    {
      ...entry("unknown", "c"),
      platform: { os: "unknown", architecture: "unknown" },
      annotations: {
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": d("b"),
      },
    },
  ],
}));

Deno.test("filterIndex() keeps the chosen platform and its attestation", async () => {
  const out = await filterIndex(index, [{ os: "linux", architecture: "arm64" }]);
  assert.equal(out.changed, true);
  assert.deepEqual(out.kept.map((k) => k.digest), [d("b"), d("c")]);
  assert.equal(out.manifest.mediaType, MediaType.DOCKER_MANIFEST_LIST);
  assert.equal(out.manifest.digest, await digestOf(out.manifest.raw));
  assert.notEqual(out.manifest.digest, index.digest);
});

Deno.test("filterIndex() keeps the exact bytes when every entry is kept", async () => {
  const out = await filterIndex(index, [
    { os: "linux", architecture: "amd64" },
    { os: "linux", architecture: "arm64" },
  ]);
  assert.equal(out.changed, false);
  assert.equal(out.manifest, index);
});

Deno.test("filterIndex() throws NotFoundError for a platform not in the index", async () => {
  await assert.rejects(
    () => filterIndex(index, [{ os: "linux", architecture: "s390x" }]),
    NotFoundError,
  );
});

Deno.test("filterIndex() leaves an image manifest alone", async () => {
  const image = await parseManifest(encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: { mediaType: MediaType.OCI_CONFIG, digest: d("e"), size: 2 },
    layers: [],
  }));
  const out = await filterIndex(image, [{ os: "linux", architecture: "amd64" }]);
  assert.equal(out.changed, false);
  assert.equal(out.manifest, image);
});

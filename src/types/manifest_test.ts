import assert from "node:assert/strict";
import { ManifestInvalidError, SizeLimitError, UnsupportedMediaTypeError } from "../errors.ts";
import { digestOf } from "./digest.ts";
import { EMPTY_DESCRIPTOR, MediaType } from "./media_type.ts";
import {
  artifactTypeOf,
  encodeJson,
  isImage,
  isIndex,
  manifestDescriptor,
  manifestReferences,
  parseManifest,
  subjectOf,
} from "./manifest.ts";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const layer = {
  mediaType: MediaType.OCI_LAYER_GZIP,
  digest: await digestOf(enc("layer")),
  size: 5,
};
const image = {
  schemaVersion: 2,
  mediaType: MediaType.OCI_MANIFEST,
  config: { mediaType: MediaType.OCI_CONFIG, digest: await digestOf(enc("cfg")), size: 3 },
  layers: [layer],
};

Deno.test("parseManifest() keeps the exact bytes and their digest", async () => {
  const raw = enc(
    `{ "schemaVersion" : 2,\n "mediaType":"${MediaType.OCI_INDEX}", "manifests": [] }`,
  );
  const m = await parseManifest(raw);
  assert.equal(m.raw, raw);
  assert.equal(m.digest, await digestOf(raw));
  assert.equal(m.size, raw.byteLength);
  assert.ok(isIndex(m));
});

Deno.test("parseManifest() uses the algorithm of an expected digest", async () => {
  const raw = enc(image);
  const m = await parseManifest(raw, { digest: await digestOf(raw, "sha512") });
  assert.equal(m.digest, await digestOf(raw, "sha512"));
});

Deno.test("parseManifest() detects media types without a mediaType field", async () => {
  const { mediaType: _, ...noType } = image;
  assert.equal((await parseManifest(enc(noType))).mediaType, MediaType.OCI_MANIFEST);
  assert.equal(
    (await parseManifest(enc(noType), {
      mediaType: MediaType.DOCKER_MANIFEST + "; charset=utf-8",
    })).mediaType,
    MediaType.DOCKER_MANIFEST,
  );
  assert.equal(
    (await parseManifest(enc({ schemaVersion: 2, manifests: [] }))).mediaType,
    MediaType.OCI_INDEX,
  );
  assert.equal(
    (await parseManifest(enc({ schemaVersion: 1, fsLayers: [], signatures: [] }))).mediaType,
    MediaType.DOCKER_SCHEMA1_SIGNED,
  );
});

Deno.test("parseManifest() exposes references, subject and artifact type", async () => {
  const artifact = {
    ...image,
    artifactType: "application/vnd.example+json",
    config: EMPTY_DESCRIPTOR,
    subject: { mediaType: MediaType.OCI_INDEX, digest: await digestOf(enc("x")), size: 1 },
  };
  const m = await parseManifest(enc(artifact));
  assert.ok(isImage(m));
  assert.equal(artifactTypeOf(m), "application/vnd.example+json");
  assert.equal(subjectOf(m)?.digest, await digestOf(enc("x")));
  assert.equal(manifestReferences(m).length, 2);
  assert.equal(manifestDescriptor(m).artifactType, "application/vnd.example+json");
  assert.equal(artifactTypeOf(await parseManifest(enc(image))), undefined);
});

Deno.test("parseManifest() refuses content over the cap", async () => {
  await assert.rejects(() => parseManifest(enc(image), { limit: 10 }), SizeLimitError);
});

const invalid: [string, unknown][] = [
  ["not JSON", "{nope"],
  ["an array", "[]"],
  ["a string", '"x"'],
  ["schemaVersion 3", { ...image, schemaVersion: 3 }],
  ["layers not an array", { ...image, layers: {} }],
  ["a bad layer digest", { ...image, layers: [{ ...layer, digest: "sha256:../x" }] }],
  ["a negative size", { ...image, layers: [{ ...layer, size: -1 }] }],
  ["a fractional size", { ...image, layers: [{ ...layer, size: 1.5 }] }],
  ["a missing config", { ...image, config: undefined }],
  ["a bad media type", { ...image, layers: [{ ...layer, mediaType: "nope" }] }],
  ["non-string annotations", { ...image, layers: [{ ...layer, annotations: { a: 1 } }] }],
  ["manifests not an array", { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: 1 }],
  ["a platform without os", {
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    manifests: [{ ...layer, platform: { architecture: "amd64" } }],
  }],
  ["schema1 without fsLayers", { schemaVersion: 1 }],
  ["no way to tell its type", { schemaVersion: 2 }],
];
for (const [name, value] of invalid) {
  Deno.test(`parseManifest() rejects ${name}`, async () => {
    await assert.rejects(() => parseManifest(enc(value)), ManifestInvalidError);
  });
}

Deno.test("parseManifest() rejects a body that is not a manifest type", async () => {
  await assert.rejects(
    () => parseManifest(enc({ ...image, mediaType: "application/vnd.oci.image.config.v1+json" })),
    UnsupportedMediaTypeError,
  );
});

Deno.test("parseManifest() rejects invalid UTF-8", async () => {
  await assert.rejects(
    () => parseManifest(new Uint8Array([0x7b, 0xff, 0x7d])),
    ManifestInvalidError,
  );
});

Deno.test("encodeJson() round-trips through parseManifest()", async () => {
  const m = await parseManifest(encodeJson(image));
  assert.deepEqual(m.json, image);
});

Deno.test("EMPTY_DESCRIPTOR matches the digest of {}", async () => {
  assert.equal(EMPTY_DESCRIPTOR.digest, await digestOf(enc("{}")));
  assert.equal(atob(EMPTY_DESCRIPTOR.data), "{}");
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AbortedError, DigestMismatchError, ErrorCode, SizeLimitError } from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { encodeJson, MANIFEST_WRITE_LIMIT } from "../types/manifest.ts";
import { EMPTY_DESCRIPTOR, MediaType } from "../types/media_type.ts";
import type { Ref } from "../types/ref.ts";
import { _RecordingTransport } from "./_recording_transport_test_helper.ts";
import { pushBlobBytes, pushManifestJson } from "./push_content.ts";

const repo: Ref = {
  scheme: "reg",
  registry: "localhost:5000",
  repository: "push/test",
  path: "",
  tag: "",
  digest: "",
};

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function emptyIndex(annotation: string): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    manifests: [],
    annotations: { "org.example.note": annotation },
  };
}

async function readBlob(t: _RecordingTransport, digest: string): Promise<Uint8Array> {
  const { body } = await t.blobGet(repo, digest);
  return await new Response(body).bytes();
}

Deno.test("pushBlobBytes() stores the bytes and returns their digest and size", async () => {
  const t = new _RecordingTransport();
  const bytes = new TextEncoder().encode("hello blob\n");
  const d = await pushBlobBytes(t, repo, bytes, "text/plain");
  assert.deepEqual(d, { mediaType: "text/plain", digest: sha256(bytes), size: bytes.byteLength });
  assert.deepEqual(await readBlob(t, d.digest), bytes);
});

Deno.test("pushBlobBytes() of {} gives the empty descriptor digest", async () => {
  const t = new _RecordingTransport();
  const d = await pushBlobBytes(t, repo, new TextEncoder().encode("{}"), MediaType.OCI_EMPTY);
  assert.equal(d.digest, EMPTY_DESCRIPTOR.digest);
  assert.equal(d.size, EMPTY_DESCRIPTOR.size);
});

Deno.test("pushBlobBytes() rejects an aborted signal with AbortedError and stores nothing", async () => {
  const t = new _RecordingTransport();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    pushBlobBytes(t, repo, new Uint8Array([1]), "x/y", { signal: ac.signal }),
    (err: unknown) => err instanceof AbortedError && err.code === ErrorCode.ABORTED,
  );
  assert.equal(t.blobPuts.length, 0);
});

Deno.test("pushBlobBytes() rejects a transport that stored another digest", async () => {
  const t = new _RecordingTransport();
  t.blobPut = async (_ref, body): Promise<Descriptor> => {
    await body.cancel();
    return { mediaType: "application/octet-stream", digest: EMPTY_DESCRIPTOR.digest, size: 2 };
  };
  await assert.rejects(
    pushBlobBytes(t, repo, new Uint8Array([1, 2, 3]), "x/y"),
    (err: unknown) => err instanceof DigestMismatchError && err.code === ErrorCode.DIGEST_MISMATCH,
  );
});

Deno.test("pushManifestJson() pushes the encodeJson bytes under the tag", async () => {
  const t = new _RecordingTransport();
  const json = emptyIndex("tagged");
  const raw = encodeJson(json);
  const d = await pushManifestJson(t, { ...repo, tag: "v1" }, json, MediaType.OCI_INDEX);
  assert.deepEqual(d, {
    mediaType: MediaType.OCI_INDEX,
    digest: sha256(raw),
    size: raw.byteLength,
  });
  const got = await t.manifestGet({ ...repo, tag: "v1" });
  assert.deepEqual(got.raw, raw);
  assert.equal(got.digest, d.digest);
  assert.deepEqual(await t.tagList(repo), ["v1"]);
  assert.equal(t.manifestPuts[0]?.options?.mediaType, MediaType.OCI_INDEX);
  assert.equal(t.manifestPuts[0]?.options?.child, undefined);
});

Deno.test("pushManifestJson() without a tag pushes by the computed digest", async () => {
  const t = new _RecordingTransport();
  const json = emptyIndex("untagged");
  const d = await pushManifestJson(t, repo, json, MediaType.OCI_INDEX, { child: true });
  assert.equal(d.digest, sha256(encodeJson(json)));
  assert.equal(t.manifestPuts[0]?.ref.digest, d.digest);
  assert.equal(t.manifestPuts[0]?.ref.tag, "");
  assert.equal(t.manifestPuts[0]?.options?.child, true);
  assert.deepEqual(await t.tagList(repo), []);
});

Deno.test("pushManifestJson() copies artifactType into the descriptor", async () => {
  const t = new _RecordingTransport();
  const json = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    artifactType: "application/vnd.example.test",
    config: { ...EMPTY_DESCRIPTOR },
    layers: [{ ...EMPTY_DESCRIPTOR }],
  };
  await pushBlobBytes(t, repo, new TextEncoder().encode("{}"), MediaType.OCI_EMPTY);
  const d = await pushManifestJson(t, repo, json, MediaType.OCI_MANIFEST);
  assert.equal(d.artifactType, "application/vnd.example.test");
});

Deno.test("pushManifestJson() rejects a ref digest that differs with DigestMismatchError", async () => {
  const t = new _RecordingTransport();
  const ref = { ...repo, digest: EMPTY_DESCRIPTOR.digest };
  await assert.rejects(
    pushManifestJson(t, ref, emptyIndex("x"), MediaType.OCI_INDEX),
    (err: unknown) => err instanceof DigestMismatchError && err.code === ErrorCode.DIGEST_MISMATCH,
  );
  assert.equal(t.manifestPuts.length, 0);
});

Deno.test("pushManifestJson() rejects a manifest over 4 MiB with SizeLimitError", async () => {
  const t = new _RecordingTransport();
  const json = emptyIndex("x".repeat(MANIFEST_WRITE_LIMIT));
  await assert.rejects(
    pushManifestJson(t, { ...repo, tag: "big" }, json, MediaType.OCI_INDEX),
    (err: unknown) => err instanceof SizeLimitError && err.code === ErrorCode.SIZE_LIMIT,
  );
  assert.equal(t.manifestPuts.length, 0);
});

Deno.test("pushManifestJson() rejects an aborted signal with AbortedError", async () => {
  const t = new _RecordingTransport();
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    pushManifestJson(t, { ...repo, tag: "v1" }, emptyIndex("x"), MediaType.OCI_INDEX, {
      signal: ac.signal,
    }),
    (err: unknown) => err instanceof AbortedError && err.code === ErrorCode.ABORTED,
  );
  assert.equal(t.manifestPuts.length, 0);
});

import assert from "node:assert/strict";
import { digestOf } from "../types/digest.ts";
import { parseManifest } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRef } from "../types/ref.ts";
import { ManifestView } from "./manifest_view.ts";

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const cfg = enc({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
const layer = new Uint8Array(150000);
const image = {
  schemaVersion: 2,
  mediaType: MediaType.OCI_MANIFEST,
  config: { mediaType: MediaType.OCI_CONFIG, digest: await digestOf(cfg), size: cfg.byteLength },
  layers: [{
    mediaType: MediaType.OCI_LAYER_GZIP,
    digest: await digestOf(layer),
    size: layer.byteLength,
  }],
  annotations: { "z.key": "z", "a.key": "a" },
};
const imageRaw = enc(image);
const ref = parseRef("ocidir://lay:v1");

Deno.test("ManifestView.marshalPretty() prints an image like regctl", async () => {
  const v = ManifestView.fromManifest(ref, await parseManifest(imageRaw));
  const lines = v.marshalPretty().split("\n");
  assert.deepEqual(lines.map((l) => l.split(":")[0]?.trim()).slice(0, 6), [
    "Name",
    "MediaType",
    "Digest",
    "Annotations",
    "a.key",
    "z.key",
  ]);
  const width = (lines[0] ?? "").indexOf("ocidir://");
  for (const l of lines.filter((l) => l.trim() !== "")) {
    assert.ok(l.length >= width, l);
  }
  assert.ok(lines.includes("Total Size:".padEnd(width) + "150.000kB"));
  assert.ok(lines.includes("  Size:".padEnd(width) + "150.000kB"));
  assert.ok(lines.some((l) => l.startsWith("Config:")));
  assert.ok(lines.some((l) => l.startsWith("Layers:")));
});

Deno.test("ManifestView lists index entries with names by digest", async () => {
  const child = {
    mediaType: MediaType.OCI_MANIFEST,
    digest: await digestOf(imageRaw),
    size: imageRaw.byteLength,
  };
  const index = enc({
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    manifests: [{ ...child, platform: { os: "linux", architecture: "amd64" } }],
  });
  const v = ManifestView.fromManifest(ref, await parseManifest(index));
  assert.ok(v.IsList());
  assert.equal(v.Manifests[0]?.Digest, child.digest);
  const s = v.marshalPretty();
  assert.match(s, new RegExp(`^  Name: +ocidir://lay:v1@${child.digest}$`, "m"));
  assert.match(s, /^ {2}Platform: +linux\/amd64$/m);
  assert.ok(!/^ {2}Size:/m.test(s));
});

Deno.test("ManifestView exposes Go fields, raw bytes and headers", async () => {
  const m = await parseManifest(imageRaw);
  const v = ManifestView.fromManifest(ref, m);
  assert.equal(v.MediaType, MediaType.OCI_MANIFEST);
  assert.equal(v.Digest, m.digest);
  assert.equal(v.Config?.Digest, await digestOf(cfg));
  assert.equal(v.Layers.length, 1);
  assert.equal(v.Annotations.get("a.key"), "a");
  assert.equal(v.GetDescriptor().Size, imageRaw.byteLength);
  assert.equal(v.RawBody(), m.raw);
  assert.deepEqual(v.RawHeaders()["Docker-Content-Digest"], [m.digest]);
  assert.deepEqual(JSON.parse(JSON.stringify(v)), image);
  assert.equal(v.Subject, null);
  assert.equal(v.IsList(), false);
});

Deno.test("ManifestView after a HEAD has no body", async () => {
  const v = new ManifestView(ref, {
    mediaType: MediaType.OCI_INDEX,
    digest: await digestOf(imageRaw),
    size: 3,
  });
  assert.equal(v.IsSet(), false);
  assert.equal(v.RawBody().byteLength, 0);
  assert.match(v.marshalPretty(), /^Digest: +sha256:/m);
});

import assert from "node:assert/strict";
import { parseManifest } from "../types/manifest.ts";
import { parseRef } from "../types/ref.ts";
import { ManifestView } from "./manifest_view.ts";
import { manifestResult } from "./manifest_result.ts";
import { formatOutput } from "./output.ts";

Deno.test("manifestResult() exposes the pushed manifest under .Manifest, as regctl does", async () => {
  const raw = new TextEncoder().encode(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
  );
  const m = await parseManifest(raw);
  const view = ManifestView.fromManifest(parseRef("ocidir://x:v1"), m);
  const r = manifestResult(view);
  assert.equal(await formatOutput(r, "{{.Manifest.GetDescriptor.Digest}}"), m.digest);
  assert.deepEqual(await formatOutput(r, "raw-body"), raw);
});

Deno.test("manifestResult() prints as a Go struct, with no function fields", async () => {
  const raw = new TextEncoder().encode(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
  );
  const r = manifestResult(
    ManifestView.fromManifest(parseRef("ocidir://x:v1"), await parseManifest(raw)),
  );
  const text = await formatOutput(r, "{{.}}") as string;
  assert.ok(!text.includes("<func>"), text);
  assert.match(await formatOutput(r, "{{json .}}") as string, /^\{"Manifest":\{"schemaVersion":2/);
});

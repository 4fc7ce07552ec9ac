import assert from "node:assert/strict";
import { parseManifest } from "../types/manifest.ts";
import { parseRef, withDigest } from "../types/ref.ts";
import { formatOutput } from "./output.ts";
import { goRef, ReferrerListView, ReferrerTreeView } from "./referrer_view.ts";

const SUBJECT = "sha256:" + "a".repeat(64);
const REFERRER = "sha256:" + "b".repeat(64);

function listView(source?: string, tags: string[] = []) {
  return new ReferrerListView({
    subject: parseRef(`ocidir://x:v1@${SUBJECT}`),
    subjectDescriptor: {
      mediaType: "application/vnd.oci.image.index.v1+json",
      digest: SUBJECT,
      size: 9,
    },
    source: source ? parseRef(source) : undefined,
    descriptors: [{
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: REFERRER,
      size: 5,
      artifactType: "application/x.sbom",
      annotations: { k: "v" },
    }],
    tags,
  });
}

Deno.test("ReferrerListView prints regctl's Subject (by digest) and Referrers blocks", () => {
  const out = listView(undefined, ["sha256-aaa.sig"]).marshalPretty();
  const lines = out.split("\n").map((l) => l.trimEnd());
  assert.match(lines[0] ?? "", /^Subject: +ocidir:\/\/x@sha256:a{64}$/);
  assert.equal(lines[1], "");
  assert.match(lines[2] ?? "", /^Referrers:$/);
  assert.ok(lines.some((l) => /^ {2}Name: +ocidir:\/\/x@sha256:b{64}$/.test(l)), out);
  assert.ok(lines.some((l) => /^ {2}ArtifactType: +application\/x\.sbom$/.test(l)), out);
  assert.ok(lines.some((l) => /^ {4}k: +v$/.test(l)), out);
  assert.ok(!out.includes("Source:"));
});

Deno.test("ReferrerListView names referrers in the external source", () => {
  const out = listView("ocidir://ext").marshalPretty();
  assert.match(out, /\nSource: +ocidir:\/\/ext:latest\n/);
  assert.match(out, /Name: +ocidir:\/\/ext@sha256:b{64}\n/);
});

Deno.test("ReferrerListView serves body, templates and JSON", async () => {
  const v = listView();
  const body = JSON.parse(new TextDecoder().decode(await formatOutput(v, "body") as Uint8Array));
  assert.equal(body.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.equal(body.manifests[0].digest, REFERRER);
  assert.equal(
    await formatOutput(v, "{{range .Descriptors}}{{.Digest}} {{.ArtifactType}}{{end}}"),
    `${REFERRER} application/x.sbom`,
  );
  assert.equal(await formatOutput(v, "{{.Subject.CommonName}}"), `ocidir://x@${SUBJECT}`);
  const json = JSON.parse(await formatOutput(v, "{{json .}}") as string);
  assert.deepEqual(Object.keys(json), ["subject", "source", "descriptors"]);
  assert.equal(json.subject.Reference, `ocidir://x@${SUBJECT}`);
  assert.equal(json.source.Scheme, "");
  assert.deepEqual(Object.keys(json.descriptors[0]), [
    "mediaType",
    "digest",
    "size",
    "annotations",
    "artifactType",
  ]);
  assert.equal(v.IsEmpty(), false);
});

Deno.test("ReferrerTreeView prints children with platforms and referrers with types", async () => {
  const m = (s: string) => parseManifest(new TextEncoder().encode(s));
  const child = await m(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"c":"1"}}',
  );
  const art = await m(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"application/x.a","manifests":[]}',
  );
  const root = await m(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
  );
  const base = parseRef("ocidir://x");
  const leaf = (mm: typeof root, extra = {}) => ({
    ref: withDigest(base, mm.digest),
    manifest: mm,
    platform: undefined,
    artifactType: undefined,
    children: [],
    referrers: [],
    tags: [],
    ...extra,
  });
  const v = new ReferrerTreeView(leaf(root, {
    children: [leaf(child, { platform: { os: "linux", architecture: "amd64" }, tags: ["t1"] })],
    referrers: [leaf(art, { artifactType: "application/x.a" })],
  }));
  assert.equal(
    v.marshalPretty(),
    `Ref: ocidir://x@${root.digest}\nDigest: ${root.digest}\nChildren:\n  - ${child.digest} [linux/amd64]\n` +
      `    Referrers:\n      - t1\nReferrers:\n  - ${art.digest}: application/x.a\n`,
  );
  assert.equal(await formatOutput(v, "{{range .Child}}{{.Platform}}{{end}}"), "linux/amd64");
  assert.equal(
    await formatOutput(v, "{{range .Referrer}}{{.ArtifactType}}{{end}}"),
    "application/x.a",
  );
  const j = v.toJSON() as { child: unknown[]; referrer: unknown[] };
  assert.equal(j.child.length, 1);
  assert.equal(j.referrer.length, 1);
  assert.equal(goRef(base).CommonName(), "ocidir://x:latest");
});

import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { NotFoundError, UsageError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages, SAMPLE_ARTIFACT_TYPE } from "../sample/sample_images.ts";
import { parseRef, withTag } from "../types/ref.ts";
import { referrersFallbackTag } from "../types/referrer.ts";
import { putArtifact } from "./artifact.ts";
import {
  buildReferrerTree,
  matchReferrers,
  parseKeyValues,
  queryReferrers,
} from "./referrer_query.ts";

const CREATED = "org.opencontainers.image.created";

async function setup() {
  const memory = new MemoryTransport();
  const sample = await buildSampleImages(memory, parseRef("example.com/a"));
  const client = new Client({ transports: () => memory });
  return { sample, client };
}

function note(client: Client, subject: ReturnType<typeof parseRef>, created: string, extra = {}) {
  return putArtifact(client, {
    subject,
    artifactType: "application/x.note",
    annotations: { [CREATED]: created, ...extra },
    stdin: ReadableStream.from([new TextEncoder().encode(created)]),
  });
}

Deno.test("queryReferrers() filters by artifact type and annotation", async () => {
  const { sample, client } = await setup();
  try {
    const n = await note(client, sample.refs.index, "2030-01-01", { kind: "x" });
    const all = await queryReferrers(client, sample.refs.index);
    assert.equal(all.descriptors.length, 2);
    assert.equal(all.subject.digest, sample.index.digest);
    const sbom = await queryReferrers(client, sample.refs.index, {
      artifactType: SAMPLE_ARTIFACT_TYPE,
    });
    assert.deepEqual(sbom.descriptors.map((d) => d.digest), [sample.artifact.digest]);
    const kind = await queryReferrers(client, sample.refs.index, { annotations: { kind: "" } });
    assert.deepEqual(kind.descriptors.map((d) => d.digest), [n.manifest.digest]);
    const none = await queryReferrers(client, sample.refs.index, { annotations: { kind: "y" } });
    assert.equal(none.descriptors.length, 0);
  } finally {
    await client.close();
  }
});

Deno.test("queryReferrers() resolves a platform and lists digest tags", async () => {
  const { sample, client } = await setup();
  try {
    const child = sample.images[1];
    assert.ok(child);
    await note(client, parseRef(`example.com/a@${child.manifest.digest}`), "2030-01-01");
    const r = await queryReferrers(client, sample.refs.index, {
      platform: { os: "linux", architecture: "arm64" },
    });
    assert.equal(r.subject.digest, child.manifest.digest);
    assert.equal(r.descriptors.length, 1);
    const sig = `${referrersFallbackTag(sample.index.digest)}.sig`;
    const raw = (await client.manifestGet(sample.refs.single)).raw;
    await client.manifestPut(withTag(sample.refs.single, sig), raw);
    const t = await queryReferrers(client, sample.refs.index, { digestTags: true });
    assert.deepEqual(t.tags, [sig]);
    assert.equal(t.descriptors.at(-1)?.annotations?.["org.opencontainers.image.ref.name"], sig);
    await assert.rejects(
      queryReferrers(client, parseRef("example.com/a:missing")),
      (err: unknown) => err instanceof NotFoundError,
    );
  } finally {
    await client.close();
  }
});

Deno.test("queryReferrers() reads referrers from an external repository", async () => {
  const { sample, client } = await setup();
  try {
    const ext = parseRef("example.com/ext:note");
    const n = await putArtifact(client, {
      ref: ext,
      subject: sample.refs.index,
      external: true,
      artifactType: "application/x.note",
      stdin: ReadableStream.from([new TextEncoder().encode("x")]),
    });
    const r = await queryReferrers(client, sample.refs.index, {
      external: parseRef("example.com/ext"),
    });
    assert.deepEqual(r.descriptors.map((d) => d.digest), [n.manifest.digest]);
    assert.equal(r.source?.repository, "ext");
  } finally {
    await client.close();
  }
});

Deno.test("matchReferrers() sorts on an annotation, missing values last", () => {
  const d = (n: string, created?: string) => ({
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: "sha256:" + n.repeat(64),
    size: 1,
    ...(created ? { annotations: { [CREATED]: created } } : {}),
  });
  const list = [d("a", "2"), d("b"), d("c", "3"), d("d", "1")];
  const digits = (l: { digest: string }[]) => l.map((x) => x.digest.slice(7, 8)).join("");
  assert.equal(digits(matchReferrers(list, { sortAnnotation: CREATED })), "dacb");
  assert.equal(digits(matchReferrers(list, { sortAnnotation: CREATED, sortDesc: true })), "cadb");
  assert.equal(digits(matchReferrers(list, { latest: true })), "cadb");
  assert.throws(
    () => matchReferrers(list, { latest: true, sortAnnotation: "x" }),
    (err: unknown) => err instanceof UsageError && err.code === "USAGE",
  );
});

Deno.test("parseKeyValues() maps bare keys to empty values and refuses empty keys", () => {
  assert.deepEqual(parseKeyValues(["a=b=c", "d"], "--x"), { a: "b=c", d: "" });
  assert.throws(() => parseKeyValues(["=v"], "--x"), { code: "USAGE" });
});

Deno.test("buildReferrerTree() walks children and referrers", async () => {
  const { sample, client } = await setup();
  try {
    const t = await buildReferrerTree(client, sample.refs.index);
    assert.equal(t.children.length, 2);
    assert.deepEqual(t.referrers.map((r) => r.manifest.digest), [sample.artifact.digest]);
    assert.equal(t.referrers[0]?.artifactType, SAMPLE_ARTIFACT_TYPE);
    const filtered = await buildReferrerTree(client, sample.refs.index, { artifactType: "x/none" });
    assert.equal(filtered.referrers.length, 0);
  } finally {
    await client.close();
  }
});

import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { NotFoundError, UnsupportedMediaTypeError, UsageError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages, SAMPLE_ARTIFACT_TYPE } from "../sample/sample_images.ts";
import { digestOf } from "../types/digest.ts";
import { EMPTY_DESCRIPTOR, MediaType } from "../types/media_type.ts";
import { parseRef, withDigest } from "../types/ref.ts";
import {
  ANNOTATION_TITLE,
  artifactTitle,
  DEFAULT_ARTIFACT_TYPE,
  packDirectory,
  planArtifactOutput,
  putArtifact,
  resolveArtifact,
  resolveFileMediaTypes,
  selectArtifactLayers,
  writeArtifactFiles,
} from "./artifact.ts";

const enc = new TextEncoder();

function bytes(s: string): ReadableStream<Uint8Array> {
  return ReadableStream.from([enc.encode(s)]);
}

async function setup() {
  const memory = new MemoryTransport();
  const sample = await buildSampleImages(memory, parseRef("example.com/a"));
  const client = new Client({ transports: () => memory });
  return { memory, sample, client };
}

async function tags(client: Client): Promise<string[]> {
  return await client.tagList(parseRef("example.com/a"));
}

Deno.test("putArtifact() builds the artifact manifest of the image spec guidance", async () => {
  const { client, sample } = await setup();
  try {
    const r = await putArtifact(client, {
      subject: sample.refs.index,
      artifactType: "application/x.note",
      annotations: { a: "1" },
      files: [{ name: "dir/n.txt", open: () => Promise.resolve(bytes("note")) }],
      fileMediaTypes: ["text/plain"],
      fileTitle: true,
      stripDirs: true,
    });
    const j = r.manifest.json as unknown as Record<string, unknown>;
    assert.equal(j.artifactType, "application/x.note");
    assert.deepEqual(j.config, { ...EMPTY_DESCRIPTOR });
    assert.deepEqual(j.layers, [{
      mediaType: "text/plain",
      digest: await digestOf(enc.encode("note")),
      size: 4,
      annotations: { [ANNOTATION_TITLE]: "n.txt" },
    }]);
    assert.deepEqual(j.subject, {
      mediaType: sample.index.mediaType,
      digest: sample.index.digest,
      size: sample.index.size,
    });
    assert.deepEqual(j.annotations, { a: "1" });
    assert.equal(r.ref.digest, r.manifest.digest);
    const refs = await client.referrerList(sample.refs.index);
    assert.ok(refs.some((d) => d.digest === r.manifest.digest));
  } finally {
    await client.close();
  }
});

Deno.test("putArtifact() uses the default artifact type with a warning", async () => {
  const { client } = await setup();
  try {
    const warnings: string[] = [];
    const r = await putArtifact(client, {
      ref: parseRef("example.com/a:note"),
      stdin: bytes("x"),
      warn: (m) => warnings.push(m),
    });
    const j = r.manifest.json as unknown as {
      artifactType: string;
      layers: { mediaType: string }[];
    };
    assert.equal(j.artifactType, DEFAULT_ARTIFACT_TYPE);
    assert.equal(j.layers[0]?.mediaType, "application/octet-stream");
    assert.equal(warnings.length, 1);
    assert.equal(r.ref.tag, "note");
  } finally {
    await client.close();
  }
});

Deno.test("putArtifact() rejects bad input before writing anything", async () => {
  const { client, sample } = await setup();
  try {
    const before = await tags(client);
    const other = parseRef("example.com/b:x");
    const cases: {
      o: Parameters<typeof putArtifact>[1];
      cls: typeof UsageError | typeof NotFoundError;
    }[] = [
      { o: { stdin: bytes("x") }, cls: UsageError },
      { o: { ref: other, external: true, stdin: bytes("x") }, cls: UsageError },
      { o: { ref: other, subject: sample.refs.index, stdin: bytes("x") }, cls: UsageError },
      {
        o: {
          ref: parseRef("example.com/a:y"),
          files: [{ name: "a", open: () => Promise.resolve(bytes("a")) }],
          fileMediaTypes: ["text/plain", "text/plain"],
        },
        cls: UsageError,
      },
      {
        o: { ref: parseRef("example.com/a:y"), artifactType: "not a type", stdin: bytes("x") },
        cls: UsageError,
      },
      {
        o: {
          ref: parseRef("example.com/a:y"),
          config: { name: "c", open: () => Promise.resolve(bytes("{}")) },
          stdin: bytes("x"),
        },
        cls: UsageError,
      },
      {
        o: { subject: parseRef("example.com/a:missing"), stdin: bytes("x") },
        cls: NotFoundError,
      },
    ];
    for (const c of cases) {
      await assert.rejects(putArtifact(client, c.o), (err: unknown) => {
        assert.ok(err instanceof c.cls, String(err));
        return true;
      });
    }
    await assert.rejects(
      putArtifact(client, { ref: sample.refs.single, index: true, stdin: bytes("x") }),
      (err: unknown) =>
        err instanceof UnsupportedMediaTypeError && err.code === "UNSUPPORTED_MEDIA_TYPE",
    );
    assert.deepEqual(await tags(client), before);
  } finally {
    await client.close();
  }
});

Deno.test("putArtifact() with index appends the artifact to the index, creating it", async () => {
  const { client } = await setup();
  try {
    const ref = parseRef("example.com/a:arts");
    const a = await putArtifact(client, {
      ref,
      index: true,
      artifactType: "application/x.a",
      stdin: bytes("a"),
    });
    const b = await putArtifact(client, {
      ref,
      index: true,
      artifactType: "application/x.b",
      stdin: bytes("b"),
      platform: { os: "linux", architecture: "amd64" },
    });
    const idx = await client.manifestGet(ref);
    const list =
      (idx.json as { manifests: { digest: string; artifactType?: string; platform?: unknown }[] })
        .manifests;
    assert.deepEqual(list.map((d) => d.digest), [a.manifest.digest, b.manifest.digest]);
    assert.equal(list[1]?.artifactType, "application/x.b");
    assert.deepEqual(list[1]?.platform, { os: "linux", architecture: "amd64" });
  } finally {
    await client.close();
  }
});

Deno.test("resolveArtifact() picks the first matching referrer of a subject", async () => {
  const { client, sample } = await setup();
  try {
    const a = await resolveArtifact(client, undefined, {
      subject: sample.refs.index,
      artifactType: SAMPLE_ARTIFACT_TYPE,
    });
    assert.equal(a.ref.digest, sample.artifact.digest);
    assert.equal(a.layers[0]?.digest, sample.artifactLayer.digest);
    await assert.rejects(
      resolveArtifact(client, undefined, { subject: sample.refs.index, artifactType: "x/none" }),
      (err: unknown) => err instanceof NotFoundError && err.code === "NOT_FOUND",
    );
    await assert.rejects(
      resolveArtifact(client, sample.refs.artifact, { external: parseRef("example.com/b") }),
      (err: unknown) => err instanceof UsageError,
    );
    await assert.rejects(
      resolveArtifact(client, sample.refs.index),
      (err: unknown) => err instanceof UnsupportedMediaTypeError,
    );
    const byPlatform = await resolveArtifact(client, sample.refs.index, {
      platform: { os: "linux", architecture: "amd64" },
    });
    assert.equal(byPlatform.ref.digest, sample.images[0]?.manifest.digest);
  } finally {
    await client.close();
  }
});

Deno.test("resolveFileMediaTypes() pairs types with files as regctl does", () => {
  assert.deepEqual(resolveFileMediaTypes(0, [], undefined), ["application/octet-stream"]);
  assert.deepEqual(resolveFileMediaTypes(0, ["text/plain"], undefined), ["text/plain"]);
  assert.deepEqual(resolveFileMediaTypes(1, [], DEFAULT_ARTIFACT_TYPE), [
    "application/octet-stream",
  ]);
  assert.throws(() => resolveFileMediaTypes(2, ["a/b"], undefined), { code: "USAGE" });
  assert.throws(() => resolveFileMediaTypes(1, ["bad"], undefined), { code: "USAGE" });
});

Deno.test("artifactTitle() keeps the path, or its last component with stripDirs", () => {
  assert.equal(artifactTitle("a/b.txt", false, false), "a/b.txt");
  assert.equal(artifactTitle("a/dir", true, false), "a/dir/");
  assert.equal(artifactTitle("a/dir/", true, true), "dir/");
});

Deno.test("planArtifactOutput() refuses titles that leave the output directory", () => {
  const l = (title: string) => ({
    mediaType: "text/plain",
    digest: "sha256:" + "a".repeat(64),
    size: 1,
    annotations: { [ANNOTATION_TITLE]: title },
  });
  for (const t of ["../x", "/etc/passwd", "a/../../x", "a\\b", ".."]) {
    assert.throws(() => planArtifactOutput([l(t)], false), { code: "MANIFEST_INVALID" }, t);
  }
  assert.deepEqual(planArtifactOutput([l("a/b.txt"), l("d/")], false).map((p) => p.path), [
    "a/b.txt",
    "d",
  ]);
  assert.deepEqual(planArtifactOutput([l("/abs/b.txt")], true).map((p) => p.path), ["b.txt"]);
  const untitled = { mediaType: "text/plain", digest: "sha256:" + "a".repeat(64), size: 1 };
  assert.deepEqual(planArtifactOutput([untitled], false), []);
});

Deno.test("selectArtifactLayers() filters by media type and title, and fails on no match", () => {
  const l = (title: string, mediaType: string) => ({
    mediaType,
    digest: "sha256:" + "a".repeat(64),
    size: 1,
    annotations: { [ANNOTATION_TITLE]: title },
  });
  const layers = [l("a", "text/plain"), l("b", "text/x"), l("c", "text/plain")];
  assert.equal(selectArtifactLayers(layers, { mediaTypes: ["text/plain"] }).length, 2);
  assert.equal(
    selectArtifactLayers(layers, { files: ["c"], mediaTypes: ["text/plain"] }).length,
    1,
  );
  assert.throws(() => selectArtifactLayers(layers, { files: ["z"] }), { code: "NOT_FOUND" });
});

Deno.test("packDirectory() is deterministic and writeArtifactFiles() extracts it", async () => {
  const files: Record<string, string> = { "sub/a.txt": "A", "b.txt": "B" };
  const source = {
    walk: () =>
      Promise.resolve([
        { path: "sub", type: "dir" as const, size: 0, mode: 0o700 },
        { path: "sub/a.txt", type: "file" as const, size: 1, mode: 0o600 },
        { path: "b.txt", type: "file" as const, size: 1, mode: 0o755 },
      ]),
    open: (p: string) => Promise.resolve(bytes(files[p] ?? "")),
  };
  const one = new Uint8Array(await new Response(await packDirectory(source)).arrayBuffer());
  const two = new Uint8Array(await new Response(await packDirectory(source)).arrayBuffer());
  assert.equal(await digestOf(one), await digestOf(two));
  const { client } = await setup();
  try {
    const repo = parseRef("example.com/a");
    const d = await client.blobPut(repo, ReadableStream.from([one]));
    const written: Record<string, string> = {};
    const dirs: string[] = [];
    await writeArtifactFiles(client, repo, [{
      path: "out",
      directory: true,
      layer: { mediaType: MediaType.OCI_LAYER_GZIP, digest: d.digest, size: d.size },
    }], {
      mkdir: (p) => {
        dirs.push(p);
        return Promise.resolve();
      },
      writeFile: async (p, body) => {
        written[p] = await new Response(body).text();
      },
    });
    assert.deepEqual(written, { "out/b.txt": "B", "out/sub/a.txt": "A" });
    assert.ok(dirs.includes("out/sub"));
    await assert.rejects(
      writeArtifactFiles(client, withDigest(repo, d.digest), [{
        path: "x",
        directory: false,
        layer: { mediaType: "text/plain", digest: await digestOf(enc.encode("nope")), size: 4 },
      }], { mkdir: () => Promise.resolve(), writeFile: () => Promise.resolve() }),
      (err: unknown) => err instanceof NotFoundError,
    );
  } finally {
    await client.close();
  }
});

/**
 * The behavioural suite every {@link Transport} backend must pass (memory,
 * ocidir, registry, serve). Call {@link runTransportSuite} from a test module;
 * each case gets a fresh backend from `create()` and cleans it up.
 *
 * @module
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ErrorCode, type ErrorCodeValue, OciError } from "../src/errors.ts";
import type { Descriptor } from "../src/types/descriptor.ts";
import { digestOf } from "../src/types/digest.ts";
import { MANIFEST_WRITE_LIMIT } from "../src/types/manifest.ts";
import { MediaType } from "../src/types/media_type.ts";
import type { Ref } from "../src/types/ref.ts";
import type { Transport } from "../src/transport/transport.ts";

/** A backend under test, made fresh for each case. */
export interface TransportFixture {
  /** The transport. */
  transport: Transport;
  /** Builds a reference into the (empty) repository under test. */
  ref: (tag?: string) => Ref;
  /** Removes whatever the fixture made (temp dirs, servers). */
  cleanup(): Promise<void>;
}

/** Options of {@link runTransportSuite}. */
export interface TransportSuiteOptions {
  /** Prefix of every test name, e.g. `ocidir`. */
  name: string;
  /** Makes a fresh backend. */
  create: () => Promise<TransportFixture>;
  /** Case ids to skip, each with the reason why. */
  skip?: Record<string, string>;
}

const enc = new TextEncoder();

/** A test blob with its descriptor. */
interface TestBlob {
  bytes: Uint8Array;
  desc: Descriptor;
}

async function makeBlob(text: string, mediaType: string = MediaType.OCI_LAYER): Promise<TestBlob> {
  const bytes = enc.encode(text);
  return { bytes, desc: { mediaType, digest: await digestOf(bytes), size: bytes.byteLength } };
}

interface ImageOptions {
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

interface TestImage {
  raw: Uint8Array;
  digest: string;
  blobs: TestBlob[];
}

async function makeImage(label: string, options: ImageOptions = {}): Promise<TestImage> {
  const config = await makeBlob(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [] },
      label,
    }),
    MediaType.OCI_CONFIG,
  );
  const layer = await makeBlob(`layer of ${label}`);
  const json: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: config.desc,
    layers: [layer.desc],
  };
  if (options.artifactType !== undefined) json.artifactType = options.artifactType;
  if (options.subject !== undefined) json.subject = options.subject;
  if (options.annotations !== undefined) json.annotations = options.annotations;
  const raw = enc.encode(JSON.stringify(json, null, 2));
  return { raw, digest: await digestOf(raw), blobs: [config, layer] };
}

async function makeIndex(children: { image: TestImage; arch: string }[]): Promise<TestImage> {
  const raw = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OCI_INDEX,
    manifests: children.map((c) => ({
      mediaType: MediaType.OCI_MANIFEST,
      digest: c.image.digest,
      size: c.image.raw.byteLength,
      platform: { os: "linux", architecture: c.arch },
    })),
  }));
  return { raw, digest: await digestOf(raw), blobs: [] };
}

function stream(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks);
}

function withDigest(ref: Ref, digest: string): Ref {
  return { ...ref, tag: "", digest };
}

async function pushBlobs(t: Transport, ref: Ref, blobs: TestBlob[]): Promise<void> {
  for (const b of blobs) {
    await t.blobPut(ref, stream(b.bytes), { digest: b.desc.digest, size: b.desc.size });
  }
}

async function pushImage(t: Transport, ref: Ref, image: TestImage): Promise<Descriptor> {
  await pushBlobs(t, ref, image.blobs);
  return await t.manifestPut(ref, image.raw);
}

function isCode(code: ErrorCodeValue): (err: unknown) => boolean {
  return (err: unknown) => {
    if (err instanceof OciError && err.code === code) return true;
    throw err;
  };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

type Case = (t: Transport, ref: (tag?: string) => Ref) => Promise<void>;

const CASES: Record<string, [string, Case]> = {
  "manifest-put-get": [
    "manifestPut() by tag is readable by tag and digest with the same bytes",
    async (t, ref) => {
      const img = await makeImage("a");
      const desc = await pushImage(t, ref("v1"), img);
      equal(desc.digest, img.digest);
      equal(desc.size, img.raw.byteLength);
      equal(desc.mediaType, MediaType.OCI_MANIFEST);
      for (const r of [ref("v1"), withDigest(ref(), img.digest)]) {
        const m = await t.manifestGet(r);
        deepEqual(m.raw, img.raw);
        equal(m.digest, img.digest);
        equal(m.mediaType, MediaType.OCI_MANIFEST);
        const head = await t.manifestHead(r);
        deepEqual(
          [head.mediaType, head.digest, head.size],
          [MediaType.OCI_MANIFEST, img.digest, img.raw.byteLength],
        );
      }
    },
  ],
  "manifest-raw-bytes": [
    "manifestGet() returns the pushed bytes unchanged (whitespace, key order)",
    async (t, ref) => {
      const img = await makeImage("raw");
      const [config, layer] = img.blobs as [TestBlob, TestBlob];
      await pushBlobs(t, ref(), img.blobs);
      const text = `{ "layers" : [ ${JSON.stringify(layer.desc)} ],\n\t"config":${
        JSON.stringify(config.desc)
      },  "mediaType": "${MediaType.OCI_MANIFEST}", "schemaVersion":2 }\n`;
      const raw = enc.encode(text);
      const desc = await t.manifestPut(ref("raw"), raw);
      equal(desc.digest, await digestOf(raw));
      deepEqual((await t.manifestGet(ref("raw"))).raw, raw);
      deepEqual((await t.manifestGet(withDigest(ref(), await digestOf(raw)))).raw, raw);
    },
  ],
  "manifest-put-digest": [
    "manifestPut() by digest stores it untagged and rejects a wrong digest",
    async (t, ref) => {
      const img = await makeImage("d");
      await pushBlobs(t, ref(), img.blobs);
      await pushImage(t, ref("keep"), await makeImage("keep"));
      await t.manifestPut(withDigest(ref(), img.digest), img.raw);
      deepEqual((await t.manifestGet(withDigest(ref(), img.digest))).raw, img.raw);
      deepEqual(await t.tagList(ref()), ["keep"]);
      const other = await makeImage("other");
      await pushBlobs(t, ref(), other.blobs);
      await rejects(
        t.manifestPut(withDigest(ref(), other.digest), img.raw),
        isCode(ErrorCode.DIGEST_MISMATCH),
      );
      await rejects(t.manifestGet(withDigest(ref(), other.digest)), isCode(ErrorCode.NOT_FOUND));
    },
  ],
  "manifest-child": [
    "manifestPut() with child stores index children without tagging them",
    async (t, ref) => {
      const amd = await makeImage("amd64");
      const arm = await makeImage("arm64");
      for (const img of [amd, arm]) {
        await pushBlobs(t, ref(), img.blobs);
        const d = await t.manifestPut(withDigest(ref(), img.digest), img.raw, { child: true });
        equal(d.digest, img.digest);
      }
      const index = await makeIndex([{ image: amd, arch: "amd64" }, { image: arm, arch: "arm64" }]);
      const desc = await t.manifestPut(ref("multi"), index.raw);
      equal(desc.mediaType, MediaType.OCI_INDEX);
      deepEqual(await t.tagList(ref()), ["multi"]);
      deepEqual((await t.manifestGet(ref("multi"))).raw, index.raw);
      for (const img of [amd, arm]) {
        deepEqual((await t.manifestGet(withDigest(ref(), img.digest))).raw, img.raw);
      }
    },
  ],
  "manifest-invalid": [
    "manifestPut() rejects bytes that are not a manifest and stores nothing",
    async (t, ref) => {
      await pushImage(t, ref("ok"), await makeImage("ok"));
      await rejects(
        t.manifestPut(ref("bad"), enc.encode("not json")),
        isCode(ErrorCode.MANIFEST_INVALID),
      );
      await rejects(
        t.manifestPut(ref("bad"), enc.encode('{"schemaVersion":2}')),
        isCode(ErrorCode.MANIFEST_INVALID),
      );
      await rejects(t.manifestGet(ref("bad")), isCode(ErrorCode.NOT_FOUND));
      deepEqual(await t.tagList(ref()), ["ok"]);
    },
  ],
  "manifest-size-limit": [
    "manifestPut() over 4 MiB fails with SizeLimitError and stores nothing",
    async (t, ref) => {
      await pushImage(t, ref("ok"), await makeImage("ok"));
      const raw = enc.encode(JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OCI_INDEX,
        manifests: [],
        annotations: { filler: "x".repeat(MANIFEST_WRITE_LIMIT) },
      }));
      ok(raw.byteLength > MANIFEST_WRITE_LIMIT);
      await rejects(t.manifestPut(ref("big"), raw), isCode(ErrorCode.SIZE_LIMIT));
      await rejects(t.manifestGet(ref("big")), isCode(ErrorCode.NOT_FOUND));
      await rejects(
        t.manifestGet(withDigest(ref(), await digestOf(raw))),
        isCode(ErrorCode.NOT_FOUND),
      );
    },
  ],
  "manifest-delete": [
    "manifestDelete() by digest removes the manifest and its tag",
    async (t, ref) => {
      const img = await makeImage("del");
      await pushImage(t, ref("v1"), img);
      await pushImage(t, ref("other"), await makeImage("other"));
      await rejects(t.manifestDelete(ref("v1")), isCode(ErrorCode.INVALID_REFERENCE));
      await t.manifestDelete(withDigest(ref(), img.digest));
      await rejects(t.manifestGet(withDigest(ref(), img.digest)), isCode(ErrorCode.NOT_FOUND));
      await rejects(t.manifestGet(ref("v1")), isCode(ErrorCode.NOT_FOUND));
      await rejects(t.manifestDelete(withDigest(ref(), img.digest)), isCode(ErrorCode.NOT_FOUND));
      deepEqual(await t.tagList(ref()), ["other"]);
    },
  ],
  "manifest-overwrite": [
    "manifestPut() to an existing tag moves it; the old manifest stays readable by digest",
    async (t, ref) => {
      const a = await makeImage("first");
      const b = await makeImage("second");
      await pushImage(t, ref("t"), a);
      await pushImage(t, ref("t"), b);
      equal((await t.manifestGet(ref("t"))).digest, b.digest);
      deepEqual((await t.manifestGet(withDigest(ref(), a.digest))).raw, a.raw);
      deepEqual(await t.tagList(ref()), ["t"]);
    },
  ],
  "blob-put-get": [
    "blobPut() stores a blob that blobHead() and blobGet() return verified",
    async (t, ref) => {
      const b = await makeBlob("hello blob");
      const d = await t.blobPut(ref(), stream(b.bytes.subarray(0, 3), b.bytes.subarray(3)), {
        digest: b.desc.digest,
        size: b.desc.size,
      });
      deepEqual([d.digest, d.size], [b.desc.digest, b.desc.size]);
      equal((await t.blobHead(ref(), b.desc.digest)).size, b.desc.size);
      const r = await t.blobGet(ref(), b.desc.digest, { size: b.desc.size });
      deepEqual([r.descriptor.digest, r.descriptor.size], [b.desc.digest, b.desc.size]);
      deepEqual(await readAll(r.body), b.bytes);
      const c = await makeBlob("no expected digest");
      const dc = await t.blobPut(ref(), stream(c.bytes));
      deepEqual([dc.digest, dc.size], [c.desc.digest, c.desc.size]);
      const r2 = await t.blobGet(ref(), c.desc.digest);
      deepEqual(await readAll(r2.body), c.bytes);
    },
  ],
  "blob-large": [
    "blobPut() and blobGet() stream a 2 MiB blob in many chunks",
    async (t, ref) => {
      const chunk = new Uint8Array(64 * 1024);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < 32; i++) chunks.push(chunk.map((_, j) => (i * 7 + j) & 0xff));
      const all = new Uint8Array(32 * chunk.byteLength);
      chunks.forEach((c, i) => all.set(c, i * chunk.byteLength));
      const digest = await digestOf(all);
      await t.blobPut(ref(), stream(...chunks), { digest, size: all.byteLength });
      const r = await t.blobGet(ref(), digest);
      const back = await readAll(r.body);
      equal(back.byteLength, all.byteLength);
      equal(await digestOf(back), digest);
    },
  ],
  "blob-mismatch": [
    "blobPut() with a wrong digest, wrong size or failing stream stores nothing",
    async (t, ref) => {
      await pushImage(t, ref("ok"), await makeImage("ok"));
      const b = await makeBlob("mismatch");
      const wrong = (await makeBlob("something else")).desc.digest;
      await rejects(
        t.blobPut(ref(), stream(b.bytes), { digest: wrong }),
        isCode("DIGEST_MISMATCH"),
      );
      await rejects(
        t.blobPut(ref(), stream(b.bytes), { size: b.desc.size + 1 }),
        isCode(ErrorCode.SIZE_MISMATCH),
      );
      await rejects(
        t.blobPut(ref(), stream(b.bytes), { digest: b.desc.digest, size: b.desc.size - 1 }),
        isCode(ErrorCode.SIZE_MISMATCH),
      );
      const failing = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(b.bytes);
          c.error(new RangeError("source broke"));
        },
      });
      await rejects(t.blobPut(ref(), failing, { digest: b.desc.digest }));
      for (const d of [b.desc.digest, wrong]) {
        await rejects(t.blobHead(ref(), d), isCode(ErrorCode.NOT_FOUND));
      }
    },
  ],
  "blob-get-verify": [
    "blobGet() with a wrong expected size errors the stream instead of ending it",
    async (t, ref) => {
      const b = await makeBlob("verified read");
      await t.blobPut(ref(), stream(b.bytes));
      const r = await t.blobGet(ref(), b.desc.digest, { size: b.desc.size + 5 });
      await rejects(readAll(r.body), isCode(ErrorCode.SIZE_MISMATCH));
      const r2 = await t.blobGet(ref(), b.desc.digest, { size: b.desc.size - 1 });
      await rejects(readAll(r2.body), isCode(ErrorCode.SIZE_MISMATCH));
    },
  ],
  "blob-delete": [
    "blobDelete() removes a blob; a second delete is NotFoundError",
    async (t, ref) => {
      const b = await makeBlob("to delete");
      await t.blobPut(ref(), stream(b.bytes));
      await t.blobDelete(ref(), b.desc.digest);
      await rejects(t.blobHead(ref(), b.desc.digest), isCode(ErrorCode.NOT_FOUND));
      await rejects(t.blobDelete(ref(), b.desc.digest), isCode(ErrorCode.NOT_FOUND));
    },
  ],
  "tag-list": [
    "tagList() is sorted and honours limit and last",
    async (t, ref) => {
      const img = await makeImage("tags");
      await pushBlobs(t, ref(), img.blobs);
      for (const tag of ["d", "b", "a", "c"]) await t.manifestPut(ref(tag), img.raw);
      deepEqual(await t.tagList(ref()), ["a", "b", "c", "d"]);
      deepEqual(await t.tagList(ref(), { limit: 2 }), ["a", "b"]);
      deepEqual(await t.tagList(ref(), { last: "b" }), ["c", "d"]);
      deepEqual(await t.tagList(ref(), { last: "b", limit: 1 }), ["c"]);
    },
  ],
  "tag-delete": [
    "tagDelete() removes only the tag; the manifest stays reachable by digest",
    async (t, ref) => {
      const img = await makeImage("tagdel");
      await pushImage(t, ref("v1"), img);
      await t.manifestPut(ref("v2"), img.raw);
      await t.tagDelete(ref("v1"));
      deepEqual(await t.tagList(ref()), ["v2"]);
      await rejects(t.manifestGet(ref("v1")), isCode(ErrorCode.NOT_FOUND));
      deepEqual((await t.manifestGet(withDigest(ref(), img.digest))).raw, img.raw);
      await t.tagDelete(ref("v2"));
      deepEqual((await t.manifestGet(withDigest(ref(), img.digest))).raw, img.raw);
      await rejects(t.tagDelete(ref("v1")), isCode(ErrorCode.NOT_FOUND));
    },
  ],
  "referrers": [
    "referrerList() finds manifests by subject and filters by artifactType",
    async (t, ref) => {
      const subject = await makeImage("subject");
      const sd = await pushImage(t, ref("v1"), subject);
      const subjectDesc = { mediaType: sd.mediaType, digest: sd.digest, size: sd.size };
      const sbom = await makeImage("sbom", {
        subject: subjectDesc,
        artifactType: "application/vnd.example.sbom",
        annotations: { "org.example.kind": "sbom" },
      });
      const sig = await makeImage("sig", {
        subject: subjectDesc,
        artifactType: "application/vnd.example.sig",
      });
      for (const img of [sbom, sig]) {
        await pushBlobs(t, ref(), img.blobs);
        await t.manifestPut(withDigest(ref(), img.digest), img.raw);
      }
      const all = await t.referrerList(withDigest(ref(), subject.digest));
      deepEqual(all.map((d) => d.digest).sort(), [sbom.digest, sig.digest].sort());
      const byTag = await t.referrerList(ref("v1"));
      deepEqual(byTag.map((d) => d.digest).sort(), [sbom.digest, sig.digest].sort());
      const only = await t.referrerList(withDigest(ref(), subject.digest), {
        artifactType: "application/vnd.example.sbom",
      });
      equal(only.length, 1);
      const d = only[0] as Descriptor;
      deepEqual(
        [d.digest, d.size, d.mediaType, d.artifactType, d.annotations?.["org.example.kind"]],
        [
          sbom.digest,
          sbom.raw.byteLength,
          MediaType.OCI_MANIFEST,
          "application/vnd.example.sbom",
          "sbom",
        ],
      );
      deepEqual(await t.referrerList(withDigest(ref(), sbom.digest)), []);
    },
  ],
  "not-found": [
    "missing tags, manifests and blobs raise NotFoundError",
    async (t, ref) => {
      await pushImage(t, ref("v1"), await makeImage("present"));
      const absent = await makeImage("absent");
      const nf = isCode(ErrorCode.NOT_FOUND);
      await rejects(t.manifestGet(ref("nope")), nf);
      await rejects(t.manifestHead(ref("nope")), nf);
      await rejects(t.manifestGet(withDigest(ref(), absent.digest)), nf);
      await rejects(t.manifestHead(withDigest(ref(), absent.digest)), nf);
      await rejects(t.blobHead(ref(), absent.digest), nf);
      await rejects(t.blobGet(ref(), absent.digest), nf);
      await rejects(t.blobDelete(ref(), absent.digest), nf);
      await rejects(t.tagDelete(ref("nope")), nf);
    },
  ],
  "empty-repo": [
    "tagList() and manifestGet() of a repository never pushed raise NotFoundError",
    async (t, ref) => {
      await rejects(t.tagList(ref()), isCode(ErrorCode.NOT_FOUND));
      await rejects(t.manifestGet(ref("latest")), isCode(ErrorCode.NOT_FOUND));
    },
  ],
  "abort": [
    "an aborted signal stops blobPut() and manifestPut() before anything is stored",
    async (t, ref) => {
      await pushImage(t, ref("ok"), await makeImage("ok"));
      const ctl = new AbortController();
      ctl.abort();
      const b = await makeBlob("aborted");
      await rejects(
        t.blobPut(ref(), stream(b.bytes), { signal: ctl.signal }),
        isCode(ErrorCode.ABORTED),
      );
      await rejects(t.blobHead(ref(), b.desc.digest), isCode(ErrorCode.NOT_FOUND));
      const img = await makeImage("aborted");
      await pushBlobs(t, ref(), img.blobs);
      await rejects(
        t.manifestPut(ref("aborted"), img.raw, { signal: ctl.signal }),
        isCode(ErrorCode.ABORTED),
      );
      await rejects(t.manifestGet(ref("aborted")), isCode(ErrorCode.NOT_FOUND));
    },
  ],
};

/** The ids of the suite's cases (keys accepted by `skip`). */
export const TRANSPORT_CASES: readonly string[] = Object.keys(CASES);

/**
 * Registers the conformance cases as `Deno.test`s for one backend.
 *
 * @param options backend name, factory and skips (each with a reason)
 * @returns nothing
 * @throws {Error} when `skip` names an unknown case
 */
export function runTransportSuite(options: TransportSuiteOptions): void {
  for (const id of Object.keys(options.skip ?? {})) {
    if (!(id in CASES)) throw new Error(`Unknown transport conformance case "${id}"`);
  }
  for (const [id, [title, fn]] of Object.entries(CASES)) {
    const reason = options.skip?.[id];
    Deno.test({
      name: `${options.name}: ${title}${reason !== undefined ? ` (skipped: ${reason})` : ""}`,
      ignore: reason !== undefined,
      async fn() {
        const fixture = await options.create();
        try {
          await fn(fixture.transport, fixture.ref);
        } finally {
          await fixture.transport.close();
          await fixture.cleanup();
        }
      },
    });
  }
}

import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { ErrorCode, OciError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import { denoFileSystem as fs } from "./file_system.ts";
import {
  blobPath,
  findTag,
  type IndexEntry,
  type LayoutIndex,
  listTags,
  openLayoutForWrite,
  readLayout,
  REF_NAME_ANNOTATION,
  removeDigest,
  removeTag,
  setEntry,
} from "./layout.ts";

const d = async (s: string): Promise<Descriptor> => ({
  mediaType: MediaType.OCI_MANIFEST,
  digest: await digestOf(new TextEncoder().encode(s)),
  size: s.length,
});
const entry = (desc: Descriptor, name?: string): IndexEntry =>
  name === undefined ? { ...desc } : { ...desc, annotations: { [REF_NAME_ANNOTATION]: name } };
const idx = (...manifests: IndexEntry[]): LayoutIndex => ({ schemaVersion: 2, manifests });
const names = (i: LayoutIndex) => i.manifests.map((e) => e.annotations?.[REF_NAME_ANNOTATION]);

Deno.test("blobPath() maps a digest to blobs/<alg>/<hex> and rejects unsafe digests", async () => {
  const a = await d("a");
  equal(blobPath("/l", a.digest), `/l/blobs/sha256/${a.digest.slice(7)}`);
  throws(() => blobPath("/l", "sha256:../../x"), (e: unknown) => {
    return e instanceof OciError && e.code === ErrorCode.INVALID_DIGEST;
  });
});

Deno.test("setEntry() replaces the tag's entry and keeps the others", async () => {
  const [a, b] = [await d("a"), await d("b")];
  const { index, removed } = setEntry(idx(entry(a, "t"), entry(a, "u")), "t", b);
  deepEqual(names(index), ["t", "u"]);
  equal(index.manifests[0]?.digest, b.digest);
  deepEqual(removed.map((e) => e.digest), [a.digest]);
});

Deno.test("setEntry() adds an untagged entry once and a tag replaces it", async () => {
  const a = await d("a");
  const once = setEntry(idx(), "", a).index;
  const twice = setEntry(once, "", a);
  equal(twice.index.manifests.length, 1);
  const tagged = setEntry(twice.index, "v1", a).index;
  deepEqual(names(tagged), ["v1"]);
  deepEqual(names(setEntry(tagged, "", a).index), ["v1", undefined]);
});

Deno.test("findTag() and listTags() handle bare tags and full names", async () => {
  const [a, b, c] = [await d("a"), await d("b"), await d("c")];
  const index = idx(entry(a, "docker.io/library/alpine:3.19"), entry(b, "latest"), entry(c));
  equal(findTag(index, "3.19")?.digest, a.digest);
  equal(findTag(index, "latest")?.digest, b.digest);
  equal(findTag(index, "3"), undefined);
  deepEqual(listTags(index), ["3.19", "latest"]);
});

Deno.test("removeTag() prefers exact names and removeDigest() drops every entry of a digest", async () => {
  const [a, b] = [await d("a"), await d("b")];
  const index = idx(entry(a, "v1"), entry(b, "repo:v1"), entry(a));
  deepEqual(removeTag(index, "v1").removed.map((e) => e.digest), [a.digest]);
  deepEqual(removeTag(removeTag(index, "v1").index, "v1").removed.map((e) => e.digest), [b.digest]);
  deepEqual(removeTag(index, "nope").removed, []);
  const gone = removeDigest(index, a.digest);
  deepEqual(gone.index.manifests.map((e) => e.digest), [b.digest]);
  equal(gone.removed.length, 2);
});

Deno.test("openLayoutForWrite() creates a layout that readLayout() accepts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_layout_" });
  try {
    deepEqual((await openLayoutForWrite(fs, dir)).manifests, []);
    deepEqual((await readLayout(fs, dir)).manifests, []);
    equal((await fs.stat(`${dir}/blobs`))?.isDirectory, true);
    await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify({ schemaVersion: 2, extra: 1 }));
    const read = await readLayout(fs, dir);
    deepEqual([read.manifests, read.extra], [[], 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openLayoutForWrite() finishes a creation killed part-way and refuses other directories", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_layout_" });
  const isLayout = (e: unknown) => e instanceof OciError && e.code === ErrorCode.LAYOUT_INVALID;
  try {
    // what a kill between index.json and oci-layout (or mid temp write) leaves
    await Deno.mkdir(`${dir}/blobs/sha256`, { recursive: true });
    await Deno.writeTextFile(`${dir}/index.json`, JSON.stringify(idx(entry(await d("a"), "v1"))));
    await Deno.writeTextFile(`${dir}/oci-layout.${crypto.randomUUID()}.tmp`, "{");
    deepEqual(names(await openLayoutForWrite(fs, dir)), ["v1"]);
    deepEqual(names(await readLayout(fs, dir)), ["v1"]);
    // a directory with anything else in it is not taken over
    const other = `${dir}-other`;
    await Deno.mkdir(other);
    await Deno.writeTextFile(`${other}/notes.txt`, "mine");
    await rejects(openLayoutForWrite(fs, other), isLayout);
    equal(await fs.stat(`${other}/oci-layout`), undefined);
    // nor one whose index.json is not an index
    await Deno.remove(`${other}/notes.txt`);
    await Deno.writeTextFile(`${other}/index.json`, "[1]");
    await rejects(openLayoutForWrite(fs, other), isLayout);
    equal(await fs.stat(`${other}/oci-layout`), undefined);
    await Deno.remove(other, { recursive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readLayout() rejects a file, a layout without index.json, and bad annotations", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_layout_" });
  const isLayout = (e: unknown) => e instanceof OciError && e.code === ErrorCode.LAYOUT_INVALID;
  try {
    await Deno.writeTextFile(`${dir}/file`, "x");
    await rejects(readLayout(fs, `${dir}/file`), isLayout);
    await Deno.writeTextFile(`${dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
    await rejects(readLayout(fs, dir), isLayout);
    await Deno.writeTextFile(
      `${dir}/index.json`,
      JSON.stringify({ manifests: [{ ...d("a"), annotations: { k: 1 } }] }),
    );
    await rejects(readLayout(fs, dir), isLayout);
    await Deno.writeTextFile(`${dir}/index.json`, "[]");
    await rejects(readLayout(fs, dir), isLayout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readLayout() answers NotFoundError for an empty directory", async () => {
  const dir = await Deno.makeTempDir();
  const code = (e: unknown, c: string) => e instanceof OciError && e.code === c;
  try {
    await rejects(readLayout(fs, dir), (e) => code(e, ErrorCode.NOT_FOUND));
    await Deno.mkdir(`${dir}/blobs`);
    await rejects(readLayout(fs, dir), (e) => code(e, ErrorCode.NOT_FOUND));
    await Deno.writeTextFile(`${dir}/stray.txt`, "x");
    await rejects(readLayout(fs, dir), (e) => code(e, ErrorCode.LAYOUT_INVALID));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

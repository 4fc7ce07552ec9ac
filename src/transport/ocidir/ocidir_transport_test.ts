import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { ErrorCode, LayoutError } from "../../errors.ts";
import type { Descriptor } from "../../types/descriptor.ts";
import { digestOf } from "../../types/digest.ts";
import { MANIFEST_READ_LIMIT } from "../../types/manifest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { referrersFallbackTag } from "../../types/referrer.ts";
import { OciDirTransport } from "./ocidir_transport.ts";
import { pathExists } from "../../../tests/_files.ts";
import {
  type Blob,
  blob,
  blobFile,
  code,
  enc,
  image,
  push,
  readIndex,
  withLayout,
  writeBlob,
  writeJson,
} from "./_ocidir_test_helper.ts";

Deno.test("OciDirTransport.manifestPut() creates an OCI layout in a missing directory", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const img = await image("a");
    await push(t, ref("v1"), img);
    await t.close();
    deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/oci-layout`)), {
      imageLayoutVersion: "1.0.0",
    });
    const index = await readIndex(dir);
    equal(index.manifests.length, 1);
    deepEqual(index.manifests[0], {
      mediaType: MediaType.OCI_MANIFEST,
      digest: img.digest,
      size: img.raw.length,
      annotations: { "org.opencontainers.image.ref.name": "v1" },
    });
    deepEqual(await Deno.readFile(blobFile(dir, img.digest)), img.raw);
    const leftovers: string[] = [];
    for (const d of [dir, `${dir}/blobs/sha256`]) {
      for await (const e of Deno.readDir(d)) if (e.name.endsWith(".tmp")) leftovers.push(e.name);
    }
    deepEqual(leftovers, []);
  });
});

Deno.test("OciDirTransport reads a missing directory as NotFoundError and a non-layout as LayoutError", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    await rejects(t.tagList(ref()), code(ErrorCode.NOT_FOUND));
    await rejects(t.manifestGet(ref("v1")), code(ErrorCode.NOT_FOUND));
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
    await rejects(t.tagList(ref()), code(ErrorCode.LAYOUT_INVALID));
    await rejects(t.manifestGet(ref("v1")), code(ErrorCode.LAYOUT_INVALID));
    await rejects(push(t, ref("v1"), await image("a")), code(ErrorCode.LAYOUT_INVALID));
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    deepEqual(names.filter((n) => n !== ".ocictl.lock"), ["notes.txt"]);
    await t.close();
  });
});

Deno.test("OciDirTransport rejects an oci-layout of another version without writing", async () => {
  await withLayout(async (dir, ref) => {
    await Deno.mkdir(dir);
    await writeJson(`${dir}/oci-layout`, { imageLayoutVersion: "2.0.0" });
    await writeJson(`${dir}/index.json`, { schemaVersion: 2, manifests: [] });
    const before = await Deno.readTextFile(`${dir}/index.json`);
    const t = new OciDirTransport();
    await rejects(t.tagList(ref()), code(ErrorCode.LAYOUT_INVALID));
    await rejects(push(t, ref("v1"), await image("a")), code(ErrorCode.LAYOUT_INVALID));
    equal(await Deno.readTextFile(`${dir}/index.json`), before);
    equal(await pathExists(`${dir}/blobs`), false);
    await Deno.writeTextFile(`${dir}/oci-layout`, "{not json");
    await rejects(t.tagList(ref()), code(ErrorCode.LAYOUT_INVALID));
    await t.close();
  });
});

Deno.test("OciDirTransport names a broken index.json and never overwrites it", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    await push(t, ref("v1"), await image("a"));
    await Deno.writeTextFile(`${dir}/index.json`, '{"manifests": [');
    const t2 = new OciDirTransport();
    await rejects(t2.tagList(ref()), (err: unknown) => {
      return err instanceof LayoutError && err.code === ErrorCode.LAYOUT_INVALID &&
        err.path.endsWith("/index.json");
    });
    await rejects(push(t2, ref("v2"), await image("b")), code(ErrorCode.LAYOUT_INVALID));
    await rejects(t2.tagDelete(ref("v1")), code(ErrorCode.LAYOUT_INVALID));
    equal(await Deno.readTextFile(`${dir}/index.json`), '{"manifests": [');
    await writeJson(`${dir}/index.json`, { schemaVersion: 2, manifests: [{ digest: 5 }] });
    await rejects(t2.tagList(ref()), code(ErrorCode.LAYOUT_INVALID));
    await t.close();
    await t2.close();
  });
});

Deno.test("OciDirTransport finds tags written as full names by other tools", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const img = await image("full");
    await push(t, ref("plain"), img);
    const index = await readIndex(dir);
    index.manifests.push({
      ...(index.manifests[0] as Descriptor),
      annotations: { "org.opencontainers.image.ref.name": "docker.io/library/alpine:3.19" },
    });
    await writeJson(`${dir}/index.json`, index);
    deepEqual(await t.tagList(ref()), ["3.19", "plain"]);
    equal((await t.manifestGet(ref("3.19"))).digest, img.digest);
    await t.tagDelete(ref("3.19"));
    deepEqual(await t.tagList(ref()), ["plain"]);
    await t.close();
  });
});

Deno.test("OciDirTransport infers Docker schema1 when index.json has no media type", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    await push(t, ref("seed"), await image("seed"));
    const raw = enc.encode(JSON.stringify({
      schemaVersion: 1,
      name: "x",
      tag: "old",
      fsLayers: [],
      signatures: [{}],
    }));
    const digest = await writeBlob(dir, raw);
    const index = await readIndex(dir);
    index.manifests.push({
      digest,
      size: raw.length,
      annotations: { "org.opencontainers.image.ref.name": "old" },
    } as unknown as Descriptor);
    await writeJson(`${dir}/index.json`, index);
    equal((await t.manifestGet(ref("old"))).mediaType, MediaType.DOCKER_SCHEMA1_SIGNED);
    equal((await t.manifestHead(ref("old"))).mediaType, MediaType.DOCKER_SCHEMA1_SIGNED);
    await t.close();
  });
});

Deno.test("OciDirTransport.manifestGet() refuses a stored manifest over 8 MiB", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    await push(t, ref("seed"), await image("seed"));
    const raw = enc.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [],
      annotations: { filler: "x".repeat(MANIFEST_READ_LIMIT) },
    }));
    const digest = await writeBlob(dir, raw);
    const index = await readIndex(dir);
    index.manifests.push({
      mediaType: MediaType.OCI_INDEX,
      digest,
      size: raw.length,
      annotations: { "org.opencontainers.image.ref.name": "huge" },
    });
    await writeJson(`${dir}/index.json`, index);
    await rejects(t.manifestGet(ref("huge")), code(ErrorCode.SIZE_LIMIT));
    await rejects(t.manifestGet(ref("", digest)), code(ErrorCode.SIZE_LIMIT));
    await t.close();
  });
});

Deno.test("OciDirTransport detects corrupted manifest and blob files", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const img = await image("corrupt");
    await push(t, ref("v1"), img);
    const other = await image("other");
    await Deno.writeFile(blobFile(dir, img.digest), other.raw.slice(0, img.raw.length));
    await rejects(t.manifestGet(ref("v1")), code(ErrorCode.DIGEST_MISMATCH));
    const layer = img.layers[0] as Blob;
    await Deno.writeTextFile(blobFile(dir, layer.desc.digest), "x".repeat(layer.desc.size));
    const r = await t.blobGet(ref(), layer.desc.digest);
    await rejects(new Response(r.body).arrayBuffer(), code(ErrorCode.DIGEST_MISMATCH));
    await t.close();
  });
});

Deno.test("OciDirTransport rejects an index.json entry whose digest could escape the layout", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    await push(t, ref("seed"), await image("seed"));
    const index = await readIndex(dir);
    index.manifests.push({
      mediaType: MediaType.OCI_MANIFEST,
      digest: "sha256:../../../etc/passwd",
      size: 1,
      annotations: { "org.opencontainers.image.ref.name": "evil" },
    });
    await writeJson(`${dir}/index.json`, index);
    await rejects(t.manifestGet(ref("evil")), code(ErrorCode.LAYOUT_INVALID));
    await rejects(t.blobGet(ref(), "sha256:../x"), code(ErrorCode.INVALID_DIGEST));
    await t.close();
  });
});

Deno.test("OciDirTransport.manifestPut() by digest adds one untagged entry", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const img = await image("untagged");
    await push(t, ref("", img.digest), img);
    await t.manifestPut(ref("", img.digest), img.raw);
    const index = await readIndex(dir);
    deepEqual(index.manifests.map((d) => [d.digest, d.annotations]), [[img.digest, undefined]]);
    await t.manifestPut(ref("now-tagged"), img.raw);
    deepEqual((await readIndex(dir)).manifests.map((d) => d.annotations), [
      { "org.opencontainers.image.ref.name": "now-tagged" },
    ]);
    await t.close();
  });
});

Deno.test("OciDirTransport.close() collects blobs its overwrites and deletes left unreferenced", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const shared = await blob("shared layer");
    const a = await image("a", { layers: [shared, await blob("only a")] });
    const b = await image("b", { layers: [shared] });
    const c = await image("c");
    await push(t, ref("t"), a);
    await push(t, ref("keep"), b);
    await push(t, ref("t"), c);
    const stray = await blob("pushed but never referenced");
    await t.blobPut(ref(), ReadableStream.from([stray.bytes]));
    equal(await pathExists(blobFile(dir, a.digest)), true);
    await t.close();
    equal(await pathExists(blobFile(dir, a.digest)), false);
    equal(await pathExists(blobFile(dir, a.config.desc.digest)), false);
    equal(await pathExists(blobFile(dir, (a.layers[1] as Blob).desc.digest)), false);
    equal(await pathExists(blobFile(dir, shared.desc.digest)), true);
    equal(await pathExists(blobFile(dir, stray.desc.digest)), true);
    for (const img of [b, c]) {
      equal((await t.manifestGet(ref("", img.digest))).digest, img.digest);
      for (const l of [img.config, ...img.layers]) {
        equal(await pathExists(blobFile(dir, l.desc.digest)), true);
      }
    }
    await t.tagDelete(ref("keep"));
    equal((await t.manifestGet(ref("", b.digest))).digest, b.digest);
    await t.manifestDelete(ref("", c.digest));
    equal(await pathExists(blobFile(dir, c.digest)), false);
    await t.close();
    for (const l of [b.digest, b.config.desc.digest, shared.desc.digest, c.config.desc.digest]) {
      equal(await pathExists(blobFile(dir, l)), false, l);
    }
    equal(await pathExists(blobFile(dir, stray.desc.digest)), true);
    deepEqual(await t.tagList(ref()), []);
  });
});

Deno.test("OciDirTransport with collect off (serve) keeps no record of garbage and removes nothing", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport({ collect: false });
    const a = await image("a");
    const b = await image("b");
    await push(t, ref("t"), a);
    await push(t, ref("t"), b);
    await t.manifestDelete(ref("", b.digest));
    await t.close();
    for (const d of [a.digest, a.config.desc.digest, b.config.desc.digest]) {
      equal(await pathExists(blobFile(dir, d)), true, d);
    }
    equal(await pathExists(blobFile(dir, b.digest)), false);
  });
});

Deno.test("OciDirTransport.close() keeps a candidate blob that another writer rewrote", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const img = await image("raced");
    await push(t, ref("v1"), img);
    await t.tagDelete(ref("v1"));
    await new Promise((r) => setTimeout(r, 5));
    const other = new OciDirTransport();
    const layer = img.layers[0] as Blob;
    await other.blobPut(ref(), ReadableStream.from([layer.bytes]), { digest: layer.desc.digest });
    // closed first: a collection waits for the process's other leases on the layout
    await other.close();
    await t.close();
    equal(await pathExists(blobFile(dir, img.digest)), false);
    equal(await pathExists(blobFile(dir, layer.desc.digest)), true);
  });
});

Deno.test("OciDirTransport keeps the referrers fallback tag index up to date", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const subject = await image("subject");
    await push(t, ref("v1"), subject);
    const sd = {
      mediaType: MediaType.OCI_MANIFEST,
      digest: subject.digest,
      size: subject.raw.length,
    };
    const sig = await image("sig", { subject: sd, artifactType: "application/vnd.example.sig" });
    await push(t, ref("", sig.digest), sig);
    await t.manifestPut(ref("", sig.digest), sig.raw);
    const child = await image("child", {
      subject: sd,
      artifactType: "application/vnd.example.child",
    });
    await t.manifestPut(ref("", child.digest), child.raw, { child: true });
    const tag = referrersFallbackTag(subject.digest);
    deepEqual(await t.tagList(ref()), [tag, "v1"].sort());
    const fallback = await t.manifestGet(ref(tag));
    equal(fallback.mediaType, MediaType.OCI_INDEX);
    deepEqual((fallback.json as { manifests: Descriptor[] }).manifests, [{
      mediaType: MediaType.OCI_MANIFEST,
      digest: sig.digest,
      size: sig.raw.length,
      artifactType: "application/vnd.example.sig",
    }]);
    const second = await image("second", { subject: sd });
    await push(t, ref("", second.digest), second);
    const list = await t.referrerList(ref("", subject.digest));
    deepEqual(list.map((d) => d.digest).sort(), [sig.digest, second.digest].sort());
    equal(list.find((d) => d.digest === second.digest)?.artifactType, MediaType.OCI_CONFIG);
    await t.close();
    equal(
      ((await t.manifestGet(ref(tag))).json as { manifests: Descriptor[] }).manifests.length,
      2,
    );
    equal((await readIndex(dir)).manifests.length, 4);
    await t.manifestDelete(ref("", sig.digest));
    deepEqual((await t.referrerList(ref("v1"))).map((d) => d.digest), [second.digest]);
    await t.manifestDelete(ref("", second.digest));
    deepEqual(await t.referrerList(ref("v1")), []);
    deepEqual(await t.tagList(ref()), ["v1"]);
    await t.close();
    const left: string[] = [];
    for await (const e of Deno.readDir(`${dir}/blobs/sha256`)) left.push(`sha256:${e.name}`);
    const want = [subject.digest, subject.config.desc.digest, child.digest];
    deepEqual(left.sort(), [...want, ...subject.layers.map((l) => l.desc.digest)].sort());
  });
});

Deno.test("OciDirTransport.referrerList() reads a fallback index written by another tool", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const subject = await image("subject");
    await push(t, ref("v1"), subject);
    const listed: Descriptor = {
      mediaType: MediaType.OCI_MANIFEST,
      digest: await digestOf(enc.encode("elsewhere")),
      size: 9,
      artifactType: "application/vnd.example.remote",
    };
    const fb = enc.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [listed],
    }));
    const index = await readIndex(dir);
    index.manifests.push({
      mediaType: MediaType.OCI_INDEX,
      digest: await writeBlob(dir, fb),
      size: fb.length,
      annotations: { "org.opencontainers.image.ref.name": referrersFallbackTag(subject.digest) },
    });
    await writeJson(`${dir}/index.json`, index);
    deepEqual(await t.referrerList(ref("v1")), [listed]);
    deepEqual(await t.referrerList(ref("v1"), { artifactType: "application/other" }), []);
    await t.close();
  });
});

Deno.test("OciDirTransport keeps every tag when several processes push into one layout", async () => {
  const base = await Deno.makeTempDir({ prefix: "ocictl_ocidir_procs_" });
  try {
    const script = new URL("../../../tests/_ocidir_writer.ts", import.meta.url).pathname;
    const writers = 4;
    const perWriter = 6;
    for (let round = 0; round < 3; round++) {
      const dir = `${base}/round${round}`;
      const ref: Ref = {
        scheme: "ocidir",
        registry: "",
        repository: "",
        path: dir,
        tag: "",
        digest: "",
      };
      const t = new OciDirTransport();
      if (round > 0) await t.blobPut(ref, ReadableStream.from([enc.encode("layout made first")]));
      const children = Array.from({ length: writers }, (_, w) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--quiet", script, dir, `w${w}`, String(perWriter)],
          stdout: "null",
          stderr: "piped",
        }).output());
      for (const out of await Promise.all(children)) {
        equal(out.code, 0, new TextDecoder().decode(out.stderr));
      }
      const tags = await t.tagList(ref);
      const want = [];
      for (let w = 0; w < writers; w++) for (let i = 0; i < perWriter; i++) want.push(`w${w}-${i}`);
      deepEqual(tags, want.sort());
      for (const tag of tags) ok((await t.manifestGet({ ...ref, tag })).size > 0);
      await t.close();
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

async function runTool(cmd: string, args: string[]): Promise<Uint8Array> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(
        `"${cmd}" is not on PATH: install it (apt-get install ${cmd}) to run the OCI layout interop tests`,
      );
    }
    throw err;
  }
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

Deno.test("OciDirTransport reads a layout made by umoci, and umoci reads our additions", async () => {
  await withLayout(async (dir, ref) => {
    await runTool("umoci", ["init", "--layout", dir]);
    await runTool("umoci", ["new", "--image", `${dir}:t1`]);
    const t = new OciDirTransport();
    deepEqual(await t.tagList(ref()), ["t1"]);
    const m = await t.manifestGet(ref("t1"));
    equal(m.mediaType, MediaType.OCI_MANIFEST);
    const config = (m.json as { config: Descriptor }).config;
    const r = await t.blobGet(ref(), config.digest, { size: config.size });
    const cfg = JSON.parse(await new Response(r.body).text());
    equal(typeof cfg.architecture, "string");
    await push(t, ref("ours"), await image("ours"));
    await t.close();
    const listed = new TextDecoder().decode(await runTool("umoci", ["ls", "--layout", dir]));
    deepEqual(listed.trim().split("\n").sort(), ["ours", "t1"]);
  });
});

Deno.test("skopeo reads a layout we wrote and writes one we read", async () => {
  await withLayout(async (dir, ref) => {
    const t = new OciDirTransport();
    const img = await image("for skopeo");
    await push(t, ref("v1"), img);
    await t.close();
    deepEqual(await runTool("skopeo", ["inspect", "--raw", `oci:${dir}:v1`]), img.raw);
    const copy = `${dir}-skopeo`;
    try {
      await runTool("skopeo", [
        "copy",
        "--quiet",
        "--preserve-digests",
        `oci:${dir}:v1`,
        `oci:${copy}:copied`,
      ]);
      const cref: Ref = { ...ref(), path: copy };
      deepEqual(await t.tagList(cref), ["copied"]);
      const m = await t.manifestGet({ ...cref, tag: "copied" });
      equal(m.digest, img.digest);
      const layer = img.layers[0] as Blob;
      const r = await t.blobGet(cref, layer.desc.digest);
      deepEqual(new Uint8Array(await new Response(r.body).arrayBuffer()), layer.bytes);
      await t.close();
    } finally {
      await Deno.remove(copy, { recursive: true }).catch(() => {});
    }
  });
});

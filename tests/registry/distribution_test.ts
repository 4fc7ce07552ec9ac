import assert from "node:assert/strict";
import {
  DigestMismatchError,
  NotFoundError,
  RegistryError,
  SizeMismatchError,
} from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef } from "../../src/types/ref.ts";
import type { HostConfig } from "../../src/transport/registry/host_config.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { type Distribution, hasDistribution, startDistribution } from "./_distribution.ts";
import { buildImage, collect, randomBytes, streamOf, type TestImage } from "./_image.ts";

const ignore = !hasDistribution;

async function withRegistry(
  fn: (d: Distribution, t: RegistryTransport) => Promise<void>,
  host: Partial<HostConfig> = {},
  users?: Record<string, string>,
): Promise<void> {
  const d = await startDistribution(users ? { users } : {});
  const t = new RegistryTransport({ hosts: [{ name: d.host, tls: "disabled", ...host }] });
  try {
    await fn(d, t);
  } finally {
    await t.close();
    await d.stop();
  }
}

async function pushImage(t: RegistryTransport, ref: string, img: TestImage): Promise<void> {
  const r = parseRef(ref);
  for (const b of img.blobs) {
    await t.blobPut(r, streamOf(b.bytes), { digest: b.digest, size: b.bytes.byteLength });
  }
  await t.manifestPut(r, img.manifest);
}

Deno.test({
  name: "RegistryTransport pushes, reads, resolves and deletes manifests on distribution",
  ignore,
  fn: () =>
    withRegistry(async (d, t) => {
      const img = await buildImage(1);
      await t.ping(parseRef(`${d.host}/a/b:v1`));
      await pushImage(t, `${d.host}/a/b:v1`, img);
      const ref = parseRef(`${d.host}/a/b:v1`);
      const head = await t.manifestHead(ref);
      assert.deepEqual(head, {
        mediaType: MediaType.OCI_MANIFEST,
        digest: img.digest,
        size: img.manifest.byteLength,
      });
      const m = await t.manifestGet(ref);
      assert.deepEqual(m.raw, img.manifest);
      assert.equal(m.digest, img.digest);
      const byDigest = await t.manifestGet(parseRef(`${d.host}/a/b@${img.digest}`));
      assert.equal(byDigest.digest, img.digest);
      await assert.rejects(
        t.manifestGet(parseRef(`${d.host}/a/b:missing`)),
        (e: unknown) => e instanceof NotFoundError && e.code === "NOT_FOUND",
      );
      await t.manifestDelete(parseRef(`${d.host}/a/b@${img.digest}`));
      await assert.rejects(t.manifestHead(ref), NotFoundError);
    }),
});

Deno.test({
  name: "RegistryTransport blobs round-trip: small, streamed, chunked, digest unknown",
  ignore,
  fn: () =>
    withRegistry(async (d, t) => {
      const ref = parseRef(`${d.host}/blobs/x:latest`);
      for (const [i, size] of [0, 10, 1024 * 1024 + 17, 3 * 1024 * 1024].entries()) {
        const bytes = randomBytes(size, i + 7);
        const digest = await digestOf(bytes);
        const withDigest = i % 2 === 0;
        const desc = await t.blobPut(
          ref,
          streamOf(bytes, 100_000),
          withDigest ? { digest, size } : {},
        );
        assert.equal(desc.digest, digest);
        assert.equal(desc.size, size);
        assert.equal((await t.blobHead(ref, digest)).size, size);
        const r = await t.blobGet(ref, digest, { size });
        assert.deepEqual(await collect(r.body), bytes);
      }
      // Chunked PATCH uploads when blobMax is exceeded.
      const chunked = new RegistryTransport({
        hosts: [{ name: d.host, tls: "disabled", blobMax: 0, blobChunk: 256 * 1024 }],
      });
      const big = randomBytes(700_000, 99);
      const desc = await chunked.blobPut(ref, streamOf(big, 50_000));
      assert.equal(desc.digest, await digestOf(big));
      const r = await chunked.blobGet(ref, desc.digest);
      assert.deepEqual(await collect(r.body), big);
      await t.blobDelete(ref, desc.digest);
      await assert.rejects(t.blobHead(ref, desc.digest), NotFoundError);
    }),
});

Deno.test({
  name: "RegistryTransport never stores a blob whose bytes do not match",
  ignore,
  fn: () =>
    withRegistry(async (d, t) => {
      const ref = parseRef(`${d.host}/blobs/bad:latest`);
      for (const size of [100, 2 * 1024 * 1024]) {
        const bytes = randomBytes(size, 3);
        const wrong = await digestOf(randomBytes(size, 4));
        await assert.rejects(
          t.blobPut(ref, streamOf(bytes), { digest: wrong, size }),
          DigestMismatchError,
        );
        await assert.rejects(t.blobHead(ref, wrong), NotFoundError);
        await assert.rejects(t.blobHead(ref, await digestOf(bytes)), NotFoundError);
        await assert.rejects(
          t.blobPut(ref, streamOf(bytes), { digest: await digestOf(bytes), size: size + 1 }),
          SizeMismatchError,
        );
        await assert.rejects(t.blobHead(ref, await digestOf(bytes)), NotFoundError);
      }
    }),
});

Deno.test({
  name: "RegistryTransport skips existing blobs and mounts across repositories",
  ignore,
  fn: () =>
    withRegistry(async (d, t) => {
      const bytes = randomBytes(5000, 11);
      const digest = await digestOf(bytes);
      const src = parseRef(`${d.host}/src/repo:latest`);
      await t.blobPut(src, streamOf(bytes), { digest, size: bytes.byteLength });
      // Present: the body is not read.
      let pulled = false;
      const untouched = new ReadableStream<Uint8Array>({
        pull() {
          pulled = true;
        },
      }, { highWaterMark: 0 });
      await t.blobPut(src, untouched, { digest, size: bytes.byteLength });
      assert.equal(pulled, false);
      // Mount into another repository without reading the body.
      const dst = parseRef(`${d.host}/dst/repo:latest`);
      const body2 = new ReadableStream<Uint8Array>({
        pull() {
          pulled = true;
        },
      }, { highWaterMark: 0 });
      const desc = await t.blobPut(dst, body2, {
        digest,
        size: bytes.byteLength,
        mountFrom: "src/repo",
      });
      assert.equal(pulled, false);
      assert.equal(desc.digest, digest);
      assert.equal((await t.blobHead(dst, digest)).size, bytes.byteLength);
    }),
});

Deno.test({
  name: "RegistryTransport lists tags with pagination, the catalog, and deletes tags",
  ignore,
  fn: () =>
    withRegistry(async (d, t) => {
      const img = await buildImage(2);
      const tags = ["a", "b", "c", "d", "e"];
      for (const tag of tags) await pushImage(t, `${d.host}/list/me:${tag}`, img);
      await pushImage(t, `${d.host}/other:x`, await buildImage(3));
      const ref = parseRef(`${d.host}/list/me:a`);
      assert.deepEqual(await t.tagList(ref), tags);
      assert.deepEqual(await t.tagList(ref, { limit: 2 }), ["a", "b"]);
      assert.deepEqual(await t.tagList(ref, { last: "b" }), ["c", "d", "e"]);
      assert.deepEqual(await t.repoList(ref), ["list/me", "other"]);
      await t.tagDelete(parseRef(`${d.host}/list/me:c`));
      assert.deepEqual(await t.tagList(ref), ["a", "b", "d", "e"]);
      // The other tags still point at the image.
      assert.equal((await t.manifestHead(parseRef(`${d.host}/list/me:d`))).digest, img.digest);
      await assert.rejects(t.tagDelete(parseRef(`${d.host}/list/me:zzz`)), NotFoundError);
    }),
});

Deno.test({
  name: "RegistryTransport keeps the referrers fallback tag on distribution",
  ignore,
  fn: () =>
    withRegistry(async (d, t) => {
      const subject = await buildImage(4);
      await pushImage(t, `${d.host}/ref/s:v1`, subject);
      const subjectDesc = {
        mediaType: MediaType.OCI_MANIFEST,
        digest: subject.digest,
        size: subject.manifest.byteLength,
      };
      const sbom = await buildImage(5, {
        artifactType: "application/example.sbom",
        subject: subjectDesc,
        annotations: { "org.example": "x" },
      });
      const sig = await buildImage(6, {
        artifactType: "application/example.sig",
        subject: subjectDesc,
      });
      await pushImage(t, `${d.host}/ref/s@${sbom.digest}`, sbom);
      await pushImage(t, `${d.host}/ref/s@${sig.digest}`, sig);
      await pushImage(t, `${d.host}/ref/s@${sig.digest}`, sig); // no duplicate entry
      const list = await t.referrerList(parseRef(`${d.host}/ref/s:v1`));
      assert.deepEqual(list.map((x) => x.digest).sort(), [sbom.digest, sig.digest].sort());
      const sb = list.find((x) => x.digest === sbom.digest);
      assert.equal(sb?.artifactType, "application/example.sbom");
      assert.deepEqual(sb?.annotations, { "org.example": "x" });
      const filtered = await t.referrerList(parseRef(`${d.host}/ref/s@${subject.digest}`), {
        artifactType: "application/example.sig",
      });
      assert.deepEqual(filtered.map((x) => x.digest), [sig.digest]);
      const none = await t.referrerList(parseRef(`${d.host}/ref/s@${sig.digest}`));
      assert.deepEqual(none, []);
    }),
});

Deno.test({
  name: "RegistryTransport authenticates with htpasswd Basic auth and rejects bad credentials",
  ignore,
  fn: async () => {
    const d = await startDistribution({ users: { alice: "s3cret" } });
    const good = new RegistryTransport({
      hosts: [{ name: d.host, tls: "disabled", user: "alice", pass: "s3cret" }],
    });
    const bad = new RegistryTransport({
      hosts: [{ name: d.host, tls: "disabled", user: "alice", pass: "wrong" }],
    });
    const anon = new RegistryTransport({
      hosts: [{ name: d.host, tls: "disabled" }],
      credentials: () => Promise.resolve(undefined),
    });
    try {
      const img = await buildImage(8);
      await pushImage(good, `${d.host}/auth/x:v1`, img);
      assert.equal((await good.manifestGet(parseRef(`${d.host}/auth/x:v1`))).digest, img.digest);
      for (const t of [bad, anon]) {
        await assert.rejects(
          t.manifestGet(parseRef(`${d.host}/auth/x:v1`)),
          (e: unknown) =>
            e instanceof RegistryError && e.code === "UNAUTHORIZED" && e.status === 401,
        );
      }
    } finally {
      await d.stop();
    }
  },
});

import assert from "node:assert/strict";
import { copyImage } from "../../src/ops/copy.ts";
import { buildSampleImages } from "../../src/sample/sample_images.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import type { Transport } from "../../src/transport/transport.ts";
import { parseRef, type Ref, withDigest, withTag } from "../../src/types/ref.ts";
import { referrersFallbackTag } from "../../src/types/referrer.ts";
import { hasDistribution, startDistribution } from "../registry/_distribution.ts";
import { CountingTransport } from "./_counting_transport.ts";
import { inventory } from "./_inventory.ts";

async function copyTags(
  src: Transport,
  from: Ref,
  dst: Transport,
  to: Ref,
  tags: string[],
): Promise<void> {
  for (const tag of tags) {
    await copyImage(
      { transport: src, ref: withTag(from, tag) },
      { transport: dst, ref: withTag(to, tag) },
      { referrers: true, digestTags: true },
    );
  }
}

Deno.test({
  name:
    "copyImage() ocidir → distribution → ocidir keeps every digest, referrers and fallback tags",
  ignore: !hasDistribution,
  fn: async () => {
    const reg = await startDistribution();
    const d1 = await Deno.makeTempDir({ prefix: "ocictl_copy_" });
    const d2 = await Deno.makeTempDir({ prefix: "ocictl_copy_" });
    const rt = new RegistryTransport({ hosts: [{ name: reg.host, tls: "disabled" }] });
    const oci = new OciDirTransport();
    try {
      const l1 = parseRef(`ocidir://${d1}`);
      const l2 = parseRef(`ocidir://${d2}`);
      const repo = parseRef(`${reg.host}/sample/app`);
      const sample = await buildSampleImages(oci, l1);
      const fallback = referrersFallbackTag(sample.index.digest);
      const tags = ["docker", "single", "v1"];
      await copyTags(oci, l1, rt, repo, tags);
      await copyTags(rt, repo, oci, l2, tags);
      const want = await inventory(oci, l1);
      assert.deepEqual(Object.keys(want.tags).sort(), [...tags, fallback].sort());
      const mid = await inventory(rt, repo);
      assert.deepEqual(mid, want);
      const got = await inventory(oci, l2);
      assert.deepEqual(got, want);
      for (const [t, ref] of [[rt, repo], [oci, l2]] as const) {
        const list = await t.referrerList(withDigest(ref, sample.index.digest));
        assert.deepEqual(list.map((d) => d.digest), [sample.artifact.digest]);
      }

      // a second copy into the registry sends no blob and pushes no manifest
      const counting = new CountingTransport(rt);
      await copyTags(oci, l1, counting, repo, tags);
      assert.equal(counting.counts.blobPut, 0);
      assert.equal(counting.counts.manifestPut, 0);

      // same registry, another repository: blobs are mounted, never read
      const other = parseRef(`${reg.host}/sample/mirror`);
      const src = new CountingTransport(rt);
      const r = await copyImage(
        { transport: src, ref: withTag(repo, "v1") },
        { transport: rt, ref: withTag(other, "v1") },
      );
      assert.equal(src.counts.blobGet, 0);
      assert.ok(r.mounted > 0);
      assert.equal(r.blobs, 0);
      assert.equal((await rt.manifestHead(withTag(other, "v1"))).digest, sample.index.digest);
    } finally {
      await oci.close();
      await rt.close();
      await reg.stop();
      await Deno.remove(d1, { recursive: true });
      await Deno.remove(d2, { recursive: true });
    }
  },
});

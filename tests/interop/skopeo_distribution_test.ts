/**
 * Interop: layouts written by ocictl's engine travel through skopeo into CNCF
 * distribution and back out, with every digest unchanged, and ocictl reads
 * what skopeo wrote.
 */
import assert from "node:assert/strict";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { buildSampleImages } from "../../src/sample/sample_images.ts";
import { isIndex, manifestReferences } from "../../src/types/manifest.ts";
import { parseRef, withDigest, withTag } from "../../src/types/ref.ts";
import { hasDistribution, startDistribution } from "../registry/_distribution.ts";

async function skopeo(...args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("skopeo", {
      args: ["--insecure-policy", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new Error("skopeo is not installed: apt-get install skopeo", { cause: err });
  }
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`skopeo ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

Deno.test("skopeo copies ocictl layouts into docker-registry and back with digests unchanged", async () => {
  assert.ok(hasDistribution, "docker-registry is not installed: apt-get install docker-registry");
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-interop-" });
  const reg = await startDistribution();
  const oci = new OciDirTransport();
  try {
    const src = parseRef(`ocidir://${tmp}/src`);
    const set = await buildSampleImages(oci, src);
    // skopeo 1.9's oci: transport only resolves index.json entries with OCI
    // media types, so the Docker manifest list travels in the index "v1" test
    // of ocictl's own copy later, not here.
    for (const tag of ["v1", "single"]) {
      await skopeo(
        "copy",
        "--all",
        "--preserve-digests",
        "--dest-tls-verify=false",
        `oci:${tmp}/src:${tag}`,
        `docker://${reg.host}/sample:${tag}`,
      );
      const remote = JSON.parse(
        await skopeo(
          "inspect",
          "--raw",
          "--tls-verify=false",
          `docker://${reg.host}/sample:${tag}`,
        ),
      );
      assert.ok(remote.schemaVersion === 2);
      await skopeo(
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        `docker://${reg.host}/sample:${tag}`,
        `oci:${tmp}/back:${tag}`,
      );
    }
    const back = parseRef(`ocidir://${tmp}/back`);
    assert.deepEqual(await oci.tagList(back), ["single", "v1"]);
    const expected: Record<string, string> = {
      v1: set.index.digest,
      single: set.single.manifest.digest,
    };
    for (const [tag, digest] of Object.entries(expected)) {
      const m = await oci.manifestGet(withTag(back, tag));
      assert.equal(m.digest, digest, `digest of ${tag} changed`);
      // every child manifest and blob came back byte for byte
      const children = isIndex(m) ? m.json.manifests : [];
      for (const child of children) {
        const cm = await oci.manifestGet(withDigest(back, child.digest));
        assert.equal(cm.digest, child.digest);
        for (const blob of manifestReferences(cm)) {
          const r = await oci.blobGet(back, blob.digest, { size: blob.size });
          await r.body.pipeTo(new WritableStream());
        }
      }
    }
  } finally {
    await oci.close();
    await reg.stop();
    await Deno.remove(tmp, { recursive: true });
  }
});

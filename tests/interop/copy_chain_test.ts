/**
 * The whole fixture set travels ocidir → CNCF distribution → ocictl serve →
 * ocidir through the real `ocictl image copy`, with every digest, referrer and
 * fallback tag unchanged, and skopeo reads the results.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildSampleImages } from "../../src/sample/sample_images.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { parseRef, withDigest } from "../../src/types/ref.ts";
import { referrersFallbackTag } from "../../src/types/referrer.ts";
import { inventory } from "../ops/_inventory.ts";
import { startDistribution } from "../registry/_distribution.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

Deno.test("image copy carries the fixtures ocidir → distribution → serve → ocidir unchanged", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-chain-" });
  const dist = await startDistribution();
  const serve = await startRegistryServer({ dir: `${tmp}/serve`, hostname: "127.0.0.1", port: 0 });
  const sHost = `127.0.0.1:${serve.addr.port}`;
  const oci = new OciDirTransport();
  const rt = new RegistryTransport({
    hosts: [{ name: dist.host, tls: "disabled" }, { name: sHost, tls: "disabled" }],
  });
  try {
    const src = parseRef(`ocidir://${tmp}/src`);
    const sample = await buildSampleImages(oci, src);
    const hosts = [
      "--host",
      `reg=${dist.host},tls=disabled`,
      "--host",
      `reg=${sHost},tls=disabled`,
    ];
    const hops = [
      `ocidir://${tmp}/src`,
      `${dist.host}/chain/app`,
      `${sHost}/chain/app`,
      `ocidir://${tmp}/dst`,
    ];
    for (let i = 0; i + 1 < hops.length; i++) {
      for (const tag of ["v1", "docker", "single"]) {
        const printed = await run(Deno.execPath(), [
          "run",
          "-A",
          "--quiet",
          MAIN,
          ...hosts,
          "image",
          "copy",
          "--referrers",
          "--digest-tags",
          `${hops[i]}:${tag}`,
          `${hops[i + 1]}:${tag}`,
        ]);
        assert.equal(printed.trim(), `${hops[i + 1]}:${tag}`);
      }
    }
    const want = await inventory(oci, src);
    assert.ok(Object.keys(want.tags).includes(referrersFallbackTag(sample.index.digest)));
    assert.deepEqual(await inventory(rt, parseRef(`${dist.host}/chain/app`)), want);
    assert.deepEqual(await inventory(rt, parseRef(`${sHost}/chain/app`)), want);
    const dst = parseRef(`ocidir://${tmp}/dst`);
    assert.deepEqual(await inventory(oci, dst), want);
    const refs = await oci.referrerList(withDigest(dst, sample.index.digest));
    assert.deepEqual(refs.map((d) => d.digest), [sample.artifact.digest]);

    // skopeo reads what the chain produced, from serve and from the final layout
    const viaServe = await run("skopeo", [
      "inspect",
      "--raw",
      "--tls-verify=false",
      `docker://${sHost}/chain/app:v1`,
    ]);
    assert.equal(JSON.parse(viaServe).manifests.length, sample.images.length);
    const viaLayout = await run("skopeo", ["inspect", "--raw", `oci:${tmp}/dst:single`]);
    assert.equal(JSON.parse(viaLayout).config.digest, sample.single.config.digest);
  } finally {
    await oci.close();
    await rt.close();
    await serve.shutdown();
    await dist.stop();
    await Deno.remove(tmp, { recursive: true });
  }
});

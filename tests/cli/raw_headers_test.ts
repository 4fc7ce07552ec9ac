/**
 * `--format raw-headers` prints every header the registry sent, as regctl
 * does: Go's canonical names, sorted, one `Name: value` line each. The peer
 * is CNCF distribution; what it sends is read with a plain fetch.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { canonicalHeaderKey } from "../../src/cli/response_headers.ts";
import { hasDistribution, startDistribution } from "../registry/_distribution.ts";
import { buildImage } from "../registry/_image.ts";

/** Header names a registry sent for a request, canonical and sorted. */
async function sentNames(url: string, method: string): Promise<string[]> {
  const res = await fetch(url, {
    method,
    headers: {
      Accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json",
    },
  });
  await res.body?.cancel();
  assert.equal(res.status, 200);
  return [...res.headers.keys()].map(canonicalHeaderKey).sort();
}

function namesOf(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l !== "").map((l) => l.slice(0, l.indexOf(": ")));
}

Deno.test({
  name:
    "blob, manifest and image inspect --format raw-headers print every header the registry sent",
  ignore: !hasDistribution,
  fn: async () => {
    const d = await startDistribution();
    const dir = await Deno.makeTempDir({ prefix: "ocictl-headers-" });
    const env = { OCICTL_CONFIG: `${dir}/config.json` };
    const repo = `${d.host}/app/web`;
    try {
      const set = await runCli(["registry", "set", "--tls", "disabled", d.host], { env });
      assert.equal(set.code, 0, set.stderr);
      const img = await buildImage(5);
      const layer = img.blobs[1];
      assert.ok(layer);
      const put = await runCli(["blob", "put", repo], { env, stdin: layer.bytes });
      assert.equal(put.code, 0, put.stderr);

      const url = `http://${d.host}/v2/app/web/blobs/${layer.digest}`;
      const want = await sentNames(url, "HEAD");
      assert.ok(want.includes("Docker-Distribution-Api-Version"), want.join(","));
      const head = await runCli(["blob", "head", repo, layer.digest], { env });
      assert.equal(head.code, 0, head.stderr);
      assert.deepEqual(namesOf(head.stdout), want);
      assert.match(head.stdout, new RegExp(`^Docker-Content-Digest: ${layer.digest}$`, "m"));
      assert.match(head.stdout, new RegExp(`^Content-Length: ${layer.bytes.length}$`, "m"));

      const get = await runCli(["blob", "get", repo, layer.digest, "--format", "raw-headers"], {
        env,
      });
      assert.equal(get.code, 0, get.stderr);
      assert.deepEqual(namesOf(get.stdout), await sentNames(url, "GET"));
      const raw = await runCli(["blob", "get", repo, layer.digest, "--format", "raw"], { env });
      assert.equal(raw.code, 0, raw.stderr);
      const cut = raw.stdoutBytes.findIndex((b, i) => b === 10 && raw.stdoutBytes[i + 1] === 10);
      assert.deepEqual(namesOf(raw.stdout.slice(0, cut + 1)), await sentNames(url, "GET"));
      assert.deepEqual(raw.stdoutBytes.subarray(cut + 2), layer.bytes);
      const pretty = await runCli([
        "blob",
        "get",
        repo,
        layer.digest,
        "--format",
        "{{printPretty .}}",
      ], {
        env,
      });
      assert.deepEqual(pretty.stdoutBytes, layer.bytes);
      const tpl = await runCli(
        [
          "blob",
          "head",
          repo,
          layer.digest,
          "--format",
          '{{index .RawHeaders "Docker-Content-Digest"}}',
        ],
        { env },
      );
      assert.equal(tpl.stdout, `[${layer.digest}]`);

      for (const b of img.blobs) await runCli(["blob", "put", repo], { env, stdin: b.bytes });
      const mput = await runCli(["manifest", "put", `${repo}:v1`], { env, stdin: img.manifest });
      assert.equal(mput.code, 0, mput.stderr);
      const murl = `http://${d.host}/v2/app/web/manifests/v1`;
      const mhead = await runCli(["manifest", "head", `${repo}:v1`, "--format", "raw-headers"], {
        env,
      });
      assert.equal(mhead.code, 0, mhead.stderr);
      assert.deepEqual(namesOf(mhead.stdout), await sentNames(murl, "HEAD"));
      assert.match(mhead.stdout, new RegExp(`^Docker-Content-Digest: ${img.digest}$`, "m"));
      const mget = await runCli(["manifest", "get", `${repo}:v1`, "--format", "raw"], { env });
      assert.equal(mget.code, 0, mget.stderr);
      const [headers, body] = [
        mget.stdout.slice(0, mget.stdout.indexOf("\n\n") + 1),
        mget.stdout.slice(mget.stdout.indexOf("\n\n") + 2),
      ];
      assert.deepEqual(namesOf(headers), await sentNames(murl, "GET"));
      assert.equal(body, new TextDecoder().decode(img.manifest));

      const config = (JSON.parse(body) as { config: { digest: string } }).config.digest;
      const inspect = await runCli(["image", "inspect", `${repo}:v1`, "--format", "raw-headers"], {
        env,
      });
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.deepEqual(
        namesOf(inspect.stdout),
        await sentNames(`http://${d.host}/v2/app/web/blobs/${config}`, "GET"),
      );
      assert.match(inspect.stdout, new RegExp(`^Docker-Content-Digest: ${config}$`, "m"));

      const tags = await runCli(["tag", "ls", repo, "--format", "raw-headers"], { env });
      assert.equal(tags.code, 0, tags.stderr);
      assert.deepEqual(
        namesOf(tags.stdout),
        await sentNames(`http://${d.host}/v2/app/web/tags/list`, "GET"),
      );
      const repos = await runCli(["repo", "ls", d.host, "--format", "raw-headers"], { env });
      assert.equal(repos.code, 0, repos.stderr);
      assert.deepEqual(
        namesOf(repos.stdout),
        await sentNames(`http://${d.host}/v2/_catalog`, "GET"),
      );
    } finally {
      await d.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

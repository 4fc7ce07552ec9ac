/**
 * `ocictl sync` with regsync's general options that act on the client
 * (`blobLimit`, `cacheCount`/`cacheTime`, `userAgent`, `skipDockerConfig`)
 * and `referrerSlow`, against our `serve` behind a recording proxy.
 */
import assert from "node:assert/strict";
import { startProxy, type TestProxy } from "../registry/_servers.ts";
import { buildImage, streamOf } from "../registry/_image.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { buildSampleImages, SAMPLE_ARTIFACT_TYPE } from "../../src/sample/sample_images.ts";
import { indexText, withLayout } from "./_layout.ts";
import { parseRef, withDigest } from "../../src/types/ref.ts";
import { runCli } from "../cli_harness.ts";
import { creds, image, type Reg, sync, withServe } from "./_sync_helpers.ts";

async function pushBig(reg: Reg, ref: string, seed: number): Promise<string> {
  const img = await buildImage(seed);
  const r = parseRef(`${reg.host}/${ref}`);
  for (const b of img.blobs) {
    await reg.client.blobPut(r, streamOf(b.bytes), { digest: b.digest, size: b.bytes.byteLength });
  }
  await reg.client.manifestPut(r, img.manifest, { mediaType: MediaType.OCI_MANIFEST });
  return img.digest;
}

/** A proxy whose uploads ask for 4 MiB chunks; it records the size of each PATCH. */
function chunkAskingProxy(reg: Reg): { proxy: TestProxy; patches: number[] } {
  const proxy = startProxy(`http://${reg.host}`);
  const patches: number[] = [];
  proxy.set({
    before: (req) => {
      const range = req.headers.get("content-range");
      if (req.method === "PATCH" && range !== null) {
        const [a, b] = range.split("-").map(Number);
        patches.push((b ?? 0) - (a ?? 0) + 1);
      }
      return undefined;
    },
    after: (req, url, res) => {
      if (req.method !== "POST" || !url.pathname.endsWith("/blobs/uploads/")) return res;
      const headers = new Headers(res.headers);
      headers.set("OCI-Chunk-Min-Length", String(4 * 1024 * 1024));
      return new Response(res.body, { status: res.status, headers });
    },
  });
  return { proxy, patches };
}

function assertChunked(patches: number[], limit: number): void {
  assert.ok(patches.length >= 3, `PATCH sizes ${patches}`);
  assert.ok(patches.every((n) => n > 0 && n <= limit), `PATCH sizes ${patches}`);
}

Deno.test("sync defaults.blobLimit caps the upload chunk a registry asks for, as regclient's blob limit", async () => {
  await withServe(async (reg) => {
    const { proxy, patches } = chunkAskingProxy(reg);
    try {
      const digest = await pushBig(reg, "src/big:v1", 200_000);
      const head = creds(reg.host) +
        `  - registry: ${proxy.host}\n    tls: disabled\n    blobMax: 1024\n`;
      const step = (repo: string) =>
        `sync:\n  - {source: ${reg.host}/src/big:v1, target: ${proxy.host}/${repo}:v1, type: image}\n`;
      // Without a limit the 201,000-byte layer fits in the first 4 MiB chunk: one PUT, no PATCH.
      const plain = await sync(reg, ["once"], head + step("dst/plain"));
      assert.equal(plain.code, 0, plain.stderr);
      assert.deepEqual(patches, []);
      const limited = await sync(
        reg,
        ["once"],
        head + "defaults:\n  blobLimit: 65536\n" + step("dst/limited"),
      );
      assert.equal(limited.code, 0, limited.stderr);
      assert.equal(await reg.digest("dst/limited:v1"), digest);
      assertChunked(patches, 65536);
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("ocictl config's blobLimit caps the upload chunk of every command (image copy)", async () => {
  await withServe(async (reg) => {
    const { proxy, patches } = chunkAskingProxy(reg);
    try {
      const digest = await pushBig(reg, "src/big:v1", 200_000);
      await Deno.writeTextFile(
        reg.env.OCICTL_CONFIG!,
        JSON.stringify({
          blobLimit: 32768,
          hosts: {
            [reg.host]: { tls: "disabled" },
            [proxy.host]: { tls: "disabled", blobMax: 1024 },
          },
        }),
      );
      const r = await runCli(
        ["image", "copy", `${reg.host}/src/big:v1`, `${proxy.host}/dst/big:v1`],
        { env: reg.env },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await reg.digest("dst/big:v1"), digest);
      assertChunked(patches, 32768);
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("sync defaults.cacheCount with cacheTime reads a manifest shared by two steps once", async () => {
  await withServe(async (reg) => {
    const proxy = startProxy(`http://${reg.host}`);
    try {
      await buildSampleImages(
        reg.client.transport(parseRef(`${reg.host}/src/app`)),
        parseRef(`${reg.host}/src/app`),
      );
      const p = proxy.host;
      const steps = (a: string, b: string) =>
        `sync:\n  - {source: ${p}/src/app:v1, target: ${reg.host}/${a}:v1, type: image}\n` +
        `  - {source: ${p}/src/app:v1, target: ${reg.host}/${b}:v1, type: image}\n`;
      const head = creds(reg.host) + `  - registry: ${p}\n    tls: disabled\n`;
      const byDigest = () =>
        proxy.log.filter((r) => r.method === "GET" && /\/manifests\/sha256:/.test(r.path)).length;
      const plain = await sync(reg, ["once"], head + steps("plain/a", "plain/b"));
      assert.equal(plain.code, 0, plain.stderr);
      const uncached = byDigest();
      assert.ok(uncached >= 4, `${uncached} GETs by digest`);
      proxy.log.length = 0;
      const cached = await sync(
        reg,
        ["once"],
        head + "defaults: {cacheCount: 100, cacheTime: 10m}\n" + steps("cached/a", "cached/b"),
      );
      assert.equal(cached.code, 0, cached.stderr);
      assert.equal(byDigest(), uncached / 2);
      assert.equal(await reg.digest("cached/b:v1"), await reg.digest("src/app:v1"));
      // One key alone leaves the cache off, with a warning naming the line.
      const half = await sync(
        reg,
        ["check"],
        head + "defaults: {cacheCount: 100}\n" + steps("h/a", "h/b"),
      );
      assert.match(half.stderr, /<stdin>:7: \\"cacheCount\\" needs \\"cacheTime\\" too/);
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("sync referrerSlow copies a layout's referrer that only index.json lists (ORAS style), as regsync does", async () => {
  await withLayout(async (layout) => {
    // Leave the referrer as a plain index.json entry: drop the fallback tag regclient would read.
    const index = JSON.parse(await indexText(layout.dir)) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    const fallback = `sha256-${layout.sample.index.digest.slice("sha256:".length)}`;
    const ref = "org.opencontainers.image.ref.name";
    const before = index.manifests.length;
    index.manifests = index.manifests.filter((m) => m.annotations?.[ref] !== fallback);
    assert.equal(index.manifests.length, before - 1);
    if (!index.manifests.some((m) => m.digest === layout.sample.artifact.digest)) {
      index.manifests.push({ ...layout.sample.artifact });
    }
    await Deno.writeTextFile(`${layout.dir}/index.json`, JSON.stringify(index));
    await withServe(async (reg) => {
      const yaml = creds(reg.host) + `sync:
  - source: ${layout.base}:v1
    target: ${reg.host}/dst/app:v1
    type: image
    referrers: true
    referrerSlow: true
    referrerFilters: [{artifactType: ${SAMPLE_ARTIFACT_TYPE}}]
`;
      const r = await sync(reg, ["once"], yaml);
      assert.equal(r.code, 0, r.stderr);
      const refs = await reg.client.referrerList(
        withDigest(parseRef(`${reg.host}/dst/app`), layout.sample.index.digest),
      );
      assert.deepEqual(refs.map((d) => d.digest), [layout.sample.artifact.digest]);
    });
  });
});

Deno.test("sync reads docker's credentials unless skipDockerConfig, and sends userAgent; steps override both", async () => {
  await withServe(async (reg) => {
    const proxy = startProxy(`http://${reg.host}`);
    const agents = new Set<string>();
    proxy.set({
      before: (req) => {
        agents.add(req.headers.get("user-agent") ?? "");
        return req.headers.get("authorization") === `Basic ${btoa("hub:secret")}`
          ? undefined
          : new Response(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "login" }] }), {
            status: 401,
            headers: {
              "WWW-Authenticate": 'Basic realm="test"',
              "content-type": "application/json",
            },
          });
      },
    });
    try {
      await image(reg, "src/app:v1", 1);
      const p = proxy.host;
      await Deno.mkdir(`${reg.dir}/docker`, { recursive: true });
      await Deno.writeTextFile(
        `${reg.dir}/docker/config.json`,
        JSON.stringify({ auths: { [p]: { auth: btoa("hub:secret") } } }),
      );
      const env = { ...reg.env, DOCKER_CONFIG: `${reg.dir}/docker` };
      const step = (repo: string, extra = "") =>
        `  - {source: ${reg.host}/src/app:v1, target: ${p}/${repo}:v1, type: image${extra}}\n`;
      const yaml = (defaults: string, steps: string) =>
        creds(reg.host) + `  - registry: ${p}\n    tls: disabled\ndefaults: {${defaults}}\n` +
        `sync:\n${steps}`;
      const run = (y: string) => runCli(["sync", "once", "-c", "-"], { env, stdin: y });
      const withCreds = await run(yaml("userAgent: mirror-bot/2", step("a")));
      assert.equal(withCreds.code, 0, withCreds.stderr);
      assert.deepEqual([...agents], ["mirror-bot/2"]);
      assert.equal(await reg.digest("a:v1"), await reg.digest("src/app:v1"));
      agents.clear();
      // skipDockerConfig in defaults: no credentials; a step may turn it back off, and set its own agent.
      const skipped = await run(
        yaml(
          "skipDockerConfig: true",
          step("b") + step("c", ", skipDockerConfig: false, userAgent: step-bot/1"),
        ),
      );
      assert.equal(skipped.code, 1, skipped.stderr);
      assert.match(
        skipped.stderr,
        /msg="Failed to sync" .*target=\S+\/b:v1 .*(401|UNAUTHORIZED|unauthori[sz]ed)/i,
      );
      assert.equal(await reg.digest("b:v1"), undefined);
      assert.equal(await reg.digest("c:v1"), await reg.digest("src/app:v1"));
      assert.ok(agents.has("step-bot/1"), [...agents].join());
    } finally {
      await proxy.close();
    }
  });
});

/**
 * Every existing verb on `localhost:PORT/repo` references against
 * docker-registry, plus `repo ls` and `image ratelimit` (commands built
 * directly: the lead wires them into their verbs).
 */
import assert from "node:assert/strict";
import type { CommandUnknownOpts } from "../../src/cli/command.ts";
import { runCli } from "../cli_harness.ts";
import { createTransportFactory } from "../../src/client.ts";
import { type CliContext, createCliContext } from "../../src/cli/context.ts";
import { createRatelimitCommand } from "../../plugins/image/ratelimit.ts";
import { createRepoLsCommand } from "../../plugins/repo.ts";
import { OciError } from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { hasDistribution, startDistribution } from "../registry/_distribution.ts";
import { buildImage } from "../registry/_image.ts";

const ignore = !hasDistribution;

/** Runs one command built from a context, the way the runner would. */
async function runCommand(
  build: (ctx: CliContext) => CommandUnknownOpts,
  argv: string[],
  env: Record<string, string>,
  hostFlags: string[] = [],
): Promise<{ code: number; stdout: string; error: unknown }> {
  const chunks: Uint8Array[] = [];
  const ctx = createCliContext({
    stdout: new WritableStream({ write: (c) => void chunks.push(c.slice()) }),
    stderr: new WritableStream(),
    stdin: ReadableStream.from<Uint8Array>([]),
    env,
    signal: new AbortController().signal,
    isTerminal: { stdin: false, stdout: false, stderr: false },
    transports: createTransportFactory(),
    platform: { os: "linux", architecture: "amd64" },
  }, { verbosity: "warn", logopt: [], host: hostFlags });
  const cmd = build(ctx);
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  let code = 0;
  let error: unknown;
  try {
    await cmd.parseAsync(argv, { from: "user" });
  } catch (err) {
    code = 1;
    error = err;
  } finally {
    await ctx.client.close();
    await ctx.out.flush();
    await ctx.err.flush();
  }
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return { code, stdout: text, error };
}

Deno.test({
  name: "tag, manifest, blob and image verbs work on localhost:PORT/repo references",
  ignore,
  fn: async () => {
    const d = await startDistribution();
    const dir = await Deno.makeTempDir({ prefix: "ocictl-remote-" });
    const env = { OCICTL_CONFIG: `${dir}/config.json` };
    const reg = `localhost:${d.port}`;
    const repo = `${reg}/app/web`;
    try {
      const set = await runCli(["registry", "set", "--tls", "disabled", reg], { env });
      assert.equal(set.code, 0, set.stderr);
      const img = await buildImage(3);
      for (const b of img.blobs) {
        const put = await runCli(["blob", "put", repo], { env, stdin: b.bytes });
        assert.equal(put.code, 0, put.stderr);
        assert.equal(put.stdout, `${b.digest}\n`);
      }
      const layer = img.blobs[1];
      assert.ok(layer);
      const head = await runCli(["blob", "head", repo, layer.digest], { env });
      assert.equal(head.code, 0, head.stderr);
      const got = await runCli(["blob", "get", repo, layer.digest], { env });
      assert.deepEqual(got.stdoutBytes, layer.bytes);

      const mput = await runCli(["manifest", "put", `${repo}:v1`], { env, stdin: img.manifest });
      assert.equal(mput.code, 0, mput.stderr);
      const byDigest = await runCli(["manifest", "put", "--by-digest", `${repo}:v2`], {
        env,
        stdin: img.manifest,
      });
      assert.equal(byDigest.stdout, `${img.digest}\n`);
      await runCli(["manifest", "put", `${repo}:v2`], { env, stdin: img.manifest });

      const mhead = await runCli(["manifest", "head", `${repo}:v1`], { env });
      assert.equal(mhead.stdout, `${img.digest}\n`);
      const mget = await runCli(["manifest", "get", `${repo}:v1`, "--format", "raw-body"], {
        env,
      });
      assert.equal(await digestOf(mget.stdoutBytes), img.digest);
      const idigest = await runCli(["image", "digest", `${repo}:v1`], { env });
      assert.equal(idigest.stdout, `${img.digest}\n`);
      const inspect = await runCli(["image", "inspect", `${repo}:v1`], { env });
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.equal((JSON.parse(inspect.stdout) as { seed: number }).seed, 3);

      const tags = await runCli(["tag", "ls", repo], { env });
      assert.equal(tags.stdout, "v1\nv2\n");

      const repos = await runCommand(createRepoLsCommand, [reg], env);
      assert.equal(repos.code, 0, String(repos.error));
      assert.equal(repos.stdout, "app/web\n");
      const limited = await runCommand(createRepoLsCommand, [reg, "--format", "{{json .}}"], env);
      assert.deepEqual(JSON.parse(limited.stdout), { repositories: ["app/web"] });

      const tagRm = await runCli(["tag", "rm", `${repo}:v2`], { env });
      assert.equal(tagRm.code, 0, tagRm.stderr);
      const after = await runCli(["tag", "ls", repo], { env });
      assert.equal(after.stdout, "v1\n");

      const mrm = await runCli(["manifest", "rm", `${repo}@${img.digest}`], { env });
      assert.equal(mrm.code, 0, mrm.stderr);
      const gone = await runCli(["manifest", "head", `${repo}:v1`], { env });
      assert.equal(gone.code, 1);

      const brm = await runCli(["blob", "rm", repo, layer.digest], { env });
      assert.equal(brm.code, 0, brm.stderr);
      const bgone = await runCli(["blob", "head", repo, layer.digest], { env });
      assert.equal(bgone.code, 1);
    } finally {
      await d.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "--host reg=127.0.0.1:PORT,tls=disabled overrides the config for one run",
  ignore,
  fn: async () => {
    const d = await startDistribution();
    const dir = await Deno.makeTempDir({ prefix: "ocictl-remote-" });
    const env = { OCICTL_CONFIG: `${dir}/config.json` };
    try {
      const host = ["--host", `reg=${d.host},tls=disabled`];
      const put = await runCli([...host, "blob", "put", `${d.host}/x`], { env, stdin: "data" });
      assert.equal(put.code, 0, put.stderr);
      const without = await runCli(["blob", "head", `${d.host}/x`, put.stdout.trim()], { env });
      assert.equal(without.code, 1); // https by default: the plain-http registry fails
      const repos = await runCommand(createRepoLsCommand, [d.host], env, [
        `reg=${d.host},tls=disabled`,
      ]);
      assert.equal(repos.stdout, "x\n");
    } finally {
      await d.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("repo ls refuses a repository path or a bad --limit", async () => {
  for (const argv of [["r.example/repo"], ["r.example", "--limit", "many"]]) {
    const r = await runCommand(createRepoLsCommand, argv, {});
    assert.equal(r.code, 1);
    assert.ok(
      r.error instanceof OciError && ["INVALID_REFERENCE", "USAGE"].includes(r.error.code),
      String(r.error),
    );
    assert.equal(r.stdout, "");
  }
});

Deno.test("image ratelimit reads the RateLimit headers of one manifest HEAD", async () => {
  const manifest = (await buildImage(1)).manifest;
  const methods: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    methods.push(`${req.method} ${new URL(req.url).pathname}`);
    if (new URL(req.url).pathname === "/v2/") return new Response("{}");
    return new Response(req.method === "HEAD" ? null : manifest as BodyInit, {
      headers: {
        "content-type": "application/vnd.oci.image.manifest.v1+json",
        "docker-content-digest": await digestOf(manifest),
        "content-length": String(manifest.byteLength),
        "ratelimit-limit": "100;w=21600",
        "ratelimit-remaining": "76;w=21600",
        "ratelimit-reset": "3600",
      },
    });
  });
  const reg = `127.0.0.1:${server.addr.port}`;
  try {
    const r = await runCommand(createRatelimitCommand, [`${reg}/lib/app:v1`], {}, [
      `reg=${reg},tls=disabled`,
    ]);
    assert.equal(r.code, 0, String(r.error));
    assert.deepEqual(JSON.parse(r.stdout), {
      Remain: 76,
      Limit: 100,
      Reset: 3600,
      Set: true,
      Policies: ["100;w=21600"],
    });
    assert.deepEqual(methods, ["HEAD /v2/lib/app/manifests/v1"]);
    const f = await runCommand(
      createRatelimitCommand,
      [
        `${reg}/lib/app:v1`,
        "--format",
        "{{.Remain}}/{{.Limit}}",
      ],
      {},
      [`reg=${reg},tls=disabled`],
    );
    assert.equal(f.stdout, "76/100");
  } finally {
    await server.shutdown();
  }
});

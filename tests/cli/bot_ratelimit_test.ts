/**
 * `ocictl bot once`: rate limits read from the registry's manifest
 * responses (`m:ratelimit()`, `image.ratelimitWait`), against our `serve`
 * handler behind a wrapper that adds RateLimit headers.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { Client, createTransportFactory } from "../../src/client.ts";
import { createImage } from "../../src/ops/image_create.ts";
import { createRegistryHandler } from "../../src/serve/handler.ts";
import { parseRef } from "../../src/types/ref.ts";
import { serve } from "../registry/_servers.ts";

Deno.test("bot once: ratelimit() and ratelimitWait() follow RateLimit headers; defaults.userAgent is sent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bot-rl-" });
  const handler = createRegistryHandler({ dir });
  let remaining = 0;
  let heads = 0;
  const agents = new Set<string>();
  const server = serve(async (req) => {
    agents.add(req.headers.get("user-agent") ?? "");
    const res = await handler.fetch(req);
    if (!new URL(req.url).pathname.includes("/manifests/")) return res;
    if (req.method === "HEAD") heads++;
    const headers = new Headers(res.headers);
    headers.set("RateLimit-Limit", "100;w=21600");
    headers.set("RateLimit-Remaining", `${remaining};w=21600`);
    remaining += 2; // the window refills as time passes
    return new Response(res.body, { status: res.status, headers });
  });
  const env = { OCICTL_CONFIG: `${dir}/config.json`, DOCKER_CONFIG: `${dir}/docker` };
  const client = new Client({
    transports: createTransportFactory(),
    settings: { env, hostFlags: [`reg=${server.host},tls=disabled`] },
  });
  try {
    await createImage(client, parseRef(`${server.host}/app:v1`), {
      platform: { os: "linux", architecture: "amd64" },
    });
    const file = `${dir}/bot.yml`;
    await Deno.writeTextFile(
      file,
      `creds:
  - registry: ${server.host}
    tls: disabled
defaults:
  userAgent: regbot-test/1
scripts:
  - name: rl
    script: |
      local rl = manifest.head("${server.host}/app:v1"):ratelimit()
      print(rl.Set, rl.Remain, rl.Limit, rl.Policies[1])
      print(image.ratelimitWait("${server.host}/app:v1", 10, "10ms", "10s"))
      print(image.ratelimitWait("${server.host}/app:v1", 1000, "10ms", "50ms"))
`,
    );
    remaining = 0;
    agents.clear();
    const res = await runCli(["bot", "once", "-c", file], { env });
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.equal(lines[0], "true\t0\t100\t100;w=21600");
    assert.equal(lines[1], "true");
    assert.equal(lines[2], "false");
    // One HEAD for :ratelimit(), then polls until 10 remain (0, 2, …, 10), then a few more.
    assert.ok(heads >= 7, `${heads} HEAD requests`);
    assert.match(res.stderr, /msg="Delaying for ratelimit" script=rl/);
    // defaults.userAgent is what the registry sees.
    assert.deepEqual([...agents], ["regbot-test/1"]);
  } finally {
    await client.close();
    await server.close();
    await handler.close();
    await Deno.remove(dir, { recursive: true });
  }
});

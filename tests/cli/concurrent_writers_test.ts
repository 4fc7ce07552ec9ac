/**
 * Two `ocictl` processes write different tags into one OCI layout at the same
 * time, repeatedly; every tag must survive (regclient only locks in-process).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { EMPTY_DESCRIPTOR, MediaType } from "../../src/types/media_type.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const ROUNDS = 4;

async function ocictl(args: string[], stdin: Uint8Array): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(stdin);
  await w.close();
  return await child.output();
}

function manifestFor(name: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    artifactType: "application/vnd.example.concurrency",
    config: EMPTY_DESCRIPTOR,
    layers: [EMPTY_DESCRIPTOR],
    annotations: { "org.example.writer": name },
  }));
}

Deno.test("two ocictl processes writing tags into one layout lose none", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-concurrent-" });
  try {
    const base = `ocidir://${dir}/layout`;
    const put = await ocictl(["blob", "put", base], new TextEncoder().encode("{}"));
    assert.equal(put.code, 0, new TextDecoder().decode(put.stderr));
    const want: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const tags = [`a${round}`, `b${round}`];
      want.push(...tags);
      const outs = await Promise.all(
        tags.map((t) => ocictl(["manifest", "put", `${base}:${t}`], manifestFor(t))),
      );
      for (const o of outs) assert.equal(o.code, 0, new TextDecoder().decode(o.stderr));
    }
    const ls = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", MAIN, "tag", "ls", base],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(ls.code, 0);
    const tags = new TextDecoder().decode(ls.stdout).trim().split("\n");
    assert.deepEqual(tags, [...want].sort());
    // every tag still resolves to its own manifest
    const index = JSON.parse(await Deno.readTextFile(`${dir}/layout/index.json`));
    assert.equal(index.manifests.length, want.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

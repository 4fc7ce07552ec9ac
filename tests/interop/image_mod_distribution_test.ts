/**
 * Interop: `image mod` on images in CNCF distribution (OCI image and index,
 * Docker schema2 image and manifest list): results are consistent and
 * reproducible, zstd layers are readable by skopeo, and a refused
 * modification leaves the tag list as it was.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { checkConsistent, copyTree } from "../cli/_mod_check.ts";
import { startDistribution } from "../registry/_distribution.ts";
import { parseRef } from "../../src/types/ref.ts";

const FIXTURES = new URL("../testdata/regctl-golden/fixtures/", import.meta.url).pathname;
const SOURCES = ["small:latest", "multi:latest", "docker:latest", "docker:list"];
const GROUPS: string[][] = [
  ["--layer-time", "set=2021-02-03T04:05:06Z", "--reproducible", "--label", "a=b"],
  ["--layer-compress", "zstd", "--env", "[linux/amd64]X=1"],
  ["--to-oci", "--annotation", "[*]org.example.x=1"],
  ["--to-docker", "--layer-strip-file", "etc"],
  ["--layer-rm-created-by", "layer 1|/etc/motd", "--config-time", "set=2021-02-03T04:05:06Z"],
  ["--layer-add", `dir=${FIXTURES}small`, "--layer-strip-file", "oci-layout"],
];

async function skopeo(args: string[]): Promise<void> {
  const out = await new Deno.Command("skopeo", { args, stdout: "null", stderr: "piped" }).output();
  assert.equal(out.code, 0, `skopeo ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

Deno.test("image mod on CNCF distribution: consistent, reproducible, zstd readable by skopeo", async (t) => {
  const dist = await startDistribution();
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-mod-dist-" });
  const host = ["--host", `reg=${dist.host},tls=disabled`];
  const cli = (args: string[]) => runCli([...host, ...args]);
  try {
    for (const src of SOURCES) {
      const [layout, tag] = src.split(":");
      const r = await cli([
        "image",
        "copy",
        `ocidir://${FIXTURES}${layout}:${tag}`,
        `${dist.host}/mod/${layout}:${tag}`,
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    for (const src of SOURCES) {
      const [layout, tag] = src.split(":");
      const ref = `${dist.host}/mod/${layout}:${tag}`;
      for (const [i, flags] of GROUPS.entries()) {
        await t.step(`${src}: ${flags.join(" ")}`, async () => {
          const a = await cli(["image", "mod", ref, "--create", `${tag}-g${i}a`, ...flags]);
          assert.equal(a.code, 0, a.stderr);
          assert.equal(a.stdout, `${dist.host}/mod/${layout}:${tag}-g${i}a\n`);
          const b = await cli(["image", "mod", ref, "--create", `${tag}-g${i}b`, ...flags]);
          assert.equal(b.code, 0, b.stderr);
          const da = await cli(["image", "digest", a.stdout.trim()]);
          const db = await cli(["image", "digest", b.stdout.trim()]);
          // an added layer's history entry is dated now
          if (!flags.includes("--layer-add")) {
            assert.equal(da.stdout, db.stdout, "the same flags give the same digest");
          }
          await checkConsistent(parseRef(a.stdout.trim()), [`reg=${dist.host},tls=disabled`]);
          // skopeo knows zstd layers of OCI images only (Docker schema2 has no zstd type)
          if (flags.includes("zstd") && layout !== "docker") {
            await skopeo([
              "copy",
              "--src-tls-verify=false",
              "--dest-decompress",
              `docker://${a.stdout.trim()}`,
              `dir:${tmp}/${layout}-${tag}-zstd`,
            ]);
          }
        });
      }
    }
    await t.step("a layout image converted and pushed into the registry", async () => {
      await copyTree(`${FIXTURES}docker`, `${tmp}/docker`);
      const out = `${dist.host}/mod/converted:v1`;
      const r = await cli([
        "image",
        "mod",
        `ocidir://${tmp}/docker:list`,
        "--to-oci",
        "--time",
        "set=2021-02-03T04:05:06Z",
        "--create",
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${out}\n`);
      const images = await checkConsistent(parseRef(out), [`reg=${dist.host},tls=disabled`]);
      assert.equal(images.length, 2);
      assert.ok(images.every((i) => i.layerTypes.every((m) => m.includes("oci"))));
    });
    await t.step("a rewrite that changes nothing keeps the layers and the digest", async () => {
      const src = `${dist.host}/mod/multi:latest`;
      const r = await cli([
        "image",
        "mod",
        src,
        "--create",
        "noop",
        "--layer-strip-file",
        "not/here",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const a = await cli(["image", "digest", src]);
      const b = await cli(["image", "digest", r.stdout.trim()]);
      assert.equal(b.stdout, a.stdout);
    });
    await t.step("a refused modification leaves the tags as they were", async () => {
      const before = await cli(["tag", "ls", `${dist.host}/mod/small`]);
      const r = await cli([
        "image",
        "mod",
        `${dist.host}/mod/small:latest`,
        "--create",
        "refused",
        "--layer-add",
        `tar=${tmp}/missing.tar`,
      ]);
      assert.equal(r.code, 2);
      const idx = await cli([
        "image",
        "mod",
        `${dist.host}/mod/small:latest`,
        "--create",
        "refused",
        "--layer-rm-index",
        "5",
      ]);
      assert.equal(idx.code, 2);
      assert.equal((await cli(["tag", "ls", `${dist.host}/mod/small`])).stdout, before.stdout);
    });
  } finally {
    await dist.stop();
    await Deno.remove(tmp, { recursive: true });
  }
});

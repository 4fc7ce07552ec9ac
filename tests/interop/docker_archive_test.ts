/**
 * Interop: tars written by `ocictl image export` are read by skopeo as
 * docker-archive and oci-archive, and docker-archive tars written by skopeo
 * are imported by `ocictl image import`.
 */
import assert from "node:assert/strict";
import { runFiles } from "../cli/_files_harness.ts";
import { withLayout } from "../cli/_layout.ts";

async function skopeo(...args: string[]): Promise<void> {
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
  if (!out.success) {
    throw new Error(`skopeo ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

async function configOf(layout: string): Promise<{ rootfs: { diff_ids: string[] } }> {
  const index = await readJson(`${layout}/index.json`) as { manifests: { digest: string }[] };
  const blob = (d: string) => `${layout}/blobs/${d.replace(":", "/")}`;
  const m = await readJson(blob(index.manifests[0]?.digest ?? "")) as {
    config: { digest: string };
  };
  return await readJson(blob(m.config.digest)) as { rootfs: { diff_ids: string[] } };
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_docker_archive_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("skopeo reads ocictl image export as docker-archive and oci-archive", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTemp(async (tmp) => {
      const single = `${tmp}/single.tar`;
      const e = await runFiles([
        "image",
        "export",
        `${base}:single`,
        "-o",
        single,
        "--name",
        "example/app:v1",
      ]);
      assert.equal(e.code, 0, e.stderr);
      await skopeo("copy", `docker-archive:${single}`, `oci:${tmp}/from-docker:x`);
      assert.deepEqual(
        (await configOf(`${tmp}/from-docker`)).rootfs.diff_ids,
        sample.single.diffIds,
      );
      await skopeo("copy", `oci-archive:${single}`, `oci:${tmp}/from-oci:x`);
      const index = await readJson(`${tmp}/from-oci/index.json`) as {
        manifests: { digest: string }[];
      };
      assert.equal(index.manifests[0]?.digest, sample.single.manifest.digest);
      const arm = `${tmp}/arm.tar`;
      const p = await runFiles([
        "image",
        "export",
        `${base}:v1`,
        "-p",
        "linux/arm64/v8",
        "-o",
        arm,
      ]);
      assert.equal(p.code, 0, p.stderr);
      await skopeo("copy", `docker-archive:${arm}`, `oci:${tmp}/arm:x`);
      assert.deepEqual((await configOf(`${tmp}/arm`)).rootfs.diff_ids, sample.images[1]?.diffIds);
    });
  });
});

Deno.test("ocictl image import reads a docker-archive written by skopeo", async () => {
  await withLayout(async ({ dir, sample }) => {
    await withTemp(async (tmp) => {
      const tar = `${tmp}/skopeo.tar`;
      await skopeo("copy", `oci:${dir}:single`, `docker-archive:${tar}:example/app:v1`);
      const r = await runFiles([
        "image",
        "import",
        "--name",
        "example/app:v1",
        `ocidir://${tmp}/out:v1`,
        tar,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const config = await configOf(`${tmp}/out`);
      assert.deepEqual(config.rootfs.diff_ids, sample.single.diffIds);
      const index = await readJson(`${tmp}/out/index.json`) as { manifests: { digest: string }[] };
      const m = await readJson(
        `${tmp}/out/blobs/${index.manifests[0]?.digest.replace(":", "/")}`,
      ) as { layers: { digest: string }[] };
      assert.deepEqual(m.layers.map((l) => l.digest), sample.single.diffIds);
      const f = await runFiles(["image", "get-file", `ocidir://${tmp}/out:v1`, "app/hello.txt"]);
      assert.equal(f.code, 0, f.stderr);
      assert.match(f.stdout, /single sample/);
    });
  });
});

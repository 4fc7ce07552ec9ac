import assert from "node:assert/strict";
import { _rawTar } from "../../src/archive/_raw_tar_test_helper.ts";
import { digestOf } from "../../src/types/digest.ts";
import { runFiles } from "./_files_harness.ts";
import { lineCount, withLayout } from "./_layout.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_files_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("image get-file reads files top-down with whiteouts, links and --platform", async () => {
  await withLayout(async ({ base }) => {
    const arm = await runFiles([
      "image",
      "get-file",
      "-p",
      "linux/arm64/v8",
      `${base}:v1`,
      "/etc/os-release",
    ]);
    assert.equal(arm.code, 0, arm.stderr);
    assert.match(arm.stdout, /PLATFORM=linux\/arm64\/v8/);
    const local = await runFiles(["image", "cat", `${base}:v1`, "etc/os-release"]);
    assert.match(local.stdout, /PLATFORM=linux\/amd64/);
    const sh = await runFiles(["image", "get-file", `${base}:v1`, "bin/sh"]);
    for (const link of ["bin/ash", "bin/hush"]) {
      const r = await runFiles(["image", "get-file", `${base}:v1`, link]);
      assert.equal(r.stdout, sh.stdout, link);
    }
    const fresh = await runFiles(["image", "get-file", `${base}:v1`, "var/cache/new.txt"]);
    assert.equal(fresh.stdout, "written after the opaque whiteout\n");
    for (const gone of ["etc/removed.conf", "var/cache/old.txt", "no/such/file"]) {
      const r = await runFiles(["image", "get-file", `${base}:v1`, gone]);
      assert.equal(r.code, 1, gone);
      assert.equal(r.stdout, "");
      assert.equal(lineCount(r.stderr), 1);
    }
  });
});

Deno.test("image get-file and blob get-file write to an output file", async () => {
  await withLayout(async ({ base, dir, sample }) => {
    const r = await runFiles([
      "image",
      "get-file",
      `${base}:single`,
      "app/hello.txt",
      `${dir}/out.txt`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await Deno.readTextFile(`${dir}/out.txt`), /hello from the ocictl single sample/);
    const lower = sample.images[0]?.layers[0]?.digest ?? "";
    const b = await runFiles(["blob", "get-file", base, lower, "etc/removed.conf"]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, "# removed by the second layer\n");
  });
});

Deno.test("image export-fs writes the flattened tree and refuses a non-empty dir", async () => {
  await withLayout(async ({ base }) => {
    await withTemp(async (tmp) => {
      const root = `${tmp}/root`;
      const r = await runFiles(["image", "export-fs", `${base}:v1`, root]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        await Deno.readTextFile(`${root}/var/cache/new.txt`),
        "written after the opaque whiteout\n",
      );
      await assert.rejects(Deno.stat(`${root}/var/cache/old.txt`), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(`${root}/etc/removed.conf`), Deno.errors.NotFound);
      assert.equal(await Deno.readLink(`${root}/bin/ash`), "sh");
      assert.equal(
        (await Deno.stat(`${root}/bin/hush`)).ino,
        (await Deno.stat(`${root}/bin/sh`)).ino,
      );
      const again = await runFiles(["image", "export-fs", `${base}:v1`, root]);
      assert.equal(again.code, 2);
      const forced = await runFiles(["image", "export-fs", "--force", `${base}:v1`, root]);
      assert.equal(forced.code, 0, forced.stderr);
    });
  });
});

Deno.test("image export-fs refuses a layer with ../ entries and writes nothing", async () => {
  await withTemp(async (tmp) => {
    const layer = await _rawTar([{ name: "../escape", content: "x" }]);
    const bad = `${tmp}/bad.tar`;
    await Deno.writeFile(bad, await _ociTar(layer));
    const imp = await runFiles(["image", "import", `ocidir://${tmp}/layout:v1`, bad]);
    assert.equal(imp.code, 0, imp.stderr);
    const r = await runFiles(["image", "export-fs", `ocidir://${tmp}/layout:v1`, `${tmp}/root`]);
    assert.equal(r.code, 1);
    await assert.rejects(Deno.stat(`${tmp}/root`), Deno.errors.NotFound);
    await assert.rejects(Deno.stat(`${tmp}/escape`), Deno.errors.NotFound);
    const g = await runFiles(["image", "get-file", `ocidir://${tmp}/layout:v1`, "escape"]);
    assert.equal(g.code, 1);
  });
});

/** An OCI layout tar holding one image with one uncompressed layer. */
async function _ociTar(layer: Uint8Array): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const config = enc.encode(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [await digestOf(layer)] },
  }));
  const manifest = enc.encode(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: await digestOf(config),
      size: config.byteLength,
    },
    layers: [{
      mediaType: "application/vnd.oci.image.layer.v1.tar",
      digest: await digestOf(layer),
      size: layer.byteLength,
    }],
  }));
  const blob = async (b: Uint8Array) => ({
    name: `blobs/sha256/${(await digestOf(b)).slice(7)}`,
    content: b,
  });
  return await _rawTar([
    { name: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
    {
      name: "index.json",
      content: JSON.stringify({
        schemaVersion: 2,
        manifests: [{
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: await digestOf(manifest),
          size: manifest.byteLength,
        }],
      }),
    },
    await blob(manifest),
    await blob(config),
    await blob(layer),
  ]);
}

Deno.test("image export then import round-trips several images with digests unchanged", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTemp(async (tmp) => {
      const tar = `${tmp}/images.tar`;
      const e = await runFiles([
        "image",
        "export",
        `${base}:v1`,
        `${base}:single`,
        "--output",
        tar,
        "--name",
        "example/multi:v1",
        "--name",
        "example/app:v2",
      ]);
      assert.equal(e.code, 0, e.stderr);
      const a = await runFiles(["image", "import", `ocidir://${tmp}/a:x`, tar]);
      assert.equal(a.code, 0, a.stderr);
      const b = await runFiles([
        "image",
        "import",
        "--name",
        "example/app:v2",
        `ocidir://${tmp}/a:y`,
        tar,
      ]);
      assert.equal(b.code, 0, b.stderr);
      const index = JSON.parse(await Deno.readTextFile(`${tmp}/a/index.json`));
      const digests = Object.fromEntries(
        index.manifests.map((d: { digest: string; annotations: Record<string, string> }) => [
          d.annotations["org.opencontainers.image.ref.name"],
          d.digest,
        ]),
      );
      assert.equal(digests.x, sample.index.digest);
      assert.equal(digests.y, sample.single.manifest.digest);
      const stdout = await runFiles(["image", "export", "--compress", `${base}:single`]);
      assert.equal(stdout.code, 0, stdout.stderr);
      assert.deepEqual([...stdout.stdoutBytes.subarray(0, 2)], [0x1f, 0x8b]);
      const tooMany = await runFiles([
        "image",
        "export",
        `${base}:v1`,
        "--name",
        "a:1",
        "--name",
        "b:2",
      ]);
      assert.equal(tooMany.code, 2);
    });
  });
});

Deno.test("image export REF FILE (regctl's form) writes one image to FILE, the same tar as -o", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTemp(async (tmp) => {
      const e = await runFiles(["image", "export", `${base}:single`, `${tmp}/one.tar`]);
      assert.equal(e.code, 0, e.stderr);
      assert.equal(e.stdout, "");
      const o = await runFiles(["image", "export", `${base}:single`, "-o", `${tmp}/o.tar`]);
      assert.equal(o.code, 0, o.stderr);
      assert.deepEqual(await Deno.readFile(`${tmp}/one.tar`), await Deno.readFile(`${tmp}/o.tar`));
      const stdout = await runFiles(["image", "export", `${base}:single`]);
      assert.deepEqual(stdout.stdoutBytes, await Deno.readFile(`${tmp}/o.tar`));
      const i = await runFiles(["image", "import", `ocidir://${tmp}/back:x`, `${tmp}/one.tar`]);
      assert.equal(i.code, 0, i.stderr);
      const index = JSON.parse(await Deno.readTextFile(`${tmp}/back/index.json`));
      assert.equal(index.manifests[0].digest, sample.single.manifest.digest);
      // three arguments without -o: refused, nothing written
      const three = await runFiles([
        "image",
        "export",
        `${base}:single`,
        `${base}:v1`,
        `${tmp}/three.tar`,
      ]);
      assert.equal(three.code, 2);
      assert.equal(three.stdout, "");
      await assert.rejects(Deno.stat(`${tmp}/three.tar`), Deno.errors.NotFound);
    });
  });
});

Deno.test("image import of a bad tar fails with nothing written", async () => {
  await withTemp(async (tmp) => {
    await Deno.writeFile(`${tmp}/none.tar`, await _rawTar([{ name: "README", content: "x" }]));
    await Deno.writeFile(`${tmp}/abs.tar`, await _rawTar([{ name: "/etc/passwd", content: "x" }]));
    for (const f of ["none.tar", "abs.tar", "missing.tar"]) {
      const r = await runFiles(["image", "import", `ocidir://${tmp}/out:v1`, `${tmp}/${f}`]);
      assert.equal(r.code, 1, f);
      assert.equal(lineCount(r.stderr), 1);
      await assert.rejects(Deno.stat(`${tmp}/out`), Deno.errors.NotFound);
    }
  });
});

Deno.test("image copy to ocifile:// and back keeps digests", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTemp(async (tmp) => {
      const to = await runFiles(["image", "copy", `${base}:v1`, `ocifile://${tmp}/x.tar:v1`], true);
      assert.equal(to.code, 0, to.stderr);
      const back = await runFiles(
        ["image", "copy", `ocifile://${tmp}/x.tar:v1`, `ocidir://${tmp}/back:v1`],
        true,
      );
      assert.equal(back.code, 0, back.stderr);
      const index = JSON.parse(await Deno.readTextFile(`${tmp}/back/index.json`));
      assert.equal(index.manifests[0].digest, sample.index.digest);
      const file = await runFiles([
        "image",
        "get-file",
        `ocifile://${tmp}/x.tar:v1`,
        "app/hello.txt",
      ]);
      assert.equal(file.code, 0, file.stderr);
      assert.equal([...Deno.readDirSync(tmp)].length, 2, "no temp files left next to the tar");
    });
  });
});

Deno.test("image check-base prints matches or has changed with exit 1", async () => {
  await withLayout(async ({ base, sample }) => {
    const ok = await runFiles([
      "image",
      "check-base",
      `${base}:single`,
      "--base",
      `${base}:single`,
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "base image matches\n");
    const changed = await runFiles([
      "image",
      "check-base",
      `${base}:single`,
      "--base",
      `${base}:single`,
      "--digest",
      sample.index.digest,
    ]);
    assert.equal(changed.code, 1);
    assert.equal(changed.stdout, "base image has changed\n");
    const quiet = await runFiles([
      "image",
      "check-base",
      "--quiet",
      `${base}:single`,
      "--base",
      `${base}:v1`,
    ]);
    assert.equal(quiet.code, 1);
    assert.equal(quiet.stdout, "");
    const none = await runFiles(["image", "check-base", `${base}:single`]);
    assert.equal(none.code, 2);
  });
});

Deno.test("manifest diff, blob diff-config and blob diff-layer print unified diffs", async () => {
  await withLayout(async ({ base, sample }) => {
    const [amd, arm] = sample.images;
    assert.ok(amd && arm);
    const same = await runFiles(["manifest", "diff", `${base}:v1`, `${base}:v1`]);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, "\n"); // regctl prints an empty line
    const m = await runFiles([
      "manifest",
      "diff",
      "--context",
      "0",
      `${base}:v1`,
      `${base}:docker`,
    ]);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /^@@ -/);
    const full = await runFiles([
      "manifest",
      "diff",
      "--context-full",
      `${base}:v1`,
      `${base}:docker`,
    ]);
    assert.equal(full.stdout.split("\n").filter((l) => l.startsWith("@@")).length, 1);
    const c = await runFiles([
      "blob",
      "diff-config",
      base,
      amd.config.digest,
      base,
      arm.config.digest,
    ]);
    assert.match(c.stdout, /^- {3}"architecture": "amd64",$/m);
    assert.match(c.stdout, /^\+ {3}"architecture": "arm64",$/m);
    const l = await runFiles([
      "blob",
      "diff-layer",
      "--ignore-timestamp",
      base,
      amd.layers[0]?.digest ?? "",
      base,
      arm.layers[0]?.digest ?? "",
    ]);
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /^- -rwxr-xr-x 0\/0 +\d+ bin\/sh +sha256:/m);
    assert.doesNotMatch(l.stdout, /2024-01-01/);
  });
});

Deno.test("image and blob get-file --format print the tar header instead of the bytes", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runFiles([
      "image",
      "get-file",
      "-p",
      "linux/amd64",
      "--format",
      '{{.Header.Name}} {{.Header.Size}} {{printf "%o" .Header.Mode}}',
      `${base}:v1`,
      "app/hello.txt",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const text = "hello from the ocictl oci sample on linux/amd64\n";
    assert.match(
      r.stdout,
      new RegExp(`^app/hello\\.txt ${new TextEncoder().encode(text).length} [0-7]+$`),
    );
    const layer = sample.images[0]?.layers[1]?.digest ?? "";
    const b = await runFiles([
      "blob",
      "get-file",
      "--format",
      "{{.Header.Typeflag}}",
      base,
      layer,
      "app/hello.txt",
    ]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, "48"); // Go's tar.TypeReg is the byte '0'
  });
});

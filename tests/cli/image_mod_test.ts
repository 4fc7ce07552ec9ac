/**
 * `image mod` through the CLI on OCI layouts: every layer and config step on
 * an OCI image, an OCI index, a Docker schema2 image and a Docker manifest
 * list, with the result checked for consistency (layers, diff_ids, history,
 * platforms) and layer rewrites checked for reproducibility; `--layer-add`
 * from a tar and from a directory; rebase; bad input leaves the layout as it was.
 */
import assert from "node:assert/strict";
import { packTar } from "modern-tar";
import { walkLayer } from "../../src/archive/layer_reader.ts";
import { Client } from "../../src/client.ts";
import { digestOf as sha256Of } from "../../src/types/digest.ts";
import { isImage } from "../../src/types/manifest.ts";
import { parseRef } from "../../src/types/ref.ts";
import { pushBlobBytes, pushManifestJson } from "../../src/sample/sample_images.ts";
import { runCli } from "../cli_harness.ts";
import { checkConsistent, copyTree } from "./_mod_check.ts";
import { snapshot } from "./_layout.ts";

const FIXTURES = new URL("../testdata/regctl-golden/fixtures/", import.meta.url).pathname;
const SOURCES = ["small:latest", "multi:latest", "docker:latest", "docker:list"];
const SET = "2021-02-03T04:05:06Z";

async function withFixtures(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_mod_" });
  try {
    for (const l of ["small", "multi", "docker"]) await copyTree(`${FIXTURES}${l}`, `${dir}/${l}`);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function mod(args: string[]): Promise<string> {
  const r = await runCli(["image", "mod", ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function digestOf(ref: string): Promise<string> {
  const r = await runCli(["image", "digest", ref]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** Every entry of every layer of an image (one platform). */
async function entries(ref: string) {
  const client = new Client();
  try {
    const r = await client.resolvePlatform(parseRef(ref), {
      platform: { os: "linux", architecture: "amd64" },
    });
    assert.ok(isImage(r.manifest));
    const out = [];
    for (const l of r.manifest.json.layers) {
      const blob = await client.blobGet(r.ref, l.digest, { size: l.size });
      for await (const e of walkLayer(blob.body)) {
        const { body: _body, ...info } = e;
        out.push(info);
      }
    }
    return out;
  } finally {
    await client.close();
  }
}

const REWRITES: { name: string; flags: string[] }[] = [
  { name: "layer time and reproducible", flags: ["--layer-time", `set=${SET}`, "--reproducible"] },
  { name: "time", flags: ["--time", `set=${SET}`] },
  { name: "compress zstd", flags: ["--layer-compress", "zstd"] },
  { name: "compress none", flags: ["--layer-compress", "none"] },
  {
    name: "compress none then zstd",
    flags: ["--layer-compress", "none", "--layer-compress", "zstd"],
  },
  { name: "strip a file", flags: ["--layer-strip-file", "/etc/motd"] },
];

Deno.test("image mod layer rewrites: consistent and reproducible on OCI and Docker images and indexes", async (t) => {
  await withFixtures(async (dir) => {
    for (const src of SOURCES) {
      for (const c of REWRITES) {
        await t.step(`${src}: ${c.name}`, async () => {
          const [layout] = src.split(":");
          const a = await mod([`ocidir://${dir}/${src}`, "--create", "ra", ...c.flags]);
          const b = await mod([`ocidir://${dir}/${src}`, "--create", "rb", ...c.flags]);
          assert.equal(a, `ocidir://${dir}/${layout}:ra`);
          const da = await digestOf(a);
          assert.equal(da, await digestOf(b), "the same flags give the same digest");
          assert.notEqual(da, await digestOf(`ocidir://${dir}/${src}`));
          const images = await checkConsistent(parseRef(a));
          const before = await checkConsistent(parseRef(`ocidir://${dir}/${src}`));
          assert.deepEqual(images.map((i) => i.platform), before.map((i) => i.platform));
          if (c.flags.includes("zstd")) {
            assert.ok(images.every((i) => i.layerTypes.every((m) => /zstd$/.test(m))));
          }
          if (c.flags.at(-1) === "none") {
            assert.ok(images.every((i) => i.layerTypes.every((m) => /\.tar$/.test(m))));
          }
          if (c.name.includes("time")) {
            const all = await entries(a);
            assert.ok(all.length > 0);
            assert.ok(
              all.every((e) => e.mtime === undefined || e.mtime.getTime() <= Date.parse(SET)),
            );
            assert.ok(all.some((e) => e.mtime?.getTime() === Date.parse(SET)));
          }
          if (c.name === "strip a file") {
            assert.ok(!(await entries(a)).some((e) => e.path === "etc/motd"));
            const r = await runCli(["image", "get-file", a, "etc/motd"]);
            assert.equal(r.code, 1);
          }
        });
      }
    }
  });
});

const CONFIG_EDITS: string[][] = [
  ["--label", "org.example.a=1", "--env", "A=1", "--annotation", "[*]org.example.b=2"],
  ["--user", "1000", "--workdir", "/w", "--author", "me", "--config-cmd", '["a","b"]'],
  ["--expose-add", "80/tcp", "--volume-add", "/v", "--label-to-annotation"],
  ["--config-time", `set=${SET}`, "--config-entrypoint", "sleep 1"],
  ["--to-oci"],
  ["--to-docker"],
  ["--layer-rm-created-by", "layer 1|/etc/motd"],
  ["--external-urls-rm", "--data-max", "200"],
];

Deno.test("image mod config and manifest steps keep images consistent", async (t) => {
  await withFixtures(async (dir) => {
    for (const src of SOURCES) {
      for (const flags of CONFIG_EDITS) {
        await t.step(`${src}: ${flags.join(" ")}`, async () => {
          const out = await mod([`ocidir://${dir}/${src}`, "--create", "c", ...flags]);
          const images = await checkConsistent(parseRef(out));
          for (const i of images) {
            const cfg = i.config.config as Record<string, unknown>;
            if (flags.includes("--label")) {
              assert.equal((cfg.Labels as Record<string, string>)["org.example.a"], "1");
              assert.ok((cfg.Env as string[]).includes("A=1"));
            }
            if (flags.includes("--user")) assert.deepEqual(cfg.Cmd, ["a", "b"]);
            if (flags.includes("--config-time")) assert.equal(i.config.created, SET);
            if (flags.includes("--config-entrypoint")) {
              assert.deepEqual(cfg.Entrypoint, ["/bin/sh", "-c", "sleep 1"]);
            }
          }
          const m = await runCli(["manifest", "get", out, "--format", "{{.MediaType}}"]);
          if (flags.includes("--to-docker")) assert.match(m.stdout, /docker/);
          if (flags.includes("--to-oci")) assert.match(m.stdout, /oci/);
        });
      }
    }
  });
});

async function layerTar(): Promise<Uint8Array> {
  return await packTar([
    { header: { name: "added/", type: "directory", size: 0, mtime: new Date(0) } },
    { header: { name: "added/file.txt", size: 5, mtime: new Date(0), mode: 0o640 }, body: "added" },
  ]);
}

Deno.test("image mod --layer-add from a tar and from a directory (files, symlinks, permissions)", async () => {
  await withFixtures(async (dir) => {
    const tar = `${dir}/layer.tar`;
    await Deno.writeFile(tar, await layerTar());
    const tree = `${dir}/tree`;
    await Deno.mkdir(`${tree}/bin`, { recursive: true });
    await Deno.writeTextFile(`${tree}/bin/tool.sh`, "#!/bin/sh\necho tool\n");
    await Deno.chmod(`${tree}/bin/tool.sh`, 0o750);
    await Deno.writeTextFile(`${tree}/readme`, "read me\n");
    await Deno.chmod(`${tree}/readme`, 0o600);
    await Deno.symlink("bin/tool.sh", `${tree}/tool`);
    for (const src of SOURCES) {
      const out = await mod([
        `ocidir://${dir}/${src}`,
        "--create",
        "added",
        "--layer-add",
        `tar=${tar}`,
        "--layer-add",
        `dir=${tree},platform=linux/amd64`,
      ]);
      const images = await checkConsistent(parseRef(out));
      const before = await checkConsistent(parseRef(`ocidir://${dir}/${src}`));
      for (const [i, img] of images.entries()) {
        const extra = img.platform === "linux/amd64" ? 2 : 1;
        assert.equal(img.layerTypes.length, before[i]!.layerTypes.length + extra, src);
      }
      const file = await runCli(["image", "get-file", out, "added/file.txt"]);
      assert.equal(file.stdout, "added");
      const link = await runCli(["image", "get-file", out, "tool"]);
      assert.equal(link.stdout, "#!/bin/sh\necho tool\n");
      const all = await entries(out);
      assert.equal(all.find((e) => e.path === "bin/tool.sh")?.mode, 0o750);
      assert.equal(all.find((e) => e.path === "readme")?.mode, 0o600);
      assert.equal(all.find((e) => e.path === "added/file.txt")?.mode, 0o640);
      const l = all.find((e) => e.path === "tool");
      assert.equal(l?.type, "symlink");
      assert.equal(l?.linkname, "bin/tool.sh");
    }
  });
});

Deno.test("image mod --layer-rm-index removes a layer with its diff_id and history", async () => {
  await withFixtures(async (dir) => {
    const out = await mod([
      `ocidir://${dir}/small:latest`,
      "--create",
      "rm",
      "--layer-rm-index",
      "1",
    ]);
    const [img] = await checkConsistent(parseRef(out));
    assert.equal(img!.layerTypes.length, 1);
    assert.deepEqual(
      (img!.config.history as { created_by: string }[]).map((h) => h.created_by),
      ["add /app"],
    );
  });
});

Deno.test("image mod rebase onto a new base made with image create", async () => {
  await withFixtures(async (dir) => {
    const base = `ocidir://${dir}/small:latest`;
    const baseDigest = await digestOf(base);
    const tar = `${dir}/layer.tar`;
    await Deno.writeFile(tar, await layerTar());
    const app = await mod([
      base,
      "--create",
      "app",
      "--layer-add",
      `tar=${tar}`,
      "--annotation-base",
      `${base},${baseDigest}`,
    ]);
    const created = await runCli([
      "image",
      "create",
      `ocidir://${dir}/small:scratch`,
      "--platform",
      "linux/amd64",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const newBase = await mod([base, "--create", "base2", "--layer-time", `set=${SET}`]);
    // --rebase reads the base annotations: small:latest → small:latest is a no-op
    assert.equal(
      await digestOf(await mod([app, "--create", "same", "--rebase"])),
      await digestOf(app),
    );
    const onNew = await mod([app, "--create", "rebased", "--rebase-ref", `${base},${newBase}`]);
    const [img] = await checkConsistent(parseRef(onNew));
    const want = await checkConsistent(parseRef(newBase));
    assert.equal(img!.layerTypes.length, 3);
    const diffs = (c: Record<string, unknown>) => (c.rootfs as { diff_ids: string[] }).diff_ids;
    assert.deepEqual(diffs(img!.config).slice(0, 2), diffs(want[0]!.config));
    const onScratch = await mod([
      app,
      "--create",
      "scratch-app",
      "--rebase-ref",
      `${base},ocidir://${dir}/small:scratch`,
    ]);
    const [s] = await checkConsistent(parseRef(onScratch));
    assert.equal(s!.layerTypes.length, 1);
    assert.equal(
      (await runCli(["image", "get-file", onScratch, "added/file.txt"])).stdout,
      "added",
    );
  });
});

const BAD: { name: string; args: (dir: string) => string[]; code: number }[] = [
  { name: "unknown compression", args: () => ["--layer-compress", "brotli"], code: 2 },
  { name: "time without set", args: () => ["--time", "after=2020-01-01T00:00:00Z"], code: 2 },
  { name: "unknown time option", args: () => ["--time", `set=${SET},later=1`], code: 2 },
  { name: "bad time", args: () => ["--config-time", "set=yesterday"], code: 2 },
  { name: "bad base-layers", args: () => ["--time", `set=${SET},base-layers=x`], code: 2 },
  { name: "missing tar file", args: (d) => ["--layer-add", `tar=${d}/nope.tar`], code: 2 },
  { name: "tar and dir together", args: (d) => ["--layer-add", `tar=${d}/a,dir=${d}`], code: 2 },
  { name: "layer index out of range", args: () => ["--layer-rm-index", "9"], code: 2 },
  { name: "platform that matches nothing", args: () => ["--label", "[linux/s390x]a=b"], code: 2 },
  { name: "rebase without base annotations", args: () => ["--rebase"], code: 2 },
  { name: "bad regex", args: () => ["--layer-rm-created-by", "("], code: 2 },
  {
    name: "created-by that matches nothing",
    args: () => ["--layer-rm-created-by", "^zzz$"],
    code: 2,
  },
  {
    name: "rebase from a base that is not the image's",
    args: (d) => ["--rebase-ref", `ocidir://${d}/docker:latest,ocidir://${d}/small:latest`],
    code: 1,
  },
];

Deno.test("image mod bad input: one clear line, usage errors exit 2, nothing written", async (t) => {
  await withFixtures(async (dir) => {
    for (const c of BAD) {
      await t.step(c.name, async () => {
        const before = await snapshot(`${dir}/small`);
        const index = await Deno.readTextFile(`${dir}/small/index.json`);
        const r = await runCli([
          "image",
          "mod",
          `ocidir://${dir}/small:latest`,
          "--create",
          "bad",
          ...c.args(dir),
        ]);
        assert.equal(r.code, c.code, r.stderr);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.match(r.stderr, /Cannot /);
        assert.equal(await Deno.readTextFile(`${dir}/small/index.json`), index);
        assert.deepEqual(await snapshot(`${dir}/small`), before);
      });
    }
  });
});

Deno.test("image mod without --create pushes by digest; --replace moves the tag", async () => {
  await withFixtures(async (dir) => {
    const src = `ocidir://${dir}/small:latest`;
    const before = await digestOf(src);
    const byDigest = await mod([src, "--label", "x=1"]);
    assert.match(byDigest, new RegExp(`^ocidir://${dir}/small@sha256:[0-9a-f]{64}$`));
    assert.equal(await digestOf(src), before);
    const tags = await runCli(["tag", "ls", `ocidir://${dir}/small`]);
    assert.equal(tags.stdout, "latest\n");
    const replaced = await mod([src, "--replace", "--label", "x=1"]);
    assert.equal(replaced, src);
    assert.equal(await digestOf(src), byDigest.split("@")[1]);
  });
});

Deno.test("image mod points the referrers of changed manifests at the new digests", async () => {
  await withFixtures(async (dir) => {
    const src = `ocidir://${dir}/multi:latest`;
    const list = (ref: string) =>
      runCli([
        "artifact",
        "list",
        ref,
        "--format",
        "{{range .Descriptors}}{{.ArtifactType}} {{end}}",
      ]);
    const before = await list(src);
    assert.notEqual(before.stdout.trim(), "");
    const out = await mod([src, "--create", "labelled", "--label", "a=b"]);
    assert.notEqual(await digestOf(out), await digestOf(src));
    assert.equal((await list(out)).stdout, before.stdout);
    assert.equal((await list(src)).stdout, before.stdout);
  });
});

Deno.test("image mod works on ocifile:// and writes into another layout with --create REF", async () => {
  await withFixtures(async (dir) => {
    const file = `ocifile://${dir}/img.tar`;
    const copied = await runCli(["image", "copy", `ocidir://${dir}/small:latest`, `${file}:v1`]);
    assert.equal(copied.code, 0, copied.stderr);
    const flags = ["--layer-compress", "zstd", "--time", `set=${SET}`, "--label", "a=b"];
    const a = await mod([`${file}:v1`, "--create", "v2", ...flags]);
    assert.equal(a, `${file}:v2`);
    await checkConsistent(parseRef(a));
    const other = await mod([
      `ocidir://${dir}/multi:latest`,
      "--create",
      `ocidir://${dir}/other:v1`,
      ...flags,
    ]);
    assert.equal(other, `ocidir://${dir}/other:v1`);
    const images = await checkConsistent(parseRef(other));
    assert.equal(images.length, 2);
    const same = await mod([`ocidir://${dir}/multi:latest`, "--create", "same", ...flags]);
    assert.equal(await digestOf(other), await digestOf(same));
  });
});

Deno.test("image mod --file-tar-time sets the times inside a tar stored in a layer", async () => {
  await withFixtures(async (dir) => {
    const inner = await packTar([
      { header: { name: "x.txt", size: 1, mtime: new Date("2024-06-01T00:00:00Z") }, body: "x" },
    ]);
    await Deno.writeFile(
      `${dir}/outer.tar`,
      await packTar([{
        header: { name: "data/inner.tar", size: inner.byteLength, mtime: new Date(0) },
        body: inner,
      }]),
    );
    const added = await mod([
      `ocidir://${dir}/small:latest`,
      "--create",
      "t",
      "--layer-add",
      `tar=${dir}/outer.tar`,
    ]);
    const out = await mod([
      added,
      "--create",
      "t2",
      "--file-tar-time",
      `filename=/data/inner.tar,set=${SET}`,
    ]);
    await checkConsistent(parseRef(out));
    const r = await runCli(["image", "get-file", out, "data/inner.tar"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdoutBytes.byteLength, inner.byteLength);
    for await (const e of walkLayer(ReadableStream.from([r.stdoutBytes]))) {
      assert.equal(e.mtime?.getTime(), Date.parse(SET));
      await e.body.cancel();
    }
  });
});

Deno.test("image mod config details: build args, base annotations, platform, ports, volumes, data fields", async () => {
  await withFixtures(async (dir) => {
    const src = `ocidir://${dir}/small:latest`;
    const step1 = await mod([src, "--create", "a", "--expose-add", "80/tcp", "--volume-add", "/v"]);
    const out = await mod([
      step1,
      "--create",
      "b",
      "--expose-rm",
      "80/tcp",
      "--volume-rm",
      "/v",
      "--config-platform",
      "linux/arm64/v8",
      "--annotation-base",
      `docker.io/library/alpine:3,sha256:${"a".repeat(64)}`,
      "--data-max",
      "300",
      "--buildarg-rm-regex",
      "X=.*",
    ]);
    const [img] = await checkConsistent(parseRef(out));
    assert.equal(img!.platform, "linux/arm64/v8");
    const cfg = img!.config.config as Record<string, unknown>;
    assert.equal(cfg.ExposedPorts, undefined);
    assert.equal(cfg.Volumes, undefined);
    const m = JSON.parse((await runCli(["manifest", "get", out, "--format", "body"])).stdout);
    assert.equal(m.annotations["org.opencontainers.image.base.name"], "docker.io/library/alpine:3");
    assert.equal(m.annotations["org.opencontainers.image.base.digest"], `sha256:${"a".repeat(64)}`);
    for (const l of m.layers) assert.equal(l.data !== undefined, l.size <= 300);
    const dropped = JSON.parse(
      (await runCli([
        "manifest",
        "get",
        await mod([out, "--create", "c", "--data-max", "0"]),
        "--format",
        "body",
      ])).stdout,
    );
    assert.ok(dropped.layers.every((l: { data?: string }) => l.data === undefined));
  });
});

Deno.test("image mod --to-oci-referrers turns Docker attestation entries into OCI referrers", async () => {
  await withFixtures(async (dir) => {
    const repo = parseRef(`ocidir://${dir}/small`);
    const client = new Client();
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const put = async (bytes: Uint8Array) => {
      const d = await client.blobPut(repo, ReadableStream.from([bytes]));
      return { digest: d.digest, size: d.size };
    };
    let subject: { digest: string; size: number };
    try {
      const image = await client.manifestGet({ ...repo, tag: "latest" });
      subject = { digest: image.digest, size: image.size };
      const statement = enc({ _type: "https://in-toto.io/Statement/v0.1" });
      const layer = await put(statement);
      const config = await put(enc({
        architecture: "unknown",
        os: "unknown",
        rootfs: { type: "layers", diff_ids: [layer.digest] },
      }));
      const attestation = enc({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: [{ mediaType: "application/vnd.in-toto+json", ...layer }],
      });
      const attDigest = await sha256Of(attestation);
      await client.manifestPut({ ...repo, digest: attDigest }, attestation, { child: true });
      const index = enc({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            ...subject,
            platform: { architecture: "amd64", os: "linux" },
          },
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: attDigest,
            size: attestation.byteLength,
            annotations: {
              "vnd.docker.reference.type": "attestation-manifest",
              "vnd.docker.reference.digest": subject.digest,
            },
            platform: { architecture: "unknown", os: "unknown" },
          },
        ],
      });
      await client.manifestPut({ ...repo, tag: "att" }, index);
    } finally {
      await client.close();
    }
    const out = await mod([`ocidir://${dir}/small:att`, "--create", "conv", "--to-oci-referrers"]);
    const idx = JSON.parse((await runCli(["manifest", "get", out, "--format", "body"])).stdout);
    assert.deepEqual(idx.manifests.map((m: { digest: string }) => m.digest), [subject.digest]);
    const refs = await runCli([
      "artifact",
      "list",
      `ocidir://${dir}/small@${subject.digest}`,
      "--format",
      "{{range .Descriptors}}{{.Digest}}\n{{end}}",
    ]);
    const listed = refs.stdout.trim().split("\n");
    assert.equal(listed.length, 1, refs.stdout);
    const referrer = JSON.parse(
      (await runCli(["manifest", "get", `ocidir://${dir}/small@${listed[0]}`, "--format", "body"]))
        .stdout,
    );
    assert.equal(referrer.subject.digest, subject.digest);
    assert.equal(referrer.annotations["vnd.docker.reference.type"], "attestation-manifest");
  });
});

Deno.test("image mod --digest-algo sha512 moves every descriptor to sha512, and back to sha256", async () => {
  await withFixtures(async (dir) => {
    for (const src of SOURCES) {
      const out = await mod([
        `ocidir://${dir}/${src}`,
        "--create",
        "s512",
        "--digest-algo",
        "sha512",
      ]);
      const digest = await digestOf(out);
      assert.match(digest, /^sha512:[0-9a-f]{128}$/);
      const images = await checkConsistent(parseRef(out));
      for (const i of images) {
        const diffs = (i.config.rootfs as { diff_ids: string[] }).diff_ids;
        assert.ok(diffs.every((d) => d.startsWith("sha512:")), src);
      }
      const body = (await runCli(["manifest", "get", out, "--format", "body"])).stdout;
      assert.ok(!body.includes("sha256:"), body);
      const back = await mod([out, "--create", "s256", "--digest-algo", "sha256"]);
      assert.match(await digestOf(back), /^sha256:/);
      const again = await checkConsistent(parseRef(back));
      assert.deepEqual(again.map((i) => i.platform), images.map((i) => i.platform));
    }
  });
});

Deno.test("image mod time options: base-layers, base-ref and from-label leave base layers alone", async () => {
  await withFixtures(async (dir) => {
    const src = `ocidir://${dir}/small:latest`;
    const layers = async (ref: string) =>
      JSON.parse((await runCli(["manifest", "get", ref, "--format", "body"])).stdout).layers.map((
        l: { digest: string },
      ) => l.digest);
    const orig = await layers(src);
    const one = await mod([src, "--create", "b1", "--layer-time", `set=${SET},base-layers=1`]);
    const l1 = await layers(one);
    assert.equal(l1[0], orig[0]);
    assert.notEqual(l1[1], orig[1]);
    const tar = `${dir}/layer.tar`;
    await Deno.writeFile(tar, await layerTar());
    const app = await mod([
      src,
      "--create",
      "app",
      "--layer-add",
      `tar=${tar}`,
      "--label",
      `built=${SET}`,
    ]);
    const appLayers = await layers(app);
    const t = await mod([app, "--create", "t", "--time", `from-label=built,base-ref=${src}`]);
    const tLayers = await layers(t);
    assert.deepEqual(tLayers.slice(0, 2), orig);
    assert.notEqual(tLayers[2], appLayers[2]);
    const [img] = await checkConsistent(parseRef(t));
    const history = img!.config.history as { created: string }[];
    assert.equal(history.at(-1)!.created, SET);
    assert.equal(history[0]!.created, "2020-01-01T00:00:00Z");
  });
});

Deno.test("image mod: a rewrite that changes nothing stores nothing and keeps the digest", async () => {
  await withFixtures(async (dir) => {
    const before = (await snapshot(`${dir}/multi`)).filter((f) => f.startsWith("blobs/"));
    const src = `ocidir://${dir}/multi:latest`;
    const out = await mod([
      src,
      "--create",
      "noop",
      "--layer-time",
      `set=${SET},after=2099-01-01T00:00:00Z`,
    ]);
    assert.equal(await digestOf(out), await digestOf(src));
    const after = (await snapshot(`${dir}/multi`)).filter((f) => f.startsWith("blobs/"));
    assert.deepEqual(after, before);
  });
});

Deno.test("image mod --annotation without a platform prefix changes only the top manifest; [*] changes every manifest", async () => {
  await withFixtures(async (dir) => {
    const src = `ocidir://${dir}/multi`;
    const manifests = async (tag: string) => {
      const r = await runCli(["manifest", "get", `${src}:${tag}`, "--format", "{{json .}}"]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as {
        annotations?: Record<string, string>;
        manifests: { digest: string }[];
      };
    };
    const before = await manifests("latest");
    await mod([`${src}:latest`, "--create", "top", "--annotation", "org.example.top=1"]);
    const top = await manifests("top");
    assert.equal(top.annotations?.["org.example.top"], "1");
    assert.deepEqual(top.manifests.map((m) => m.digest), before.manifests.map((m) => m.digest));
    await mod([`${src}:latest`, "--create", "all", "--annotation", "[*]org.example.top=1"]);
    const all = await manifests("all");
    assert.equal(all.annotations?.["org.example.top"], "1");
    for (const [i, m] of all.manifests.entries()) {
      assert.notEqual(m.digest, before.manifests[i]?.digest);
    }
  });
});

/** Makes `small:<tag>` a copy of `small:zst` whose zstd layer is damaged by `damage`. */
async function damagedZstd(dir: string, tag: string, damage: (blob: Uint8Array) => Uint8Array) {
  const client = new Client();
  try {
    const src = parseRef(`ocidir://${dir}/small:zst`);
    const m = await client.manifestGet(src);
    assert.ok(isImage(m));
    const json = structuredClone(m.json);
    const layer = json.layers[0]!;
    const blob = await client.blobGet(src, layer.digest, { size: layer.size });
    const bad = damage(await new Response(blob.body).bytes());
    const transport = client.transport(src);
    const desc = await pushBlobBytes(transport, src, bad, layer.mediaType);
    json.layers[0] = { ...layer, digest: desc.digest, size: desc.size };
    await pushManifestJson(transport, parseRef(`ocidir://${dir}/small:${tag}`), json, m.mediaType);
  } finally {
    await client.close();
  }
}

Deno.test("image mod and get-file on a corrupt zstd layer: one clear line, nothing written", async (t) => {
  await withFixtures(async (dir) => {
    await mod([`ocidir://${dir}/small:latest`, "--create", "zst", "--layer-compress", "zstd"]);
    const cases: [string, (b: Uint8Array) => Uint8Array][] = [
      ["cut inside a frame", (b) => b.subarray(0, b.byteLength - 5)],
      ["flipped bytes", (b) => b.map((x, i) => i >= 20 && i < 40 ? x ^ 0x5a : x)],
      ["trailing bytes", (b) => new Uint8Array([...b, ...new TextEncoder().encode("junk")])],
    ];
    for (const [name, damage] of cases) {
      await t.step(name, async () => {
        await damagedZstd(dir, "bad", damage);
        const before = await snapshot(`${dir}/small`);
        const ref = `ocidir://${dir}/small:bad`;
        for (
          const args of [
            ["image", "mod", ref, "--create", "out", "--layer-time", `set=${SET}`],
            ["image", "mod", ref, "--create", "out", "--layer-compress", "gzip"],
            ["image", "get-file", ref, "etc/hostname"],
          ]
        ) {
          const r = await runCli(args);
          assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
          assert.equal(r.stdout, "");
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          assert.match(r.stderr, /^ocictl: Cannot decompress layer "sha256:[0-9a-f]{64}": /);
          assert.deepEqual(await snapshot(`${dir}/small`), before);
        }
      });
    }
  });
});

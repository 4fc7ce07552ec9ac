import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { snapshot, withLayout } from "./_layout.ts";
import { SAMPLE_ARTIFACT_TYPE } from "../../src/sample/sample_images.ts";
import { digestOf } from "../../src/types/digest.ts";
import { referrersFallbackTag } from "../../src/types/referrer.ts";
import { hasDistribution, startDistribution } from "../registry/_distribution.ts";

const CREATED = "org.opencontainers.image.created";
const TITLE = "org.opencontainers.image.title";

interface ManifestJson {
  artifactType?: string;
  config: { mediaType: string; digest: string; size: number; data?: string };
  layers: {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
  }[];
  subject?: { digest: string };
  annotations?: Record<string, string>;
  manifests?: { digest: string; artifactType?: string; platform?: unknown }[];
}

async function manifestOf(ref: string): Promise<ManifestJson> {
  const r = await runCli(["manifest", "get", ref, "--format", "body"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ManifestJson;
}

async function withFiles(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_art_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function put(args: string[], stdin?: string) {
  const r = await runCli(["artifact", "put", ...args], stdin !== undefined ? { stdin } : {});
  assert.equal(r.code, 0, r.stderr);
  return r;
}

Deno.test("artifact put reads stdin and pushes the artifact manifest to the tag", async () => {
  await withLayout(async ({ base }) => {
    const r = await put([
      "--artifact-type",
      "application/x.note",
      "--annotation",
      "a=1",
      "--annotation",
      "b",
      `${base}:note`,
    ], "hello");
    assert.equal(r.stdout, "");
    const m = await manifestOf(`${base}:note`);
    assert.equal(m.artifactType, "application/x.note");
    assert.deepEqual(m.config, {
      mediaType: "application/vnd.oci.empty.v1+json",
      digest: await digestOf(new TextEncoder().encode("{}")),
      size: 2,
      data: "e30=",
    });
    assert.deepEqual(m.layers, [{
      mediaType: "application/x.note",
      digest: await digestOf(new TextEncoder().encode("hello")),
      size: 5,
    }]);
    assert.deepEqual(m.annotations, { a: "1", b: "" });
    assert.equal(m.subject, undefined);
  });
});

Deno.test("artifact put without --artifact-type warns and uses regctl's default", async () => {
  await withLayout(async ({ base }) => {
    const r = await put([`${base}:note`], "x");
    assert.match(r.stderr, /artifact-type/);
    const m = await manifestOf(`${base}:note`);
    assert.equal(m.artifactType, "application/vnd.unknown.config+json");
    assert.equal(m.layers[0]?.mediaType, "application/octet-stream");
  });
});

Deno.test("artifact put with only --subject pushes by digest, prints it and adds a referrer", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await put(["--subject", `${base}:v1`, "--artifact-type", "application/x.sig"], "sig");
    const digest = r.stdout.trim();
    const m = await manifestOf(`${base}@${digest}`);
    assert.equal(m.subject?.digest, sample.index.digest);
    const list = await runCli([
      "artifact",
      "ls",
      `${base}:v1`,
      "--format",
      "{{range .Descriptors}}{{println .Digest}}{{end}}",
    ]);
    assert.ok(list.stdout.split("\n").includes(digest), list.stdout);
  });
});

Deno.test("artifact put -p picks the subject's platform manifest", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await put([
      "--subject",
      `${base}:v1`,
      "-p",
      "linux/arm64",
      "--artifact-type",
      "application/x.sig",
    ], "sig");
    const m = await manifestOf(`${base}@${r.stdout.trim()}`);
    assert.equal(m.subject?.digest, sample.images[1]?.manifest.digest);
  });
});

Deno.test("artifact put pushes files with titles, media types, --strip-dirs and --by-digest", async () => {
  await withLayout(async ({ base }) => {
    await withFiles(async (dir) => {
      await Deno.mkdir(`${dir}/tree/sub`, { recursive: true });
      await Deno.writeTextFile(`${dir}/tree/sub/a.txt`, "A");
      await Deno.writeTextFile(`${dir}/b.txt`, "B");
      const args = [
        "--by-digest",
        "--file-title",
        "--strip-dirs",
        "--artifact-type",
        "application/x.files",
        "-f",
        `${dir}/tree`,
        "-m",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "--file",
        `${dir}/b.txt`,
        "--file-media-type",
        "text/plain",
        `${base}:files`,
      ];
      const r = await put(args);
      const digest = r.stdout.trim();
      assert.match(digest, /^sha256:[0-9a-f]{64}$/);
      const tags = await runCli(["tag", "ls", base]);
      assert.ok(!tags.stdout.split("\n").includes("files"), "--by-digest must not tag");
      const m = await manifestOf(`${base}@${digest}`);
      assert.deepEqual(m.layers.map((l) => [l.mediaType, l.annotations?.[TITLE]]), [
        ["application/vnd.oci.image.layer.v1.tar+gzip", "tree/"],
        ["text/plain", "b.txt"],
      ]);
      // a directory is packed deterministically: same digest on a second push
      const again = await put(args);
      assert.equal(again.stdout.trim(), digest);
    });
  });
});

Deno.test("artifact put --config-file and --config-type set the config", async () => {
  await withLayout(async ({ base }) => {
    await withFiles(async (dir) => {
      await Deno.writeTextFile(`${dir}/cfg.json`, '{"x":1}');
      await put([
        "--config-file",
        `${dir}/cfg.json`,
        "--config-type",
        "application/x.cfg+json",
        `${base}:cfg`,
      ], "data");
      const m = await manifestOf(`${base}:cfg`);
      assert.equal(m.config.mediaType, "application/x.cfg+json");
      assert.equal(m.config.digest, await digestOf(new TextEncoder().encode('{"x":1}')));
      assert.equal(m.artifactType, undefined);
      const got = await runCli(["artifact", "get", `${base}:cfg`, "--config"]);
      assert.equal(got.stdout, '{"x":1}');
    });
  });
});

Deno.test("artifact put --format renders the pushed manifest", async () => {
  await withLayout(async ({ base }) => {
    const r = await put([
      "--artifact-type",
      "application/x.note",
      "--format",
      "{{.Manifest.ArtifactType}} {{.Manifest.Digest}}",
      `${base}:note`,
    ], "x");
    const [at, digest] = r.stdout.split(" ");
    assert.equal(at, "application/x.note");
    const head = await runCli(["manifest", "head", `${base}:note`]);
    assert.equal(head.stdout.trim(), digest);
  });
});

Deno.test("artifact put --index appends to an index and --external pushes elsewhere", async () => {
  await withLayout(async ({ base, sample }) => {
    const a = await put(["--index", "--artifact-type", "application/x.a", `${base}:arts`], "a");
    assert.equal(a.stdout, "");
    await put(["--index", "--artifact-type", "application/x.b", `${base}:arts`], "b");
    const idx = await manifestOf(`${base}:arts`);
    assert.deepEqual(idx.manifests?.map((d) => d.artifactType), [
      "application/x.a",
      "application/x.b",
    ]);
    await withFiles(async (dir) => {
      const ext = `ocidir://${dir}/ext`;
      await put([
        "--external",
        "--subject",
        `${base}:v1`,
        "--artifact-type",
        "application/x.ext",
        `${ext}:sig`,
      ], "e");
      const m = await manifestOf(`${ext}:sig`);
      assert.equal(m.subject?.digest, sample.index.digest);
      const l = await runCli([
        "artifact",
        "list",
        `${base}:v1`,
        "--external",
        ext,
        "--format",
        "{{.Source.CommonName}} {{len .Descriptors}}",
      ]);
      assert.equal(l.stdout, `${ext}:latest 1`);
    });
  });
});

Deno.test("artifact put rejects bad input with a usage or not-found exit and writes nothing", async () => {
  await withLayout(async ({ base, dir }) => {
    await withFiles(async (files) => {
      await Deno.writeTextFile(`${files}/a`, "a");
      const cases: { args: string[]; code: number }[] = [
        { args: [], code: 2 },
        { args: ["--external", `${base}:x`], code: 2 },
        { args: ["--subject", `ocidir://${files}/other:v1`, `${base}:x`], code: 2 },
        {
          args: ["-f", `${files}/a`, "-m", "text/plain", "-m", "text/plain", `${base}:x`],
          code: 2,
        },
        { args: ["--artifact-type", "nope", `${base}:x`], code: 2 },
        { args: ["--config-file", `${files}/a`, `${base}:x`], code: 2 },
        { args: ["--subject", `${base}:missing`], code: 1 },
        { args: ["-f", `${files}/missing`, `${base}:x`], code: 1 },
        { args: ["--index", `${base}:single`], code: 1 },
      ];
      const before = await snapshot(dir);
      for (const c of cases) {
        const r = await runCli(["artifact", "put", ...c.args], { stdin: "x" });
        assert.equal(r.code, c.code, `${c.args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^ocictl: Cannot /m);
      }
      assert.deepEqual(await snapshot(dir), before);
    });
  });
});

Deno.test("artifact get --subject streams the matching referrer's single layer", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli([
      "artifact",
      "get",
      "--subject",
      `${base}:v1`,
      "--filter-artifact-type",
      SAMPLE_ARTIFACT_TYPE,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await digestOf(r.stdoutBytes), sample.artifactLayer.digest);
  });
});

Deno.test("artifact get --latest, --sort-annotation and --filter-annotation choose the referrer", async () => {
  await withLayout(async ({ base }) => {
    for (
      const [body, created] of [["old", "2020-01-01T00:00:00Z"], ["new", "2030-01-01T00:00:00Z"]]
    ) {
      await put([
        "--subject",
        `${base}:v1`,
        "--artifact-type",
        "application/x.note",
        "--annotation",
        `${CREATED}=${created}`,
        "--annotation",
        `body=${body}`,
      ], body);
    }
    const get = (args: string[]) =>
      runCli([
        "artifact",
        "get",
        "--subject",
        `${base}:v1`,
        "--filter-artifact-type",
        "application/x.note",
        ...args,
      ]);
    assert.equal((await get(["--latest"])).stdout, "new");
    assert.equal((await get(["--sort-annotation", CREATED])).stdout, "old");
    assert.equal((await get(["--sort-annotation", CREATED, "--sort-desc"])).stdout, "new");
    assert.equal((await get(["--filter-annotation", "body=old"])).stdout, "old");
    assert.equal((await get(["--latest", "--sort-annotation", "x"])).code, 2);
    assert.equal((await get(["--filter-annotation", "body=none"])).code, 1);
  });
});

Deno.test("artifact get -p resolves the subject platform and --external reads another repository", async () => {
  await withLayout(async ({ base }) => {
    await put([
      "--subject",
      `${base}:v1`,
      "-p",
      "linux/amd64",
      "--artifact-type",
      "application/x.amd",
    ], "amd");
    const r = await runCli(["artifact", "get", "--subject", `${base}:v1`, "-p", "linux/amd64"]);
    assert.equal(r.stdout, "amd");
    await withFiles(async (dir) => {
      const ext = `ocidir://${dir}/ext`;
      await put([
        "--external",
        "--subject",
        `${base}:v1`,
        "--artifact-type",
        "application/x.e",
        `${ext}:e`,
      ], "ext");
      const e = await runCli(["artifact", "get", "--subject", `${base}:v1`, "--external", ext]);
      assert.equal(e.stdout, "ext");
      const bad = await runCli(["artifact", "get", `${ext}:e`, "--external", ext]);
      assert.equal(bad.code, 2);
    });
  });
});

Deno.test("artifact get -o writes files by title, -f/-m filter, --config-file writes the config", async () => {
  await withLayout(async ({ base }) => {
    await withFiles(async (dir) => {
      await Deno.mkdir(`${dir}/in/tree/sub`, { recursive: true });
      await Deno.writeTextFile(`${dir}/in/tree/sub/a.txt`, "A");
      await Deno.writeTextFile(`${dir}/in/b.txt`, "B");
      await Deno.writeTextFile(`${dir}/in/c.txt`, "C");
      const cwd = Deno.cwd();
      Deno.chdir(`${dir}/in`);
      try {
        await put([
          "--file-title",
          "--artifact-type",
          "application/x.files",
          "-f",
          "tree",
          "-m",
          "application/tar+gzip",
          "-f",
          "b.txt",
          "-m",
          "text/plain",
          "-f",
          "c.txt",
          "-m",
          "text/x-c",
          `${base}:files`,
        ]);
      } finally {
        Deno.chdir(cwd);
      }
      const r = await runCli(["artifact", "get", `${base}:files`, "-o", `${dir}/out`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/out/tree/sub/a.txt`), "A");
      assert.equal(await Deno.readTextFile(`${dir}/out/b.txt`), "B");
      const one = await runCli(["artifact", "get", `${base}:files`, "-f", "b.txt"]);
      assert.equal(one.stdout, "B");
      const mt = await runCli(["artifact", "get", `${base}:files`, "-m", "text/x-c"]);
      assert.equal(mt.stdout, "C");
      const many = await runCli(["artifact", "get", `${base}:files`]);
      assert.equal(many.code, 2);
      const none = await runCli(["artifact", "get", `${base}:files`, "-f", "zzz"]);
      assert.equal(none.code, 1);
      const cfg = await runCli([
        "artifact",
        "get",
        `${base}:files`,
        "--config-file",
        `${dir}/cfg.json`,
      ]);
      assert.equal(cfg.code, 0, cfg.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/cfg.json`), "{}");
    });
  });
});

Deno.test("artifact get -o --strip-dirs writes only base names", async () => {
  await withLayout(async ({ base }) => {
    await withFiles(async (dir) => {
      await Deno.mkdir(`${dir}/in/deep`, { recursive: true });
      await Deno.writeTextFile(`${dir}/in/deep/f.txt`, "F");
      await put([
        "--file-title",
        "--artifact-type",
        "application/x.f",
        "-f",
        `${dir}/in/deep/f.txt`,
        `${base}:f`,
      ]);
      const r = await runCli(["artifact", "get", `${base}:f`, "-o", `${dir}/out`, "--strip-dirs"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/out/f.txt`), "F");
    });
  });
});

Deno.test("artifact get -o refuses a title with .. and writes nothing", async () => {
  await withLayout(async ({ base }) => {
    await withFiles(async (dir) => {
      const blob = new TextEncoder().encode("evil");
      const b = await runCli(["blob", "put", base], { stdin: blob });
      assert.equal(b.code, 0, b.stderr);
      const empty = await runCli(["blob", "put", base], { stdin: "{}" });
      assert.equal(empty.code, 0, empty.stderr);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactType: "application/x.evil",
        config: {
          mediaType: "application/vnd.oci.empty.v1+json",
          digest: empty.stdout.trim(),
          size: 2,
        },
        layers: [{
          mediaType: "text/plain",
          digest: b.stdout.trim(),
          size: blob.byteLength,
          annotations: { [TITLE]: "../x" },
        }],
      });
      const m = await runCli(["manifest", "put", `${base}:evil`], { stdin: manifest });
      assert.equal(m.code, 0, m.stderr);
      await Deno.mkdir(`${dir}/out`);
      const r = await runCli(["artifact", "get", `${base}:evil`, "-o", `${dir}/out`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^ocictl: Cannot write artifact file/);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["out"]);
      assert.deepEqual([...Deno.readDirSync(`${dir}/out`)], []);
    });
  });
});

Deno.test("artifact list prints regctl's referrer list and the raw referrers index", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli(["artifact", "list", `${base}:v1`]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n").map((l) => l.trimEnd());
    // regctl names the subject by digest alone
    assert.match(lines[0] ?? "", new RegExp(`^Subject: +${base}@${sample.index.digest}$`));
    assert.ok(lines.includes("Referrers:"));
    assert.ok(
      lines.some((l) => l.match(new RegExp(`^  Name: +${base}@${sample.artifact.digest}$`))),
    );
    assert.ok(
      lines.some((l) => /^ {2}ArtifactType: +/.test(l) && l.endsWith(SAMPLE_ARTIFACT_TYPE)),
    );
    assert.ok(
      lines.some((l) =>
        /^ {4}org\.opencontainers\.image\.description: +ocictl sample SBOM$/.test(l)
      ),
    );
    const body = await runCli(["artifact", "ls", `${base}:v1`, "--format", "body"]);
    const idx = JSON.parse(body.stdout) as ManifestJson;
    assert.deepEqual(idx.manifests?.map((d) => d.digest), [sample.artifact.digest]);
    const none = await runCli([
      "artifact",
      "ls",
      `${base}:v1`,
      "--filter-artifact-type",
      "x/none",
      "--format",
      "{{len .Descriptors}}",
    ]);
    assert.equal(none.stdout, "0");
    const missing = await runCli(["artifact", "ls", `${base}:missing`]);
    assert.equal(missing.code, 1);
  });
});

Deno.test("artifact list sorts, filters annotations, resolves -p and lists --digest-tags", async () => {
  await withLayout(async ({ base, sample }) => {
    for (const c of ["2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"]) {
      await put([
        "--subject",
        `${base}:v1`,
        "--artifact-type",
        "application/x.n",
        "--annotation",
        `${CREATED}=${c}`,
      ], c);
    }
    const fmt = `{{range .Descriptors}}{{index .Annotations "${CREATED}"}},{{end}}`;
    const ls = (args: string[]) =>
      runCli([
        "artifact",
        "ls",
        `${base}:v1`,
        "--filter-artifact-type",
        "application/x.n",
        "--format",
        fmt,
        ...args,
      ]);
    assert.equal((await ls(["--latest"])).stdout, "2030-01-01T00:00:00Z,2020-01-01T00:00:00Z,");
    assert.equal(
      (await ls(["--sort-annotation", CREATED])).stdout,
      "2020-01-01T00:00:00Z,2030-01-01T00:00:00Z,",
    );
    assert.equal(
      (await ls(["--sort-annotation", CREATED, "--sort-desc"])).stdout,
      "2030-01-01T00:00:00Z,2020-01-01T00:00:00Z,",
    );
    assert.equal(
      (await ls(["--filter-annotation", `${CREATED}=2020-01-01T00:00:00Z`])).stdout,
      "2020-01-01T00:00:00Z,",
    );
    const p = await runCli([
      "artifact",
      "ls",
      `${base}:v1`,
      "-p",
      "linux/amd64",
      "--format",
      "{{.Subject.Digest}}",
    ]);
    assert.equal(p.stdout, sample.images[0]?.manifest.digest);
    const sig = `${referrersFallbackTag(sample.index.digest)}.sig`;
    await put(["--artifact-type", "application/x.sig", `${base}:${sig}`], "s");
    const t = await runCli([
      "artifact",
      "ls",
      `${base}:v1`,
      "--digest-tags",
      "--format",
      "{{range .Tags}}{{.}}{{end}}",
    ]);
    assert.equal(t.stdout, sig);
  });
});

Deno.test("artifact tree shows children and referrers; --format, --digest-tags and filters apply", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli(["artifact", "tree", `${base}:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `Ref: ${base}:v1\nDigest: ${sample.index.digest}\nChildren:\n` +
        `  - ${sample.images[0]?.manifest.digest} [linux/amd64]\n` +
        `  - ${sample.images[1]?.manifest.digest} [linux/arm64]\n` +
        `Referrers:\n  - ${sample.artifact.digest}: ${SAMPLE_ARTIFACT_TYPE}\n`,
    );
    const f = await runCli([
      "artifact",
      "tree",
      `${base}:v1`,
      "--filter-artifact-type",
      "x/none",
      "--format",
      "{{len .Referrer}} {{len .Child}}",
    ]);
    assert.equal(f.stdout, "0 2");
    const a = await runCli([
      "artifact",
      "tree",
      `${base}:v1`,
      "--filter-annotation",
      "nope",
      "--format",
      "{{len .Referrer}}",
    ]);
    assert.equal(a.stdout, "0");
    const sig = `${referrersFallbackTag(sample.index.digest)}.sig`;
    await put(["--artifact-type", "application/x.sig", `${base}:${sig}`], "s");
    const t = await runCli([
      "artifact",
      "tree",
      `${base}:v1`,
      "--digest-tags",
      "--format",
      "{{range .Tags}}{{.}}{{end}}",
    ]);
    assert.equal(t.stdout, sig);
    await withFiles(async (dir) => {
      const ext = `ocidir://${dir}/ext`;
      await put([
        "--external",
        "--subject",
        `${base}:v1`,
        "--artifact-type",
        "application/x.e",
        `${ext}:e`,
      ], "e");
      const e = await runCli([
        "artifact",
        "tree",
        `${base}:v1`,
        "--external",
        ext,
        "--format",
        "{{range .Referrer}}{{.ArtifactType}}{{end}}",
      ]);
      assert.equal(e.stdout, "application/x.e");
    });
    const missing = await runCli(["artifact", "tree", `${base}:missing`]);
    assert.equal(missing.code, 1);
  });
});

Deno.test({
  name: "artifact put, list, get, tree and index create round-trip through docker-registry",
  ignore: !hasDistribution,
  fn: async () => {
    const d = await startDistribution();
    const cfg = await Deno.makeTempDir({ prefix: "ocictl-art-reg-" });
    const env = { OCICTL_CONFIG: `${cfg}/config.json` };
    const reg = `localhost:${d.port}`;
    const repo = `${reg}/art/app`;
    try {
      await withLayout(async ({ base, sample }) => {
        const run = async (args: string[], stdin?: string) => {
          const r = await runCli(args, { env, ...(stdin !== undefined ? { stdin } : {}) });
          assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
          return r;
        };
        await run(["registry", "set", "--tls", "disabled", reg]);
        await run(["image", "copy", `${base}:v1`, `${repo}:v1`]);
        const p = await run([
          "artifact",
          "put",
          "--subject",
          `${repo}:v1`,
          "--artifact-type",
          "application/x.note",
          "--annotation",
          "note=yes",
        ], "hello registry");
        const digest = p.stdout.trim();
        const ls = await run([
          "artifact",
          "ls",
          `${repo}:v1`,
          "--format",
          "{{range .Descriptors}}{{.Digest}} {{.ArtifactType}}{{end}}",
        ]);
        assert.equal(ls.stdout, `${digest} application/x.note`);
        const got = await run([
          "artifact",
          "get",
          "--subject",
          `${repo}:v1`,
          "--filter-annotation",
          "note=yes",
        ]);
        assert.equal(got.stdout, "hello registry");
        const tree = await run([
          "artifact",
          "tree",
          `${repo}:v1`,
          "--format",
          "{{len .Child}} {{range .Referrer}}{{.ArtifactType}}{{end}}",
        ]);
        assert.equal(tree.stdout, "2 application/x.note");
        await run([
          "index",
          "create",
          `${repo}:amd`,
          "--ref",
          `${base}:v1`,
          "--platform",
          "linux/amd64",
        ]);
        const body = await run(["manifest", "get", `${repo}:amd`, "--format", "body"]);
        const idx = JSON.parse(body.stdout) as ManifestJson;
        assert.deepEqual(idx.manifests?.map((m) => m.digest), [sample.images[0]?.manifest.digest]);
      });
    } finally {
      await d.stop();
      await Deno.remove(cfg, { recursive: true });
    }
  },
});

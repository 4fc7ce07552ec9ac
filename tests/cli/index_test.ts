import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { snapshot, withLayout } from "./_layout.ts";
import { referrersFallbackTag } from "../../src/types/referrer.ts";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

interface IndexJson {
  mediaType: string;
  artifactType?: string;
  manifests: {
    digest: string;
    mediaType: string;
    platform?: unknown;
    annotations?: Record<string, string>;
  }[];
  subject?: { digest: string };
  annotations?: Record<string, string>;
}

async function indexOf(ref: string): Promise<IndexJson> {
  const r = await runCli(["manifest", "get", ref, "--format", "body"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as IndexJson;
}

async function ok(args: string[]) {
  const r = await runCli(["index", ...args]);
  assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  return r;
}

/** Two seeded layouts: `a` is the target, `b` the source of --ref. */
function withTwo(
  fn: (
    a: Awaited<Parameters<Parameters<typeof withLayout>[0]>[0]>,
    b: Awaited<Parameters<Parameters<typeof withLayout>[0]>[0]>,
  ) => Promise<void>,
) {
  return withLayout((a) => withLayout((b) => fn(a, b)));
}

Deno.test("index create copies --ref images in and keeps --platform entries", async () => {
  await withTwo(async (a, b) => {
    const r = await ok([
      "create",
      `${a.base}:multi`,
      "--ref",
      `${b.base}:v1`,
      "--platform",
      "linux/arm64",
      "--desc-annotation",
      "k=v",
      "--annotation",
      "top=1",
      "--artifact-type",
      "application/x.idx",
      "--subject",
      "single",
    ]);
    assert.equal(r.stdout, "");
    const idx = await indexOf(`${a.base}:multi`);
    assert.equal(idx.mediaType, OCI_INDEX);
    assert.deepEqual(idx.manifests.map((d) => d.digest), [b.sample.images[1]?.manifest.digest]);
    assert.deepEqual(idx.manifests[0]?.annotations, { k: "v" });
    assert.deepEqual(idx.annotations, { top: "1" });
    assert.equal(idx.artifactType, "application/x.idx");
    assert.equal(idx.subject?.digest, a.sample.single.manifest.digest);
    const child = await runCli(["manifest", "head", `${a.base}@${idx.manifests[0]?.digest}`]);
    assert.equal(child.code, 0, "the --ref child must be copied into the target");
  });
});

Deno.test("index create --digest reads the platform from the config, --desc-platform overrides", async () => {
  await withLayout(async ({ base, sample }) => {
    await ok(["create", `${base}:one`, "--digest", sample.single.manifest.digest]);
    const idx = await indexOf(`${base}:one`);
    assert.deepEqual(idx.manifests[0]?.platform, { architecture: "amd64", os: "linux" });
    await ok([
      "new",
      `${base}:two`,
      "--digest",
      sample.single.manifest.digest,
      "--desc-platform",
      "linux/arm/v7",
    ]);
    const two = await indexOf(`${base}:two`);
    assert.deepEqual(two.manifests[0]?.platform, {
      architecture: "arm",
      os: "linux",
      variant: "v7",
    });
  });
});

Deno.test("index create --by-digest prints the digest, --format renders the index", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await ok([
      "create",
      `${base}:bd`,
      "--by-digest",
      "--digest",
      sample.single.manifest.digest,
    ]);
    const digest = r.stdout.trim();
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    const tags = await runCli(["tag", "ls", base]);
    assert.ok(!tags.stdout.split("\n").includes("bd"));
    assert.equal((await indexOf(`${base}@${digest}`)).manifests.length, 1);
    const f = await ok([
      "init",
      `${base}:f`,
      "--digest",
      sample.single.manifest.digest,
      "--format",
      "{{.Manifest.MediaType}} {{len .Manifest.Manifests}}",
    ]);
    assert.equal(f.stdout, `${OCI_INDEX} 1`);
  });
});

Deno.test("index create -m builds a Docker manifest list from Docker images", async () => {
  await withTwo(async (a, b) => {
    await ok(["put", `${a.base}:dl`, "-m", DOCKER_LIST, "--ref", `${b.base}:docker`]);
    const idx = await indexOf(`${a.base}:dl`);
    assert.equal(idx.mediaType, DOCKER_LIST);
    assert.deepEqual(
      idx.manifests.map((d) => d.digest),
      b.sample.dockerImages.map((i) => i.manifest.digest),
    );
  });
});

Deno.test("index create --referrers and --digest-tags copy them with each --ref", async () => {
  await withTwo(async (a, b) => {
    const sig = `${referrersFallbackTag(b.sample.index.digest)}.sig`;
    const t = await runCli([
      "artifact",
      "put",
      "--artifact-type",
      "application/x.sig",
      `${b.base}:${sig}`,
    ], { stdin: "s" });
    assert.equal(t.code, 0, t.stderr);
    await ok([
      "create",
      `${a.base}:withrefs`,
      "--ref",
      `${b.base}:v1`,
      "--referrers",
      "--digest-tags",
    ]);
    const l = await runCli([
      "artifact",
      "ls",
      `${a.base}@${b.sample.index.digest}`,
      "--format",
      "{{range .Descriptors}}{{.Digest}}{{end}}",
    ]);
    assert.equal(l.code, 0, l.stderr);
    assert.ok(l.stdout.includes(b.sample.artifact.digest), l.stdout);
    const tags = await runCli(["tag", "ls", a.base]);
    assert.ok(tags.stdout.split("\n").includes(sig), tags.stdout);
  });
});

Deno.test("index add and delete edit the index at the same tag", async () => {
  await withTwo(async (a, b) => {
    await ok(["create", `${a.base}:e`, "--digest", a.sample.single.manifest.digest]);
    await ok([
      "add",
      `${a.base}:e`,
      "--ref",
      `${b.base}:v1`,
      "--platform",
      "linux/arm64",
      "--desc-annotation",
      "added=yes",
    ]);
    let idx = await indexOf(`${a.base}:e`);
    assert.equal(idx.manifests.length, 2);
    assert.deepEqual(idx.manifests[1]?.annotations, { added: "yes" });
    await ok(["append", `${a.base}:e`, "--digest", a.sample.single.manifest.digest]);
    assert.equal((await indexOf(`${a.base}:e`)).manifests.length, 2, "duplicates are removed");
    await ok(["delete", `${a.base}:e`, "--platform", "linux/arm64"]);
    idx = await indexOf(`${a.base}:e`);
    assert.deepEqual(idx.manifests.map((d) => d.digest), [a.sample.single.manifest.digest]);
    await ok(["rm", `${a.base}:e`, "--digest", a.sample.single.manifest.digest]);
    assert.equal((await indexOf(`${a.base}:e`)).manifests.length, 0);
  });
});

Deno.test("index commands reject bad input with a typed exit and write nothing", async () => {
  await withTwo(async (a, b) => {
    const cases: { args: string[]; code: number }[] = [
      { args: ["create", `${a.base}:x`, "--ref", `${b.base}:docker`], code: 1 },
      { args: ["create", `${a.base}:x`, "-m", DOCKER_LIST, "--ref", `${b.base}:v1`], code: 1 },
      {
        args: ["create", `${a.base}:x`, "--ref", `${b.base}:v1`, "--platform", "linux/s390x"],
        code: 1,
      },
      { args: ["create", `${a.base}:x`, "-m", "application/json"], code: 2 },
      { args: ["create", `${a.base}:x`, "-m", DOCKER_LIST, "--subject", "single"], code: 2 },
      { args: ["create", `${a.base}:x`, "--digest", "sha256:" + "0".repeat(64)], code: 1 },
      { args: ["create", `${a.base}:x`, "--digest", "nope"], code: 2 },
      { args: ["add", `${a.base}:v1`, "--ref", `${b.base}:docker`], code: 1 },
      { args: ["add", `${a.base}:single`, "--digest", a.sample.single.manifest.digest], code: 1 },
      { args: ["delete", `${a.base}:v1`], code: 2 },
      { args: ["delete", `${a.base}:v1`, "--platform", "linux/s390x"], code: 1 },
      { args: ["delete", `${a.base}:v1`, "--digest", "sha256:" + "0".repeat(64)], code: 1 },
    ];
    const before = await snapshot(a.dir);
    for (const c of cases) {
      const r = await runCli(["index", ...c.args]);
      assert.equal(r.code, c.code, `${c.args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^ocictl: Cannot /m);
    }
    assert.deepEqual(await snapshot(a.dir), before);
  });
});

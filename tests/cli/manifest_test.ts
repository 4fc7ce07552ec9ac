import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { lineCount, snapshot, withLayout } from "./_layout.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MANIFEST_WRITE_LIMIT } from "../../src/types/manifest.ts";

Deno.test("manifest get prints regctl's human view of an index", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli(["manifest", "get", `${base}:v1`]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(lines[0] ?? "", new RegExp(`^Name: +${base}:v1$`));
    assert.match(lines[1] ?? "", /^MediaType: +application\/vnd\.oci\.image\.index\.v1\+json$/);
    assert.ok(lines.some((l) => /^Digest: +/.test(l) && l.endsWith(sample.index.digest)));
    assert.ok(lines.some((l) => /^Manifests: *$/.test(l)));
    for (const img of sample.images) {
      assert.ok(lines.some((l) => /^ {2}Digest: /.test(l) && l.endsWith(img.manifest.digest)));
    }
    // regclient prints arm64's default variant v8 without it
    assert.ok(lines.some((l) => /^ {2}Platform: +linux\/arm64$/.test(l)));
  });
});

Deno.test("manifest get --format raw-body prints the exact bytes", async () => {
  await withLayout(async ({ base, sample }) => {
    for (const [tag, desc] of [["v1", sample.index], ["docker", sample.dockerList]] as const) {
      const r = await runCli(["manifest", "pull", `${base}:${tag}`, "--format", "raw-body"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await digestOf(r.stdoutBytes), desc.digest);
      assert.equal(r.stdoutBytes.byteLength, desc.size);
    }
  });
});

Deno.test("manifest get --platform resolves an index to the platform's image", async () => {
  await withLayout(async ({ base, sample }) => {
    const arm = sample.images[1];
    assert.ok(arm);
    const r = await runCli([
      "manifest",
      "get",
      "-p",
      "linux/arm64",
      "--format",
      "raw-body",
      `${base}:v1`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await digestOf(r.stdoutBytes), arm.manifest.digest);
    const pretty = await runCli(["manifest", "get", "--platform", "linux/amd64", `${base}:v1`]);
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(pretty.stdout, /^Config: *$/m);
    assert.match(pretty.stdout, /^Layers: *$/m);
    const missing = await runCli(["manifest", "get", "-p", "windows/amd64", `${base}:v1`]);
    assert.equal(missing.code, 1);
    assert.equal(lineCount(missing.stderr), 1);
  });
});

Deno.test("manifest get shows the subject and artifact type of an artifact", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli(["manifest", "get", `${base}@${sample.artifact.digest}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ArtifactType: +\S+$/m);
    assert.match(r.stdout, /^Subject: *$/m);
    assert.ok(r.stdout.includes(sample.index.digest));
  });
});

Deno.test("manifest head prints the digest, or the headers with raw-headers", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli(["manifest", "head", `${base}:v1`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${sample.index.digest}\n`);
    const h = await runCli(["manifest", "digest", "--format", "raw-headers", `${base}:v1`]);
    assert.equal(h.code, 0, h.stderr);
    assert.deepEqual(h.stdout.trimEnd().split("\n"), [
      `Content-Length: ${sample.index.size}`,
      `Content-Type: ${sample.index.mediaType}`,
      `Docker-Content-Digest: ${sample.index.digest}`,
    ]);
    const p = await runCli(["manifest", "head", "-p", "linux/arm64", `${base}:v1`]);
    assert.equal(p.stdout, `${sample.images[1]?.manifest.digest}\n`);
    const d = await runCli(["manifest", "head", "--format", "digest", `${base}:v1`]);
    assert.equal(d.stdout, `${sample.index.digest}\n`);
  });
});

Deno.test("manifest put stores stdin under a tag; --by-digest prints the digest", async () => {
  await withLayout(async ({ base, sample }) => {
    const body = await runCli(["manifest", "get", `${base}:single`, "--format", "raw-body"]);
    const r = await runCli(["manifest", "put", `${base}:copy`], { stdin: body.stdoutBytes });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    const head = await runCli(["manifest", "head", `${base}:copy`]);
    assert.equal(head.stdout, `${sample.single.manifest.digest}\n`);
    const bd = await runCli(["manifest", "push", "--by-digest", base], {
      stdin: body.stdoutBytes,
    });
    assert.equal(bd.code, 0, bd.stderr);
    assert.equal(bd.stdout, `${await digestOf(body.stdoutBytes)}\n`);
  });
});

Deno.test("manifest put refuses bad bodies and writes nothing", async () => {
  await withLayout(async ({ base, dir }) => {
    const before = await snapshot(dir);
    const big = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [],
        annotations: { pad: "x".repeat(MANIFEST_WRITE_LIMIT) },
      }),
    );
    const cases: { name: string; stdin: Uint8Array | string; args?: string[]; code: number }[] = [
      { name: "over the 4 MiB cap", stdin: big, code: 1 },
      { name: "not JSON", stdin: "{ nope", code: 1 },
      { name: "not a manifest", stdin: '{"schemaVersion":2,"mediaType":"text/plain"}', code: 1 },
      { name: "empty", stdin: "", code: 1 },
      {
        name: "digest in the reference does not match",
        stdin:
          '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
        args: [`${base}@sha256:${"1".repeat(64)}`],
        code: 1,
      },
    ];
    for (const c of cases) {
      const r = await runCli(["manifest", "put", ...(c.args ?? [`${base}:bad`])], {
        stdin: c.stdin,
      });
      assert.equal(r.code, c.code, `${c.name}: ${r.stderr}`);
      assert.equal(lineCount(r.stderr), 1, `${c.name}: ${r.stderr}`);
      assert.deepEqual(await snapshot(dir), before, c.name);
    }
  });
});

Deno.test("manifest rm needs a digest unless --force-tag-dereference", async () => {
  await withLayout(async ({ base, dir, sample }) => {
    const before = await snapshot(dir);
    const r = await runCli(["manifest", "rm", `${base}:single`]);
    assert.equal(r.code, 2);
    assert.equal(lineCount(r.stderr), 1);
    assert.deepEqual(await snapshot(dir), before);

    const byDigest = await runCli(["manifest", "delete", `${base}@${sample.artifact.digest}`]);
    assert.equal(byDigest.code, 0, byDigest.stderr);
    const gone = await runCli(["manifest", "head", `${base}@${sample.artifact.digest}`]);
    assert.equal(gone.code, 1);

    const again = await runCli(["manifest", "rm", `${base}@${sample.artifact.digest}`]);
    assert.equal(again.code, 1);
    const ignored = await runCli([
      "manifest",
      "rm",
      "--ignore-missing",
      `${base}@${sample.artifact.digest}`,
    ]);
    assert.equal(ignored.code, 0, ignored.stderr);

    const forced = await runCli([
      "manifest",
      "remove",
      "--force-tag-dereference",
      `${base}:single`,
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    const tags = await runCli(["tag", "ls", base]);
    assert.ok(!tags.stdout.split("\n").includes("single"));
  });
});

Deno.test("manifest bad inputs exit 2 with one stderr line", async () => {
  await withLayout(async ({ base, dir }) => {
    const before = await snapshot(dir);
    const cases: { name: string; args: string[] }[] = [
      { name: "invalid reference", args: ["manifest", "get", "UPPER/Case"] },
      { name: "unknown scheme", args: ["manifest", "get", "xyz://x:v1"] },
      { name: "bad digest", args: ["manifest", "get", `${base}@sha256:../../etc`] },
      { name: "bad platform", args: ["manifest", "get", "-p", "linux/amd64/v1/x/y", `${base}:v1`] },
      { name: "template", args: ["manifest", "get", "--format", "{{.Digest", `${base}:v1`] },
      {
        name: "unknown function",
        args: ["manifest", "get", "--format", "{{nope .}}", `${base}:v1`],
      },
      { name: "unknown subcommand", args: ["manifest", "frobnicate"] },
    ];
    for (const c of cases) {
      const r = await runCli(c.args);
      assert.equal(r.code, 2, `${c.name}: ${r.stderr}`);
      assert.equal(lineCount(r.stderr), 1, `${c.name}: ${r.stderr}`);
      assert.equal(r.stdout, "", c.name);
    }
    const missing = await runCli(["manifest", "get", `${base}:nope`]);
    assert.equal(missing.code, 1);
    assert.equal(lineCount(missing.stderr), 1);
    assert.deepEqual(await snapshot(dir), before);
  });
});

Deno.test("manifest get --format runs Go templates over regctl's field names", async () => {
  await withLayout(async ({ base, sample: set }) => {
    const r = await runCli([
      "manifest",
      "get",
      "--format",
      "{{range .Manifests}}{{println .Platform}}{{end}}{{.GetDescriptor.Digest}} {{.IsList}}",
      `${base}:v1`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // arm64's default variant v8 prints without it, as in regclient
    const want = set.images.map((i) =>
      [i.platform.os, i.platform.architecture, i.platform.variant].filter(Boolean).join("/")
        .replace(/^(\w+\/arm64)\/v8$/, "$1")
    );
    assert.equal(r.stdout, `${want.join("\n")}\n${set.index.digest} true`);
    const img = await runCli([
      "image",
      "inspect",
      "-p",
      "linux/arm64",
      "--format",
      "{{.Architecture}}/{{.OS}} {{len .RootFS.DiffIDs}}",
      `${base}:v1`,
    ]);
    assert.equal(img.code, 0, img.stderr);
    assert.equal(img.stdout, `arm64/linux ${set.images[1]?.diffIds.length}`);
  });
});

Deno.test("manifest get and head --require-list refuse a single image (exit 1) and pass an index", async () => {
  await withLayout(async ({ base }) => {
    for (const verb of ["get", "head"]) {
      const bad = await runCli(["manifest", verb, "--require-list", `${base}:single`]);
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout, "");
      assert.match(bad.stderr, /Cannot get manifest list .*not an index/);
      const ok = await runCli(["manifest", verb, "--require-list", `${base}:v1`]);
      assert.equal(ok.code, 0, ok.stderr);
    }
  });
});

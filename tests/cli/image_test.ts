import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { lineCount, withLayout } from "./_layout.ts";
import { digestOf } from "../../src/types/digest.ts";

Deno.test("image digest prints the digest of a tag, or of a platform", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli(["image", "digest", `${base}:docker`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${sample.dockerList.digest}\n`);
    const p = await runCli(["image", "digest", "--platform", "linux/arm64/v8", `${base}:docker`]);
    assert.equal(p.stdout, `${sample.dockerImages[1]?.manifest.digest}\n`);
  });
});

Deno.test("image inspect prints the local platform's config as pretty JSON", async () => {
  await withLayout(async ({ base, sample }) => {
    const amd = sample.images[0];
    const arm = sample.images[1];
    assert.ok(amd && arm);
    const r = await runCli(["image", "inspect", `${base}:v1`], {
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    });
    assert.equal(r.code, 0, r.stderr);
    const cfg = JSON.parse(r.stdout) as { architecture: string; os: string };
    assert.equal(cfg.architecture, "arm64");
    assert.ok(r.stdout.startsWith("{\n  "));
    const raw = await runCli([
      "image",
      "config",
      "-p",
      "linux/amd64",
      "--format",
      "raw-body",
      `${base}:v1`,
    ]);
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(await digestOf(raw.stdoutBytes), amd.config.digest);
  });
});

Deno.test("image inspect of an artifact exits 1 with a hint", async () => {
  await withLayout(async ({ base, sample }) => {
    const r = await runCli(["image", "inspect", `${base}@${sample.artifact.digest}`]);
    assert.equal(r.code, 1);
    assert.equal(lineCount(r.stderr), 1);
    assert.match(r.stderr, /artifact/);
  });
});

Deno.test("image manifest is manifest get", async () => {
  await withLayout(async ({ base }) => {
    const a = await runCli(["image", "manifest", `${base}:v1`]);
    const b = await runCli(["manifest", "get", `${base}:v1`]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
  });
});

import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { indexText, lineCount, snapshot, withLayout } from "./_layout.ts";
import { SAMPLE_TAGS } from "../../src/sample/sample_images.ts";

const SAMPLE = [SAMPLE_TAGS.docker, SAMPLE_TAGS.single, SAMPLE_TAGS.index];

Deno.test("tag ls prints the tags of a layout one per line, sorted", async () => {
  await withLayout(async ({ base }) => {
    const r = await runCli(["tag", "ls", base]);
    assert.equal(r.code, 0, r.stderr);
    const tags = r.stdout.trimEnd().split("\n");
    assert.deepEqual(tags, [...tags].sort());
    for (const t of SAMPLE) assert.ok(tags.includes(t), t);
    assert.equal(r.stderr, "");
  });
});

Deno.test("tag ls filters with anchored --include and --exclude", async () => {
  await withLayout(async ({ base }) => {
    const cases: { args: string[]; want: string[] }[] = [
      { args: ["--include", "v1"], want: ["v1"] },
      { args: ["--include", "v"], want: [] },
      { args: ["--include", "si.*", "--include", "d.*"], want: ["docker", "single"] },
      { args: ["--include", "[a-z0-9]+", "--exclude", "docker"], want: ["single", "v1"] },
    ];
    for (const c of cases) {
      const r = await runCli(["tag", "list", ...c.args, base]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split("\n").filter((l) => l !== ""), c.want, c.args.join(" "));
    }
  });
});

Deno.test("tag ls honours --limit and --format json", async () => {
  await withLayout(async ({ base }) => {
    const all = (await runCli(["tag", "ls", base])).stdout.trimEnd().split("\n");
    const r = await runCli(["tag", "ls", "--limit", "2", base]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split("\n"), all.slice(0, 2));
    const t = await runCli(["tag", "ls", "--format", "{{range .Tags}}{{println .}}{{end}}", base]);
    assert.equal(t.stdout.trimEnd().split("\n").join(","), all.join(","));
    // regctl prints a layout's listing as its index.json, read into the index struct
    const j = await runCli(["tag", "ls", "--format", "{{json .}}", base]);
    assert.equal(j.code, 0, j.stderr);
    const index = JSON.parse(j.stdout) as { manifests: { annotations?: Record<string, string> }[] };
    const names = index.manifests.map((m) => m.annotations?.["org.opencontainers.image.ref.name"])
      .filter((n) => n !== undefined);
    assert.deepEqual(names.sort(), [...all].sort());
  });
});

Deno.test("tag rm removes a tag and leaves the others", async () => {
  await withLayout(async ({ base }) => {
    const r = await runCli(["tag", "rm", `${base}:${SAMPLE_TAGS.single}`]);
    assert.equal(r.code, 0, r.stderr);
    const tags = (await runCli(["tag", "ls", base])).stdout.trimEnd().split("\n");
    assert.ok(!tags.includes(SAMPLE_TAGS.single));
    assert.ok(tags.includes(SAMPLE_TAGS.index));
  });
});

Deno.test("tag rm of a missing tag exits 1, and 0 with --ignore-missing", async () => {
  await withLayout(async ({ base, dir }) => {
    const before = await snapshot(dir);
    const r = await runCli(["tag", "delete", `${base}:nope`]);
    assert.equal(r.code, 1);
    assert.equal(lineCount(r.stderr), 1);
    assert.match(r.stderr, /^ocictl: Cannot /);
    assert.deepEqual(await snapshot(dir), before);
    const ok = await runCli(["tag", "del", "--ignore-missing", `${base}:nope`]);
    assert.equal(ok.code, 0, ok.stderr);
  });
});

Deno.test("tag bad inputs exit with one stderr line and change nothing", async () => {
  await withLayout(async ({ base, dir }) => {
    const before = await snapshot(dir);
    const cases: { name: string; args: string[]; code: number }[] = [
      { name: "invalid reference", args: ["tag", "ls", "Bad Ref!"], code: 2 },
      { name: "unknown scheme", args: ["tag", "ls", "xyz://somewhere"], code: 2 },
      { name: "bad include pattern", args: ["tag", "ls", "--include", "(", base], code: 2 },
      { name: "bad limit", args: ["tag", "ls", "--limit", "-3", base], code: 2 },
      { name: "unknown flag", args: ["tag", "ls", "--bogus", base], code: 2 },
      { name: "missing argument", args: ["tag", "ls"], code: 2 },
      {
        name: "tag rm with a digest",
        args: ["tag", "rm", `${base}@sha256:${"0".repeat(64)}`],
        code: 2,
      },
      { name: "bad template", args: ["tag", "ls", "--format", "{{.Tags", base], code: 2 },
    ];
    for (const c of cases) {
      const r = await runCli(c.args);
      assert.equal(r.code, c.code, `${c.name}: ${r.stderr}`);
      assert.equal(lineCount(r.stderr), 1, `${c.name}: ${r.stderr}`);
      assert.match(r.stderr, /^ocictl: /, c.name);
      assert.equal(r.stdout, "", c.name);
    }
    assert.deepEqual(await snapshot(dir), before);
  });
});

Deno.test("tag ls on a directory that is not an OCI layout exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/hello.txt`, "hi");
    const r = await runCli(["tag", "ls", `ocidir://${dir}`]);
    assert.equal(r.code, 1);
    assert.equal(lineCount(r.stderr), 1);
    const missing = await runCli(["tag", "ls", `ocidir://${dir}/nope`]);
    assert.equal(missing.code, 1);
    assert.equal(lineCount(missing.stderr), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tag ls names index.json when it is not valid JSON, and leaves it unchanged", async () => {
  await withLayout(async ({ base, dir }) => {
    await Deno.writeTextFile(`${dir}/index.json`, "{ not json");
    const r = await runCli(["tag", "ls", base]);
    assert.equal(r.code, 1);
    assert.equal(lineCount(r.stderr), 1);
    assert.match(r.stderr, /index\.json/);
    const rm = await runCli(["tag", "rm", `${base}:v1`]);
    assert.equal(rm.code, 1);
    assert.equal(await indexText(dir), "{ not json");
  });
});

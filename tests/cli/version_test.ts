import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import denoJson from "../../deno.json" with { type: "json" };

Deno.test("version prints a key: value block with VCSTag from deno.json", async () => {
  const r = await runCli(["version"], { platform: { os: "linux", architecture: "arm64" } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^VCSTag: +v${denoJson.version.replaceAll(".", "\\.")}$`, "m"));
  assert.match(r.stdout, /^Platform: +linux\/arm64$/m);
  for (const key of ["VCSRef", "VCSCommit", "VCSState", "VCSDate", "DenoVer"]) {
    assert.match(r.stdout, new RegExp(`^${key}: +\\S`, "m"), key);
  }
});

Deno.test("version --format json and println work; other templates exit 2", async () => {
  const j = await runCli(["version", "--format", "{{json .}}"]);
  assert.equal(j.code, 0, j.stderr);
  assert.equal((JSON.parse(j.stdout) as { VCSTag: string }).VCSTag, `v${denoJson.version}`);
  const p = await runCli(["version", "--format", "{{println .VCSTag}}"]);
  assert.equal(p.stdout, `v${denoJson.version}\n`);
  const t = await runCli(["version", "--format", "{{.VCSTag}}"]);
  assert.equal(t.stdout, `v${denoJson.version}`);
  const bad = await runCli(["version", "--format", "{{range .}}x{{end"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
});

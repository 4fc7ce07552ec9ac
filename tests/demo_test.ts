/** The README's quick start: `deno task demo` must succeed offline. */
import assert from "node:assert/strict";

Deno.test("deno task demo runs every step and exits 0", async () => {
  const script = new URL("../scripts/demo.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(stdout, /\$ ocictl tag ls /);
  assert.match(stdout, /^v1$/m);
  assert.match(stdout, /Platform:\s+linux\/arm64\n/);
  assert.match(stdout, /"architecture": "arm64"/);
  assert.match(stdout, /registry listening on 127\.0\.0\.1:\d+/);
  assert.match(stdout, /ArtifactType:\s+application\/vnd\.example\.sbom\+json/);
  assert.match(stdout, /\$ ocictl sync once -c /);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /msg="Image copied" source=\S+\/demo\/sample:v1/,
  );
  assert.match(stdout, /registry stopped/);
  assert.match(stdout, /demo finished/);
  assert.doesNotMatch(new TextDecoder().decode(out.stderr), /level=(warn|error)/);
});

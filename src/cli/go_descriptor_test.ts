import assert from "node:assert/strict";
import { goDescriptor, humanSize, platformString, prettyDescriptor } from "./go_descriptor.ts";

const digest = "sha256:" + "b".repeat(64);

Deno.test("humanSize() matches regclient's units.HumanSize (%5.3f)", () => {
  const cases: [number, string][] = [
    [0, "0.000B"],
    [385, "385.000B"],
    [999, "999.000B"],
    [1000, "1.000kB"],
    [131452, "131.452kB"],
    [1234567, "1.235MB"],
    [5e9, "5.000GB"],
  ];
  for (const [n, want] of cases) assert.equal(humanSize(n), want, String(n));
});

Deno.test("prettyDescriptor() skips the size of manifests and shows platforms", () => {
  const s = prettyDescriptor({
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest,
    size: 500,
    platform: { os: "linux", architecture: "arm64", variant: "v8", "os.version": "1" },
    annotations: { b: "2", a: "1" },
  }, "  ");
  assert.ok(!s.includes("Size:"));
  assert.ok(s.includes("  Platform:\tlinux/arm64\n  OSVersion:\t1\n"));
  assert.ok(s.indexOf("    b:\t2") < s.indexOf("    a:\t1"), "document order");
  const blob = prettyDescriptor(
    { mediaType: "application/octet-stream", digest, size: 200000 },
    "",
  );
  assert.ok(blob.includes("Size:\t200.000kB\n"));
});

Deno.test("goDescriptor() exposes Go field names and serialises as Go marshals it", () => {
  const d = {
    mediaType: "application/octet-stream",
    digest,
    size: 1,
    platform: { os: "linux", architecture: "amd64" },
  };
  const g = goDescriptor(d);
  assert.equal(g.MediaType, d.mediaType);
  assert.equal(g.Platform?.OS, "linux");
  assert.equal(g.Platform?.String(), "linux/amd64");
  assert.deepEqual(JSON.parse(JSON.stringify(g)), d);
  assert.deepEqual(Object.keys(g.toJSON()), ["mediaType", "digest", "size", "platform"]);
  assert.equal(platformString({ os: "windows", architecture: "amd64" }), "windows/amd64");
});

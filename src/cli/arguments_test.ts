import assert from "node:assert/strict";
import { collectRegexp, countArg, digestArg, platformArg, refArg } from "./arguments.ts";

Deno.test("argument parsers throw typed usage errors", () => {
  assert.equal(refArg("ocidir://x:v1").tag, "v1");
  assert.throws(() => refArg("xyz://a"), { code: "UNKNOWN_SCHEME" });
  assert.throws(() => refArg("Bad Ref"), { code: "INVALID_REFERENCE" });
  const d = "sha256:" + "c".repeat(64);
  assert.equal(digestArg(d), d);
  assert.throws(() => digestArg("sha256:../x"), { code: "INVALID_DIGEST" });
  const parse = platformArg({ os: "linux", architecture: "arm64", variant: "v8" });
  assert.equal(parse("local").architecture, "arm64");
  assert.throws(() => parse("linux/amd64/v1/x/y"), { code: "INVALID_PLATFORM" });
  assert.equal(countArg("12"), 12);
  for (const bad of ["-1", "1.5", "x", ""]) assert.throws(() => countArg(bad), { code: "USAGE" });
});

Deno.test("collectRegexp() anchors patterns", () => {
  const [r] = collectRegexp("v1|v2", []);
  assert.ok(r?.test("v1") && r.test("v2"));
  assert.ok(!r?.test("v10"));
  assert.throws(() => collectRegexp("(", []), { code: "USAGE" });
});

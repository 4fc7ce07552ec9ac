import assert from "node:assert/strict";
import { ManifestInvalidError } from "../errors.ts";
import { marshalGoJson } from "./go_json.ts";
import { decodeStruct, type GoStructClass } from "./go_struct.ts";
import { isNil } from "./go_nil.ts";
import { GoImage, GoRootFS } from "./oci_image.ts";
import { GoDockerList, GoDockerManifest, GoOciIndex, GoOciManifest } from "./oci_manifest.ts";
import { GoPlatform } from "./oci_platform.ts";

const GOLDEN = new URL("../../tests/testdata/regctl-golden/cases.jsonl", import.meta.url);

interface ModCase {
  name: string;
  kind?: string;
  manifest: string;
  config: string | null;
}

function modCases(): ModCase[] {
  return Deno.readTextFileSync(GOLDEN).trim().split("\n").map((l) => JSON.parse(l) as ModCase)
    .filter((c) => c.kind === "mod");
}

function manifestClass(json: { mediaType?: string; manifests?: unknown }): GoStructClass {
  const mt = json.mediaType ?? "";
  if (mt.includes("docker") && mt.includes("list")) return GoDockerList;
  if (mt.includes("docker")) return GoDockerManifest;
  return json.manifests !== undefined ? GoOciIndex : GoOciManifest;
}

Deno.test("regctl's image mod outputs decode and marshal back to the same bytes", () => {
  const cases = modCases();
  assert.ok(cases.length > 10);
  for (const c of cases) {
    const mj = JSON.parse(c.manifest);
    const cls = manifestClass(mj);
    assert.equal(marshalGoJson(decodeStruct(cls, mj), { escapeHTML: true }), c.manifest, c.name);
    if (c.config === null) continue;
    const out = marshalGoJson(GoImage.fromJSON(JSON.parse(c.config)), { escapeHTML: true });
    // a config regctl did not touch keeps the fixture's own trailing newline
    assert.equal(out, c.config.replace(/\n$/, ""), c.name);
  }
});

Deno.test("Go structs drop unknown keys, match keys case-insensitively, keep nil apart from empty", () => {
  const img = GoImage.fromJSON({
    Architecture: "arm64",
    os: "linux",
    Variant: "v8",
    extra: { ignored: true },
    config: { env: ["A=1"], Volumes: null, Cmd: [] },
    rootfs: { type: "layers", diff_ids: null },
  });
  assert.equal(img.Architecture, "arm64");
  assert.equal(img.Platform.String(), "linux/arm64");
  assert.ok(isNil(img.Config.Volumes));
  assert.ok(!isNil(img.Config.Cmd));
  assert.equal(
    marshalGoJson(img),
    '{"architecture":"arm64","os":"linux","variant":"v8","config":{"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":null}}',
  );
});

Deno.test("omitzero leaves out an all-zero config but keeps one with an empty list", () => {
  const zero = GoImage.fromJSON({ config: {}, rootfs: {} });
  assert.equal(
    marshalGoJson(zero),
    '{"architecture":"","os":"","rootfs":{"type":"","diff_ids":null}}',
  );
  const empty = GoImage.fromJSON({ config: { Env: [] } });
  assert.match(marshalGoJson(empty), /"config":\{\}/);
});

Deno.test("HTML characters are escaped only when asked, times keep their zone", () => {
  const img = GoImage.fromJSON({
    created: "2021-02-03T04:05:06.500+01:00",
    config: { Labels: { b: "<&>", a: "x" } },
  });
  assert.equal(img.Created?.String(), "2021-02-03 04:05:06.5 +0100 +0100");
  const esc = marshalGoJson(img, { escapeHTML: true });
  assert.match(esc, /"created":"2021-02-03T04:05:06.5\+01:00"/);
  assert.match(esc, /"Labels":\{"a":"x","b":"\\u003c\\u0026\\u003e"\}/);
  assert.match(marshalGoJson(img), /"b":"<&>"/);
});

Deno.test("a JSON value of the wrong type is a MANIFEST_INVALID error naming the field", () => {
  assert.throws(
    () => GoImage.fromJSON({ config: { Env: "A=1" } }),
    (e: unknown) => e instanceof ManifestInvalidError && /Image\.config\.Env/.test(e.message),
  );
  assert.throws(() => decodeStruct(GoRootFS, []), ManifestInvalidError);
  assert.throws(() => GoImage.fromJSON({ created: "yesterday" }), ManifestInvalidError);
});

Deno.test("platform String() normalises as regclient does", () => {
  const p = (os: string, architecture: string, variant = "") =>
    GoPlatform.fromJSON({ os, architecture, variant }).String();
  assert.equal(p("linux", "arm64", "v8"), "linux/arm64");
  assert.equal(p("linux", "aarch64"), "linux/arm64");
  assert.equal(p("linux", "arm"), "linux/arm/v7");
  assert.equal(p("linux", "arm", "6"), "linux/arm/v6");
  assert.equal(p("linux", "x86_64", "v1"), "linux/amd64");
  assert.equal(p("macos", "arm64"), "darwin/arm64");
  assert.equal(p("", "amd64"), "unknown");
});

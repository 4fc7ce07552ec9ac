import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { MOD_FLAGS } from "./mod_flags.ts";
import { parseModFlag } from "./mod_step.ts";

Deno.test("parseModFlag() reads name=value with platform prefixes as regctl does", () => {
  const [label] = parseModFlag("label", "[linux/amd64,linux/arm64]a=b=c");
  assert.ok(label?.kind === "label");
  assert.equal(label.name, "a");
  assert.equal(label.value, "b=c");
  assert.deepEqual(label.platforms.map((p) => p.architecture), ["amd64", "arm64"]);
  assert.deepEqual(parseModFlag("env", "[*]PATH"), [{
    kind: "env",
    platforms: [],
    name: "PATH",
    value: "",
  }]);
  assert.deepEqual(parseModFlag("annotation", "k="), [{
    kind: "annotation",
    platforms: [],
    name: "k",
    value: "",
    topOnly: true,
  }]);
  assert.deepEqual(parseModFlag("annotation", "[*]k=v"), [{
    kind: "annotation",
    platforms: [],
    name: "k",
    value: "v",
  }]);
});

Deno.test("parseModFlag() turns commands into arrays (JSON, else /bin/sh -c, empty deletes)", () => {
  assert.deepEqual(parseModFlag("config-entrypoint", '["bash","-l"]'), [{
    kind: "entrypoint",
    value: ["bash", "-l"],
  }]);
  assert.deepEqual(parseModFlag("config-cmd", ""), [{ kind: "cmd", value: [] }]);
  assert.deepEqual(parseModFlag("config-cmd", "[oops"), [{
    kind: "cmd",
    value: ["/bin/sh", "-c", "[oops"],
  }]);
});

Deno.test("parseModFlag() --time adds a config step and a layer step", () => {
  const steps = parseModFlag("time", "set=2021-02-03T04:05:06Z");
  assert.deepEqual(steps.map((s) => s.kind), ["config-time", "layer-time"]);
});

Deno.test("parseModFlag() reads --layer-add, --annotation-base and --rebase-ref", () => {
  const [add] = parseModFlag(
    "layer-add",
    "dir=x,platform=linux/arm64,mediaType=application/vnd.oci.image.layer.v1.tar+zstd",
  );
  assert.equal(add?.kind, "layer-add");
  const [base] = parseModFlag("annotation-base", `alpine:3@sha256:${"a".repeat(64)}`);
  assert.equal(base?.kind === "annotation-base" && base.digest, `sha256:${"a".repeat(64)}`);
  const [rebase] = parseModFlag("rebase-ref", "alpine:3.18,alpine:3.19");
  assert.equal(rebase?.kind === "rebase-ref" && rebase.newBase.tag, "3.19");
  const [arg] = parseModFlag("buildarg-rm", "V=1.2");
  assert.equal(arg?.kind === "buildarg-rm" && arg.pattern, "1\\.2");
});

Deno.test("parseModFlag() refuses bad values as usage errors", () => {
  const bad: [string, string][] = [
    ["layer-compress", "lz4"],
    ["layer-add", "file=x"],
    ["layer-add", "tar=a,dir=b"],
    ["layer-add", "tar=a,mediaType=text/plain"],
    ["layer-add", "tar=a,platform=/"],
    ["layer-rm-index", "-1"],
    ["layer-rm-created-by", "("],
    ["buildarg-rm-regex", "A=("],
    ["rebase-ref", "only-one"],
    ["annotation-base", "alpine:3"],
    ["label", "[bad/]a=b"],
    ["data-max", "big"],
    ["config-platform", ""],
    ["file-tar-time", "set=2021-02-03T04:05:06Z"],
    ["layer-strip-file", "/"],
    ["no-such-flag", ""],
  ];
  for (const [flag, value] of bad) {
    assert.throws(() => parseModFlag(flag, value), UsageError, `${flag} ${value}`);
  }
});

Deno.test("MOD_FLAGS: every flag parses (switches with no value)", () => {
  for (const [name, f] of Object.entries(MOD_FLAGS)) {
    if (f.arg !== undefined) continue;
    assert.equal(parseModFlag(name).length, 1, name);
  }
});

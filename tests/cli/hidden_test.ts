/**
 * regctl's hidden helpers scripts use: `digest` (of stdin) and `ref` (parse
 * a reference, print its parts).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { runCli } from "../cli_harness.ts";

Deno.test("digest prints the digest of stdin, without a newline, as regctl does", async () => {
  const body = "hello world\n".repeat(10_000);
  const want = createHash("sha256").update(body).digest("hex");
  const r = await runCli(["digest"], { stdin: body });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `sha256:${want}`);

  const want512 = createHash("sha512").update(body).digest("hex");
  const f = await runCli(
    ["digest", "--algorithm", "sha512", "--format", "{{.Algorithm}} {{.Encoded}} {{json .}}"],
    { stdin: body },
  );
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stdout, `sha512 ${want512} "sha512:${want512}"\n`);

  const empty = await runCli(["digest"], { stdin: "" });
  assert.equal(empty.stdout, `sha256:${createHash("sha256").update("").digest("hex")}`);
});

Deno.test("digest refuses an unknown algorithm with a usage error and prints nothing", async () => {
  const r = await runCli(["digest", "--algorithm", "md5"], { stdin: "x" });
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /sha256 or sha512/);
});

Deno.test("ref prints the common name and regclient's Ref fields and methods", async () => {
  const cases: [string[], string][] = [
    [["ref", "nginx"], "docker.io/library/nginx:latest"],
    [
      [
        "ref",
        "localhost:5000/a/b:v1",
        "--format",
        "{{.Registry}}|{{.Repository}}|{{.Tag}}|{{.Scheme}}",
      ],
      "localhost:5000|a/b|v1|reg",
    ],
    [["ref", "nginx", "--format", "{{.Reference}} {{.IsSet}} {{.IsZero}}"], "nginx true false"],
    [["ref", "nginx", "--format", "{{.}}"], "{reg nginx docker.io library/nginx latest  }"],
    [["ref", "nginx", "--format", '{{(.SetTag "v2").CommonName}}'], "docker.io/library/nginx:v2"],
    [
      ["ref", "ocidir://Some/Dir_x:v1", "--format", "{{.Path}} {{.ToReg.CommonName}}"],
      "Some/Dir_x localhost/some/dir-x:v1",
    ],
    [
      ["ref", "alpine:3", "--format", "{{json .}}"],
      '{"Scheme":"reg","Reference":"alpine:3","Registry":"docker.io","Repository":"library/alpine","Tag":"3","Digest":"","Path":""}\n',
    ],
  ];
  for (const [argv, want] of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, want, argv.join(" "));
  }
});

Deno.test("ref refuses a malformed reference with exit 2 and prints nothing", async () => {
  const r = await runCli(["ref", "Not A Ref"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
});

Deno.test("regctl's hidden and deprecated flags are accepted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-flags-" });
  const env = { OCICTL_CONFIG: `${dir}/config.json` };
  try {
    const set = await runCli(
      ["registry", "set", "--skip-check", "--dns", "x", "--scheme", "http", "r.example"],
      { env },
    );
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stderr, /Scheme flag is deprecated/);
    assert.match(set.stderr, /DNS flag is deprecated/);
    const layout = `ocidir://${dir}/layout`;
    const put = await runCli(
      ["artifact", "put", "--artifact-type", "application/x.note", `${layout}:a`],
      { env, stdin: "hello" },
    );
    assert.equal(put.code, 0, put.stderr);
    const ref = await runCli(
      [
        "artifact",
        "put",
        "--refers",
        `${layout}:a`,
        "--media-type",
        "application/vnd.oci.image.manifest.v1+json",
        "--artifact-type",
        "application/x.sig",
      ],
      { env, stdin: "sig" },
    );
    assert.equal(ref.code, 0, ref.stderr);
    const list = await runCli(
      ["artifact", "list", "--slow-referrers", `${layout}:a`, "--format", "{{len .Descriptors}}"],
      { env },
    );
    assert.equal(list.stdout, "1", list.stderr);
    const got = await runCli(["artifact", "get", "--slow-referrers", "--refers", `${layout}:a`], {
      env,
    });
    assert.equal(got.stdout, "sig");
    const head = await runCli(["manifest", "head", "--list", `${layout}:a`], { env });
    assert.equal(head.code, 0, head.stderr);
    const bad = await runCli(
      ["artifact", "put", "--media-type", "application/x.other", `${layout}:b`],
      { env, stdin: "x" },
    );
    assert.equal(bad.code, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { lineCount, snapshot, withLayout } from "./_layout.ts";
import { digestOf } from "../../src/types/digest.ts";

Deno.test("blob get streams the exact bytes of a blob", async () => {
  await withLayout(async ({ base, sample }) => {
    for (const d of sample.blobs.slice(0, 3)) {
      const r = await runCli(["blob", "get", base, d.digest]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdoutBytes.byteLength, d.size);
      assert.equal(await digestOf(r.stdoutBytes), d.digest);
    }
  });
});

Deno.test("blob get of a corrupted blob fails and says so on stderr", async () => {
  await withLayout(async ({ base, dir, sample }) => {
    const d = sample.images[0]?.layers[0];
    assert.ok(d);
    const path = `${dir}/blobs/sha256/${d.digest.slice("sha256:".length)}`;
    const bytes = await Deno.readFile(path);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    await Deno.writeFile(path, bytes);
    const r = await runCli(["layer", "pull", base, d.digest]);
    assert.equal(r.code, 1);
    assert.equal(lineCount(r.stderr), 1);
  });
});

Deno.test("blob head prints the blob's headers", async () => {
  await withLayout(async ({ base, sample }) => {
    const d = sample.single.config;
    const r = await runCli(["blob", "digest", base, d.digest]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Content-Length: ${d.size}$`, "m"));
    assert.match(r.stdout, new RegExp(`^Docker-Content-Digest: ${d.digest}$`, "m"));
  });
});

Deno.test("blob put stores stdin and prints its digest", async () => {
  await withLayout(async ({ base }) => {
    const data = new TextEncoder().encode("hello blob\n".repeat(1000));
    const want = await digestOf(data);
    const r = await runCli(["blob", "put", base], { stdin: data });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${want}\n`);
    const checked = await runCli(["blob", "push", "--digest", want, base], { stdin: data });
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(checked.stdout, `${want}\n`);
  });
});

Deno.test("blob put with a wrong --digest or truncated stdin stores nothing", async () => {
  await withLayout(async ({ base, dir }) => {
    const data = new TextEncoder().encode("some bytes ".repeat(500));
    const before = await snapshot(dir);
    const cases = [
      { name: "other bytes", stdin: new TextEncoder().encode("other") },
      { name: "truncated", stdin: data.slice(0, data.byteLength - 7) },
    ];
    for (const c of cases) {
      const r = await runCli(["blob", "put", "--digest", await digestOf(data), base], {
        stdin: c.stdin,
      });
      assert.equal(r.code, 1, `${c.name}: ${r.stderr}`);
      assert.equal(lineCount(r.stderr), 1, `${c.name}: ${r.stderr}`);
      assert.equal(r.stdout, "", c.name);
      assert.deepEqual(await snapshot(dir), before, c.name);
    }
  });
});

Deno.test("blob rm deletes a blob; a second rm exits 1", async () => {
  await withLayout(async ({ base, sample }) => {
    const d = sample.artifactLayer;
    const r = await runCli(["blob", "rm", base, d.digest]);
    assert.equal(r.code, 0, r.stderr);
    const again = await runCli(["blob", "delete", base, d.digest]);
    assert.equal(again.code, 1);
    assert.equal(lineCount(again.stderr), 1);
  });
});

Deno.test("blob bad digests exit 2 and touch nothing", async () => {
  await withLayout(async ({ base, dir }) => {
    const before = await snapshot(dir);
    const digests = [
      "sha256:../../../etc/passwd",
      "sha256:../" + "a".repeat(61),
      "md5:" + "a".repeat(32),
      "sha256:" + "A".repeat(64),
      "nodigest",
    ];
    for (const d of digests) {
      for (const verb of ["get", "head", "rm"]) {
        const r = await runCli(["blob", verb, base, d]);
        assert.equal(r.code, 2, `${verb} ${d}: ${r.stderr}`);
        assert.equal(lineCount(r.stderr), 1, `${verb} ${d}`);
      }
      const put = await runCli(["blob", "put", "--digest", d, base], { stdin: "x" });
      assert.equal(put.code, 2, `put ${d}: ${put.stderr}`);
    }
    assert.deepEqual(await snapshot(dir), before);
  });
});

import assert from "node:assert/strict";
import { createTarPacker } from "modern-tar";
import { _extractTarGz, _safeRelative } from "./_dir_tar.ts";

Deno.test("_safeRelative() accepts inner paths and refuses escapes", () => {
  assert.equal(_safeRelative("a/./b/", "x"), "a/b");
  for (const p of ["", "/a", "../a", "a/../../b", "a//b", "C:/x", "a\\b"]) {
    assert.throws(() => _safeRelative(p, "x"), { code: "MANIFEST_INVALID" }, p);
  }
});

Deno.test("_extractTarGz() refuses an entry that leaves the output directory", async () => {
  const { readable, controller } = createTarPacker();
  const w = controller.add({ name: "../evil", type: "file", size: 1, mode: 0o644 }).getWriter();
  const done = (async () => {
    await w.write(new Uint8Array([1]));
    await w.close();
    controller.finalize();
  })();
  const gz = readable.pipeThrough(
    new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
  );
  const writes: string[] = [];
  await assert.rejects(
    _extractTarGz(gz, {
      mkdir: () => Promise.resolve(),
      writeFile: (p, body) => {
        writes.push(p);
        return body.cancel();
      },
    }, "out"),
    { code: "MANIFEST_INVALID" },
  );
  await done;
  assert.deepEqual(writes, []);
});

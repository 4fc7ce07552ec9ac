import assert from "node:assert/strict";
import { _rawTar } from "../archive/_raw_tar_test_helper.ts";
import { ArchiveError } from "../archive/archive_error.ts";
import { denoExtractFs } from "../archive/extract_fs.ts";
import { UsageError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { _pushImage } from "./_image_test_helper.ts";
import { exportFs } from "./export_fs.ts";

const platform = { os: "linux", architecture: "amd64" };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_exportfs_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("exportFs() refuses a symlink out of DIR followed by a file through it, writing nothing", async () => {
  await withDir(async (dir) => {
    const t = new MemoryTransport();
    const img = await _pushImage(t, "v1", [
      await _rawTar([{ name: "ok", content: "1" }, {
        name: "evil",
        type: "symlink",
        linkname: dir,
      }]),
      await _rawTar([{ name: "evil/pwned", content: "x" }]),
    ]);
    await assert.rejects(
      exportFs(t, img.ref, `${dir}/root`, { fs: denoExtractFs, platform }),
      (e: unknown) => e instanceof ArchiveError && e.code === "LAYOUT_INVALID",
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

for (const name of ["../x", "/abs"]) {
  Deno.test(`exportFs() refuses a layer with the entry ${name}, writing nothing`, async () => {
    await withDir(async (dir) => {
      const t = new MemoryTransport();
      const img = await _pushImage(t, "v1", [
        await _rawTar([{ name: "a", content: "1" }]),
        await _rawTar([{ name, content: "evil" }]),
      ]);
      await assert.rejects(
        exportFs(t, img.ref, `${dir}/root`, { fs: denoExtractFs, platform }),
        ArchiveError,
      );
      assert.deepEqual([...Deno.readDirSync(dir)], []);
    });
  });
}

Deno.test("exportFs() refuses a non-empty directory unless forced", async () => {
  await withDir(async (dir) => {
    const t = new MemoryTransport();
    const img = await _pushImage(t, "v1", [await _rawTar([{ name: "a", content: "new" }])]);
    await Deno.writeTextFile(`${dir}/a`, "old");
    await assert.rejects(
      exportFs(t, img.ref, dir, { fs: denoExtractFs, platform }),
      (e: unknown) => e instanceof UsageError && e.code === "USAGE",
    );
    assert.equal(await Deno.readTextFile(`${dir}/a`), "old");
    const r = await exportFs(t, img.ref, dir, { fs: denoExtractFs, platform, force: true });
    assert.equal(r.files, 1);
    assert.equal(await Deno.readTextFile(`${dir}/a`), "new");
  });
});

Deno.test("exportFs() keeps absolute symlinks as links inside DIR without following them", async () => {
  await withDir(async (dir) => {
    const t = new MemoryTransport();
    const img = await _pushImage(t, "v1", [
      await _rawTar([
        { name: "etc/", type: "directory" },
        { name: "etc/passwd", content: "root" },
        { name: "link", type: "symlink", linkname: "/etc/passwd" },
        { name: "up", type: "symlink", linkname: "../../../../etc" },
      ]),
    ]);
    const r = await exportFs(t, img.ref, `${dir}/root`, { fs: denoExtractFs, platform });
    assert.equal(r.links, 2);
    assert.equal(await Deno.readLink(`${dir}/root/link`), "/etc/passwd");
    assert.equal(await Deno.readTextFile(`${dir}/root/etc/passwd`), "root");
  });
});

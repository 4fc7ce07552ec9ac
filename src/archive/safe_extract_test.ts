import assert from "node:assert/strict";
import { ArchiveError } from "./archive_error.ts";
import { denoExtractFs } from "./extract_fs.ts";
import { SafeExtractor } from "./safe_extract.ts";

const enc = new TextEncoder();
const body = (s: string) => ReadableStream.from([enc.encode(s)]);

async function withRoot(fn: (root: string, outside: string) => Promise<void>): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "ocictl_extract_" });
  await Deno.mkdir(`${base}/root`);
  await Deno.mkdir(`${base}/outside`);
  try {
    await fn(`${base}/root`, `${base}/outside`);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("SafeExtractor writes files, dirs, symlinks and hard links", async () => {
  await withRoot(async (root) => {
    const x = new SafeExtractor(denoExtractFs, root);
    await x.mkdir("d", 0o700);
    await x.writeFile("d/f", body("hi"), 0o4755);
    await x.hardlink("d/h", "d/f");
    await x.symlink("d/s", "f");
    await x.finish();
    assert.equal(await Deno.readTextFile(`${root}/d/h`), "hi");
    assert.equal(await Deno.readLink(`${root}/d/s`), "f");
    assert.equal((await Deno.stat(`${root}/d/f`)).mode! & 0o7777, 0o755);
    assert.equal((await Deno.stat(`${root}/d`)).mode! & 0o777, 0o700);
  });
});

Deno.test("SafeExtractor never writes through a symlink that points out of the root", async () => {
  await withRoot(async (root, outside) => {
    await Deno.symlink(outside, `${root}/evil`);
    const x = new SafeExtractor(denoExtractFs, root);
    await assert.rejects(x.writeFile("evil/pwned", body("x"), 0o644), (e: unknown) => {
      assert.ok(e instanceof ArchiveError);
      assert.equal(e.code, "LAYOUT_INVALID");
      return true;
    });
    assert.deepEqual([...Deno.readDirSync(outside)], []);
  });
});

Deno.test("SafeExtractor replaces an existing symlink instead of following it", async () => {
  await withRoot(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/target`, "keep");
    await Deno.symlink(`${outside}/target`, `${root}/f`);
    const x = new SafeExtractor(denoExtractFs, root);
    await x.writeFile("f", body("new"), 0o644);
    assert.equal(await Deno.readTextFile(`${outside}/target`), "keep");
    assert.equal(await Deno.readTextFile(`${root}/f`), "new");
  });
});

Deno.test("SafeExtractor refuses .., absolute paths and hard links out of the root", async () => {
  await withRoot(async (root, outside) => {
    await Deno.writeTextFile(`${outside}/secret`, "s");
    const x = new SafeExtractor(denoExtractFs, root);
    await assert.rejects(x.writeFile("../x", body("x"), 0o644), ArchiveError);
    await assert.rejects(x.writeFile("/abs", body("x"), 0o644), ArchiveError);
    await assert.rejects(x.hardlink("h", "../outside/secret"), ArchiveError);
    await assert.rejects(x.hardlink("h", "missing"), ArchiveError);
    assert.deepEqual([...Deno.readDirSync(root)], []);
  });
});

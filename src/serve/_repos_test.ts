import { deepEqual } from "node:assert/strict";
import { denoFileSystem } from "../transport/ocidir/file_system.ts";
import { listRepositories } from "./_repos.ts";

Deno.test("listRepositories() finds nested layouts and skips blobs, dot and invalid folders", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const p of ["a", "a/b/c", "x/y", ".uploads/z", "Bad", "a/blobs/sha256"]) {
      await Deno.mkdir(`${dir}/${p}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${p}/index.json`, "{}");
    }
    await Deno.mkdir(`${dir}/empty/deep`, { recursive: true });
    deepEqual(await listRepositories(denoFileSystem, dir), ["a", "a/b/c", "x/y"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

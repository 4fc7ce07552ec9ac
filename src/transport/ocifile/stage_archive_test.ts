import { equal, rejects } from "node:assert/strict";
import { ArchiveError } from "../../archive/archive_error.ts";
import { _rawTar } from "../../archive/_raw_tar_test_helper.ts";
import { denoFileSystem } from "../ocidir/file_system.ts";
import { stageArchive } from "./stage_archive.ts";

Deno.test("stageArchive() refuses a name that is a file and a directory with ArchiveError", async () => {
  for (
    const names of [
      ["blobs/sha256", "blobs/sha256/x"],
      ["blobs/sha256/x", "blobs/sha256"],
    ]
  ) {
    const dir = await Deno.makeTempDir();
    try {
      const tar = await _rawTar(names.map((name) => ({ name, content: "x" })));
      await rejects(stageArchive(denoFileSystem, ReadableStream.from([tar]), dir), ArchiveError);
      const left = (await Array.fromAsync(Deno.readDir(`${dir}/blobs`))).map((e) => e.name);
      equal(left.join(), "sha256", "no temp file left");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("stageArchive() refuses a tar cut inside a file body with ArchiveError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tar = await _rawTar([{ name: "oci-layout", content: "x".repeat(2000) }]);
    const cut = tar.subarray(0, 512 + 700);
    await rejects(stageArchive(denoFileSystem, ReadableStream.from([cut]), dir), ArchiveError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

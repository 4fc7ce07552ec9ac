import assert from "node:assert/strict";
import { AbortedError } from "../../errors.ts";
import { denoFileSystem } from "./file_system.ts";
import type { FileSystem, FileWriter } from "./file_system_types.ts";
import { writeTempBytes } from "./temp_bytes.ts";

async function _withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_temp_bytes_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function _names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("writeTempBytes() writes the bytes to a new temp file with the prefix", async () => {
  await _withDir(async (dir) => {
    const bytes = new TextEncoder().encode('{"schemaVersion":2}');
    const tmp = await writeTempBytes(denoFileSystem, dir, bytes, { prefix: "index.json." });
    assert.match(tmp.slice(dir.length + 1), /^index\.json\..+\.tmp$/);
    assert.deepEqual(await Deno.readFile(tmp), bytes);
    assert.deepEqual(await _names(dir), [tmp.slice(dir.length + 1)]);
  });
});

Deno.test("writeTempBytes() removes the temp file when the write fails and rethrows", async () => {
  await _withDir(async (dir) => {
    const full = new Error("no space left on device");
    const fs: FileSystem = {
      ...denoFileSystem,
      async createTemp(d, options) {
        const real = await denoFileSystem.createTemp(d, options);
        const failing: FileWriter = { ...real, path: real.path, write: () => Promise.reject(full) };
        return failing;
      },
    };
    await assert.rejects(writeTempBytes(fs, dir, new Uint8Array(8)), (e) => e === full);
    assert.deepEqual(await _names(dir), []);
  });
});

Deno.test("writeTempBytes() with an aborted signal writes nothing and throws AbortedError", async () => {
  await _withDir(async (dir) => {
    const c = new AbortController();
    c.abort();
    await assert.rejects(
      writeTempBytes(denoFileSystem, dir, new Uint8Array(8), { signal: c.signal }),
      AbortedError,
    );
    assert.deepEqual(await _names(dir), []);
  });
});

import assert from "node:assert/strict";
import { digestOf } from "../../types/digest.ts";
import { randomBytes } from "../../../tests/registry/_image.ts";
import { hashFileOffThread, hashWorkerRunning, warmHashWorker } from "./_hash_pool.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_hash_pool_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Appends `bytes` to `path` in `pieces` parts, pausing `ms` before each. */
async function appendSlowly(path: string, bytes: Uint8Array, pieces: number, ms: number) {
  const file = await Deno.open(path, { write: true, append: true });
  try {
    const step = Math.ceil(bytes.byteLength / pieces);
    for (let at = 0; at < bytes.byteLength; at += step) {
      await new Promise((r) => setTimeout(r, ms));
      const piece = bytes.subarray(at, Math.min(at + step, bytes.byteLength));
      let off = 0;
      while (off < piece.byteLength) off += await file.write(piece.subarray(off));
    }
  } finally {
    file.close();
  }
}

Deno.test("hashFileOffThread() hashes a file on the worker, which ends with the job", async () => {
  await withDir(async (dir) => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7, 3);
    await Deno.writeFile(`${dir}/f`, bytes);
    const seen: number[] = [];
    const r = await hashFileOffThread(`${dir}/f`, {
      algorithm: "sha256",
      size: bytes.byteLength,
      onBytes: (n) => seen.push(n),
    });
    assert.deepEqual(r, { digest: await digestOf(bytes), count: bytes.byteLength });
    assert.equal(seen.at(-1), bytes.byteLength);
    assert.equal(hashWorkerRunning(), false);
  });
});

Deno.test("hashFileOffThread() follows a growing file until its write settles; a longer file shows in the count", async () => {
  await withDir(async (dir) => {
    const bytes = randomBytes(2 * 1024 * 1024 + 11, 4);
    await Deno.writeFile(`${dir}/g`, new Uint8Array());
    const writing = appendSlowly(`${dir}/g`, bytes, 6, 15);
    const r = await hashFileOffThread(`${dir}/g`, {
      algorithm: "sha256",
      size: bytes.byteLength,
      writing,
      syncEvery: 1024 * 1024,
    });
    assert.deepEqual(r, { digest: await digestOf(bytes), count: bytes.byteLength });
    const long = await hashFileOffThread(`${dir}/g`, { algorithm: "sha256", size: 100 });
    assert.equal(long?.count, 101);
    assert.equal(hashWorkerRunning(), false);
  });
});

Deno.test("hashFileOffThread() ends with a failed write's error, or the abort reason", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/h`, new Uint8Array(10));
    const broken = new Error("the download broke");
    await assert.rejects(
      hashFileOffThread(`${dir}/h`, {
        algorithm: "sha256",
        size: 1000,
        writing: new Promise((_, reject) => setTimeout(() => reject(broken), 30)),
      }),
      (e: unknown) => e === broken,
    );
    const stop = new AbortController();
    const reason = new Error("stopped by the test");
    setTimeout(() => stop.abort(reason), 30);
    await assert.rejects(
      hashFileOffThread(`${dir}/h`, {
        algorithm: "sha256",
        size: 1000,
        writing: new Promise(() => {}),
        signal: stop.signal,
      }),
      (e: unknown) => e === reason,
    );
    assert.equal(hashWorkerRunning(), false);
  });
});

Deno.test("hashFileOffThread() answers undefined for a file it cannot read (the caller hashes it)", async () => {
  await withDir(async (dir) => {
    assert.equal(
      await hashFileOffThread(`${dir}/missing`, { algorithm: "sha256", size: 1 }),
      undefined,
    );
  });
});

Deno.test("warmHashWorker() starts the worker and keeps it between jobs until released", async () => {
  await withDir(async (dir) => {
    const release = warmHashWorker();
    try {
      assert.equal(hashWorkerRunning(), true);
      const bytes = randomBytes(1000, 5);
      await Deno.writeFile(`${dir}/w`, bytes);
      for (let i = 0; i < 2; i++) {
        const r = await hashFileOffThread(`${dir}/w`, { algorithm: "sha512", size: 1000 });
        assert.equal(r?.digest, await digestOf(bytes, "sha512"));
        assert.equal(hashWorkerRunning(), true);
      }
    } finally {
      release();
      release();
    }
    assert.equal(hashWorkerRunning(), false);
  });
});

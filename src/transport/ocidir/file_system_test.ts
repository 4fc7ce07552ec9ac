import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { AbortedError, ErrorCode, NotFoundError } from "../../errors.ts";
import { denoFileSystem as fs } from "./file_system.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_fs_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const bytes = (...n: number[]) => new Uint8Array(n);

Deno.test("denoFileSystem.writeTemp() writes a temp file that rename() puts in place", async () => {
  await withDir(async (dir) => {
    const tmp = await fs.writeTemp(dir, ReadableStream.from([bytes(1, 2), bytes(3)]), {
      prefix: "x.",
    });
    ok(tmp.startsWith(`${dir}/x.`) && tmp.endsWith(".tmp"));
    await fs.rename(tmp, `${dir}/out`);
    const data = new Uint8Array(await new Response(await fs.open(`${dir}/out`)).arrayBuffer());
    deepEqual(data, bytes(1, 2, 3));
    deepEqual(await fs.readDir(dir), ["out"]);
  });
});

Deno.test("denoFileSystem.writeTemp() removes the temp file when the stream errors", async () => {
  await withDir(async (dir) => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes(1));
        c.error(new RangeError("boom"));
      },
    });
    await rejects(fs.writeTemp(dir, body), RangeError);
    deepEqual(await fs.readDir(dir), []);
  });
});

Deno.test("denoFileSystem.writeTemp() stops and cleans up on abort", async () => {
  await withDir(async (dir) => {
    const ctl = new AbortController();
    ctl.abort();
    await rejects(
      fs.writeTemp(dir, ReadableStream.from([bytes(1)]), { signal: ctl.signal }),
      (err: unknown) => err instanceof AbortedError && err.code === ErrorCode.ABORTED,
    );
    deepEqual(await fs.readDir(dir), []);
  });
});

Deno.test("denoFileSystem reports missing paths as NotFoundError or undefined", async () => {
  await withDir(async (dir) => {
    const isNotFound = (err: unknown) =>
      err instanceof NotFoundError && err.code === ErrorCode.NOT_FOUND;
    await rejects(fs.open(`${dir}/nope`), isNotFound);
    await rejects(fs.remove(`${dir}/nope`), isNotFound);
    await rejects(fs.readDir(`${dir}/nope`), isNotFound);
    equal(await fs.stat(`${dir}/nope`), undefined);
  });
});

Deno.test("denoFileSystem.stat() and mkdir() describe files and directories", async () => {
  await withDir(async (dir) => {
    await fs.mkdir(`${dir}/a/b`);
    await fs.mkdir(`${dir}/a/b`);
    const d = await fs.stat(`${dir}/a/b`);
    ok(d?.isDirectory && !d.isFile);
    await fs.rename(await fs.writeTemp(dir, ReadableStream.from([bytes(9)])), `${dir}/f`);
    const f = await fs.stat(`${dir}/f`);
    ok(f?.isFile);
    equal(f.size, 1);
    equal(typeof f.mtime, "number");
    await fs.remove(`${dir}/f`);
    equal(await fs.stat(`${dir}/f`), undefined);
  });
});

Deno.test("denoFileSystem.lock() makes a second holder wait for release()", async () => {
  await withDir(async (dir) => {
    const first = await fs.lock(`${dir}/lock`);
    const order: string[] = [];
    const second = fs.lock(`${dir}/lock`).then((l) => {
      order.push("second");
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push("release");
    await first.release();
    await (await second).release();
    deepEqual(order, ["release", "second"]);
  });
});

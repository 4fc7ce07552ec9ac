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

Deno.test("denoFileSystem.createTemp() and openAppend() append, truncate and sync a file", async () => {
  await withDir(async (dir) => {
    const w = await fs.createTemp(dir, { prefix: "up." });
    ok(w.path.startsWith(`${dir}/up.`));
    await w.write(bytes(1, 2, 3));
    w.close();
    const a = await fs.openAppend(w.path);
    await a.write(bytes(4, 5));
    await a.truncate(4);
    await a.write(bytes(9));
    await a.sync();
    a.close();
    deepEqual(await Deno.readFile(w.path), bytes(1, 2, 3, 4, 9));
  });
});

Deno.test("denoFileSystem.openReader() reads a file in caller-sized pieces", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/f`, bytes(1, 2, 3, 4, 5));
    const r = await fs.openReader(`${dir}/f`);
    const buf = new Uint8Array(3);
    equal(await r.read(buf), 3);
    deepEqual(buf, bytes(1, 2, 3));
    equal(await r.read(buf), 2);
    equal(await r.read(buf), null);
    r.close();
  });
});

Deno.test("denoFileSystem.openReader() and openAppend() refuse a missing file with NotFoundError", async () => {
  await withDir(async (dir) => {
    const isNotFound = (e: unknown) => e instanceof NotFoundError && e.code === ErrorCode.NOT_FOUND;
    await rejects(fs.openReader(`${dir}/missing`), isNotFound);
    await rejects(fs.openAppend(`${dir}/missing`), isNotFound);
    deepEqual(await fs.readDir(dir), []);
  });
});

Deno.test("denoFileSystem.writeTemp() gathers many small chunks into the same bytes", async () => {
  await withDir(async (dir) => {
    const chunks = Array.from({ length: 3000 }, (_, i) => new Uint8Array(700).fill(i % 251));
    const tmp = await fs.writeTemp(dir, ReadableStream.from(chunks));
    const data = await Deno.readFile(tmp);
    equal(data.byteLength, 3000 * 700);
    ok(chunks.every((c, i) => data[i * 700] === c[0] && data[i * 700 + 699] === c[699]));
  });
});

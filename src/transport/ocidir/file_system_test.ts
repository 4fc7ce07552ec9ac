import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { AbortedError, ErrorCode, NotFoundError, OciError } from "../../errors.ts";
import { denoFileSystem as fs, FILE_STREAM_PIECE } from "./file_system.ts";

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

/** Deterministic bytes that do not repeat in short cycles. */
function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 0x12345678;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * A byte stream over `data` answering each read with at most `piece` bytes;
 * records whether readers brought their own buffers (BYOB).
 */
function byteStream(
  data: Uint8Array,
  piece: number,
  seen: { byob: number; plain: number },
  fail?: Error,
): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    type: "bytes",
    pull(c: ReadableByteStreamController) {
      if (offset >= data.byteLength) {
        if (fail) return c.error(fail);
        c.close();
        c.byobRequest?.respond(0);
        return;
      }
      const request = c.byobRequest;
      const view = request?.view;
      if (request && view) {
        seen.byob++;
        const n = Math.min(piece, view.byteLength, data.byteLength - offset);
        new Uint8Array(view.buffer, view.byteOffset, n).set(data.subarray(offset, offset + n));
        offset += n;
        request.respond(n);
      } else {
        seen.plain++;
        const n = Math.min(piece, data.byteLength - offset);
        c.enqueue(data.slice(offset, offset + n));
        offset += n;
      }
    },
  });
}

async function readBack(path: string): Promise<Uint8Array> {
  return new Uint8Array(await new Response(await fs.open(path)).arrayBuffer());
}

Deno.test("denoFileSystem.writeTemp() stores a byte stream (read BYOB) and a default stream identically", async () => {
  await withDir(async (dir) => {
    const data = pattern(3 * 1024 * 1024 + 12345);
    const seen = { byob: 0, plain: 0 };
    const a = await fs.writeTemp(dir, byteStream(data, 300 * 1024 + 7, seen));
    ok(seen.byob > 0, "a byte stream is read with the writer's own buffer");
    equal(seen.plain, 0);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < data.byteLength; i += 70_001) chunks.push(data.slice(i, i + 70_001));
    const b = await fs.writeTemp(dir, ReadableStream.from(chunks));
    deepEqual(await readBack(a), data);
    deepEqual(await readBack(b), data);
  });
});

Deno.test("denoFileSystem.writeTemp() stores an empty byte stream as an empty file", async () => {
  await withDir(async (dir) => {
    const seen = { byob: 0, plain: 0 };
    const tmp = await fs.writeTemp(dir, byteStream(new Uint8Array(0), 10, seen));
    equal((await fs.stat(tmp))?.size, 0);
  });
});

Deno.test("denoFileSystem.writeTemp() removes the temp file when a byte stream errors at its end", async () => {
  await withDir(async (dir) => {
    const seen = { byob: 0, plain: 0 };
    const body = byteStream(pattern(2 * 1024 * 1024 + 5), 512 * 1024, seen, new RangeError("boom"));
    await rejects(fs.writeTemp(dir, body), RangeError);
    ok(seen.byob > 0);
    deepEqual(await fs.readDir(dir), []);
  });
});

Deno.test("denoFileSystem.writeTemp() stops a byte stream on abort and cleans up", async () => {
  await withDir(async (dir) => {
    const ctl = new AbortController();
    let pulls = 0;
    const body = new ReadableStream({
      type: "bytes",
      pull(c: ReadableByteStreamController) {
        if (++pulls === 2) ctl.abort();
        const request = c.byobRequest;
        if (request?.view) request.respond(Math.min(1024, request.view.byteLength));
      },
    });
    await rejects(
      fs.writeTemp(dir, body, { signal: ctl.signal }),
      (err: unknown) => err instanceof AbortedError && err.code === ErrorCode.ABORTED,
    );
    deepEqual(await fs.readDir(dir), []);
  });
});

Deno.test("denoFileSystem.writeTemp() refuses a locked stream and leaves no temp file", async () => {
  await withDir(async (dir) => {
    const body = ReadableStream.from([bytes(1)]);
    const reader = body.getReader();
    await rejects(fs.writeTemp(dir, body), TypeError);
    deepEqual(await fs.readDir(dir), []);
    await reader.cancel();
  });
});

Deno.test("denoFileSystem.stat() reports inode, mtime and ctime (a file's identity)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/f`, new Uint8Array([1]));
    const info = await fs.stat(`${dir}/f`);
    equal(typeof info?.ino, "number");
    equal(typeof info?.mtime, "number");
    equal(typeof info?.ctime, "number");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "denoFileSystem temp files get 0666 less the umask (0644 usually, not makeTempFile's 0600)",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const previous = Deno.umask(0o022);
    try {
      for (const [mask, mode] of [[0o022, 0o644], [0o077, 0o600]] as const) {
        Deno.umask(mask);
        const a = await fs.writeTemp(dir, ReadableStream.from([new Uint8Array([1])]));
        const b = await fs.writeTemp(dir, ReadableStream.from([new Uint8Array([2])]), {
          direct: true,
        });
        const c = await fs.createTemp(dir);
        c.close();
        for (const p of [a, b, c.path]) {
          equal(((await Deno.stat(p)).mode ?? 0) & 0o777, mode, `umask ${mask.toString(8)}`);
        }
      }
    } finally {
      Deno.umask(previous);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("denoFileSystem.openFile() reports the open file and slices exact byte ranges", async () => {
  await withDir(async (dir) => {
    const data = new Uint8Array(600 * 1024).map((_, i) => i % 251);
    await Deno.writeFile(`${dir}/f`, data);
    const read = async (start: number, end: number) => {
      const f = await fs.openFile!(`${dir}/f`);
      equal(f.info.size, data.byteLength);
      equal(f.info.isFile, true);
      return new Uint8Array(await new Response(f.slice(start, end)).arrayBuffer());
    };
    deepEqual(await read(0, 0), data.subarray(0, 1));
    deepEqual(await read(1000, 300 * 1024), data.subarray(1000, 300 * 1024 + 1));
    deepEqual(await read(data.byteLength - 5, data.byteLength - 1), data.subarray(-5));
    // A range past the end errors instead of ending short.
    const f = await fs.openFile!(`${dir}/f`);
    await rejects(
      new Response(f.slice(data.byteLength - 5, data.byteLength + 5)).arrayBuffer(),
      (e) => e instanceof OciError && e.code === ErrorCode.SIZE_MISMATCH,
    );
    // Unread, closed or cancelled: the file handle is released (--trace-leaks).
    (await fs.openFile!(`${dir}/f`)).close();
    await (await fs.openFile!(`${dir}/f`)).slice(0, 10).cancel();
    await rejects(fs.openFile!(`${dir}/missing`), NotFoundError);
    // The whole file, in pieces of FILE_STREAM_PIECE, each its own shared buffer.
    const pieces: Uint8Array[] = [];
    for await (const p of (await fs.openFile!(`${dir}/f`)).stream()) pieces.push(p);
    deepEqual(pieces.map((p) => p.byteLength), [
      FILE_STREAM_PIECE,
      data.byteLength - FILE_STREAM_PIECE,
    ]);
    for (const p of pieces) equal(p.buffer instanceof SharedArrayBuffer, true);
    equal(new Set(pieces.map((p) => p.buffer)).size, pieces.length);
    deepEqual(new Uint8Array(await new Blob(pieces.map((p) => p.slice())).arrayBuffer()), data);
  });
});

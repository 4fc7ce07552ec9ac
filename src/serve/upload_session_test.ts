import { equal, ok, rejects } from "node:assert/strict";
import { digestOf } from "../types/digest.ts";
import { denoFileSystem } from "../transport/ocidir/file_system.ts";
import { ApiError } from "./errors_body.ts";
import { DEFAULT_UPLOAD_LIMITS, UploadStore } from "./upload_session.ts";

const enc = new TextEncoder();

async function withStore(
  fn: (store: UploadStore, dir: string, clock: { now: number }) => Promise<void>,
  limits: Partial<typeof DEFAULT_UPLOAD_LIMITS> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-up-" });
  const clock = { now: 5_000_000 };
  const store = new UploadStore({
    fs: denoFileSystem,
    dir: `${dir}/.uploads`,
    now: () => clock.now,
    limits: { ...DEFAULT_UPLOAD_LIMITS, ...limits },
  });
  try {
    await fn(store, dir, clock);
  } finally {
    await store.discardAll();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("UploadStore appends chunks, hashes them, and streams them back in order", async () => {
  await withStore(async (store) => {
    const s = await store.create("r", "sha256");
    await store.use("r", s.id, async (x) => {
      equal(await store.append(x, ReadableStream.from([enc.encode("ab"), enc.encode("c")])), 3);
      equal(await store.append(x, ReadableStream.from([enc.encode("def")]), 3), 3);
      equal(await store.append(x, null), 0);
    });
    equal(s.size, 6);
    equal(s.currentDigest(), await digestOf(enc.encode("abcdef")));
    equal(await new Response(store.stream(s)).text(), "abcdef");
  });
});

Deno.test("UploadStore discards a failed chunk and keeps the session as it was", async () => {
  await withStore(async (store, dir) => {
    const s = await store.create("r", "sha256");
    await store.use("r", s.id, async (x) => {
      await store.append(x, ReadableStream.from([enc.encode("ok")]));
      const failing = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(enc.encode("partial"));
          c.error(new Error("client went away"));
        },
      });
      await rejects(
        store.append(x, failing),
        (e: unknown) => e instanceof ApiError && e.status === 400,
      );
      await rejects(store.append(x, ReadableStream.from([enc.encode("toolong")]), 3), ApiError);
    });
    equal(s.size, 2);
    equal(s.currentDigest(), await digestOf(enc.encode("ok")));
    let files = 0;
    for await (const e of Deno.readDir(`${dir}/.uploads`)) {
      if (!e.name.endsWith(".session")) files++;
    }
    equal(files, 1, "one chunk file beside the session state");
  });
});

Deno.test("UploadStore refuses other repositories and unknown ids with 404", async () => {
  await withStore(async (store) => {
    const s = await store.create("r", "sha256");
    await rejects(
      store.use("other", s.id, () => Promise.resolve()),
      (e: unknown) =>
        e instanceof ApiError && e.status === 404 && e.entries[0]?.code === "BLOB_UPLOAD_UNKNOWN",
    );
    await rejects(store.use("r", "f".repeat(32), () => Promise.resolve()), ApiError);
  });
});

Deno.test("UploadStore expires idle sessions and removes their files", async () => {
  await withStore(async (store, dir, clock) => {
    const s = await store.create("r", "sha256");
    await store.use("r", s.id, (x) => store.append(x, ReadableStream.from([enc.encode("x")])));
    clock.now += DEFAULT_UPLOAD_LIMITS.timeoutMs + 1;
    equal((await store.expire())[0], s.id);
    equal(store.count, 0);
    let files = 0;
    for await (const _ of Deno.readDir(`${dir}/.uploads`)) files++;
    equal(files, 0);
  });
});

Deno.test("UploadStore removes chunk files left by an earlier process", async () => {
  await withStore(async (store, dir) => {
    await Deno.mkdir(`${dir}/.uploads`);
    await Deno.writeTextFile(`${dir}/.uploads/old.tmp`, "left over");
    await Deno.utime(`${dir}/.uploads/old.tmp`, 0, 0);
    await store.create("r", "sha256");
    ok((await Deno.stat(`${dir}/.uploads/old.tmp`).catch(() => undefined)) === undefined);
  });
});

Deno.test("UploadStore keeps a session in one file and cuts a failed chunk back out of it", async () => {
  await withStore(async (store, dir) => {
    const s = await store.create("r", "sha256");
    await store.use("r", s.id, async (x) => {
      await store.append(x, ReadableStream.from([enc.encode("ab")]));
      const first = x.file;
      ok(first !== undefined && first.startsWith(`${dir}/.uploads/`));
      await store.append(x, ReadableStream.from([enc.encode("cd")]));
      equal(x.file, first);
      const failing = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new Uint8Array(3 * 1024 * 1024));
          c.error(new Error("client went away"));
        },
      });
      await rejects(store.append(x, failing), ApiError);
      equal(await Deno.readTextFile(first), "abcd");
      equal(x.size, 4);
      equal(x.currentDigest(), await digestOf(enc.encode("abcd")));
      equal(store.takeFile(x), first);
      equal(x.file, undefined);
      await Deno.remove(first);
    });
  });
});

Deno.test("UploadStore removes the new file when the first chunk fails", async () => {
  await withStore(async (store, dir) => {
    const s = await store.create("r", "sha256");
    await store.use("r", s.id, async (x) => {
      await rejects(
        store.append(x, ReadableStream.from([enc.encode("12345")]), 4),
        (e: unknown) => e instanceof ApiError && e.status === 400,
      );
      equal(x.file, undefined);
      equal(x.size, 0);
    });
    let files = 0;
    for await (const e of Deno.readDir(`${dir}/.uploads`)) {
      if (!e.name.endsWith(".session")) files++;
    }
    equal(files, 0, "only the session state is left");
  });
});

Deno.test("UploadStore resumes a session of an earlier store from its state beside the file", async () => {
  await withStore(async (first, dir, clock) => {
    const s = await first.create("r", "sha256");
    await first.use("r", s.id, (x) => first.append(x, ReadableStream.from([enc.encode("abc")])));
    first.forgetAll();
    // a chunk cut short by a crash: bytes past the recorded length are dropped
    const chunk = (await Array.fromAsync(Deno.readDir(`${dir}/.uploads`)))
      .find((e) => e.name.startsWith(`${s.id}.`) && !e.name.endsWith(".session"));
    await Deno.writeTextFile(`${dir}/.uploads/${chunk?.name}`, "XY", { append: true });
    const second = new UploadStore({
      fs: denoFileSystem,
      dir: `${dir}/.uploads`,
      now: () => clock.now,
      limits: DEFAULT_UPLOAD_LIMITS,
    });
    await second.use("r", s.id, async (x) => {
      equal(x.size, 3);
      await second.append(x, ReadableStream.from([enc.encode("def")]));
      equal(x.currentDigest(), await digestOf(enc.encode("abcdef")));
    });
    await rejects(second.use("other", s.id, () => Promise.resolve()), ApiError);
    clock.now += DEFAULT_UPLOAD_LIMITS.timeoutMs + 1;
    second.forgetAll();
    await rejects(second.use("r", s.id, () => Promise.resolve()), ApiError, "expired");
  });
});

import { deepEqual, equal } from "node:assert/strict";
import { denoFileSystem } from "./file_system.ts";
import { GC_LOCK_FILE, holdGcLease, withGcExclusive } from "./gc_lock.ts";

Deno.test("holdGcLease(): leases of one process share the file lock; a new one waits for a collection", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await holdGcLease(denoFileSystem, dir);
    const b = await holdGcLease(denoFileSystem, dir);
    equal((await denoFileSystem.stat(`${dir}/${GC_LOCK_FILE}`))?.isFile, true);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // with leases held in this process, the collection converts the lock and runs
    const gc = withGcExclusive(denoFileSystem, dir, async () => {
      order.push("gc start");
      await held;
      order.push("gc end");
    });
    await new Promise((r) => setTimeout(r, 20));
    const c = holdGcLease(denoFileSystem, dir).then((l) => {
      order.push("lease");
      return l;
    });
    await new Promise((r) => setTimeout(r, 20));
    release();
    await gc;
    const lc = await c;
    deepEqual(order, ["gc start", "gc end", "lease"]);
    await Promise.all([a.release(), b.release(), lc.release(), a.release()]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withGcExclusive() waits for a lease held by another process", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `const f = await Deno.open(${JSON.stringify(`${dir}/${GC_LOCK_FILE}`)}, ` +
        `{ read: true, write: true, create: true }); await f.lock(false); console.log("held");` +
        `await new Promise((r) => setTimeout(r, 600)); await f.unlock();`,
      ],
      stdout: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    await reader.read();
    const started = Date.now();
    await withGcExclusive(denoFileSystem, dir, () => Promise.resolve());
    const waited = Date.now() - started;
    reader.releaseLock();
    await child.stdout.cancel();
    await child.status;
    equal(waited >= 300, true, `waited ${waited} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lease released while this process's collection runs on the converted lock waits for it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lease = await holdGcLease(denoFileSystem, dir);
    let finish!: () => void;
    const running = new Promise<void>((r) => (finish = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const gc = withGcExclusive(denoFileSystem, dir, async () => {
      inside();
      await running;
      return "collected";
    });
    await entered;
    const released = lease.release();
    // give a release that does not wait time to close the file under the collection
    await new Promise((r) => setTimeout(r, 50));
    finish();
    await released;
    equal(await gc, "collected");
    // the lock file is free again: a second collection gets it
    equal(await withGcExclusive(denoFileSystem, dir, () => Promise.resolve(1)), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import { deepEqual, equal, rejects } from "node:assert/strict";
import { denoFileSystem, type FileSystem } from "./file_system.ts";
import { LOCK_FILE, withLayoutLock } from "./lock.ts";

Deno.test("withLayoutLock() runs critical sections of one layout one at a time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_lock_" });
  try {
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((n) =>
      withLayoutLock(denoFileSystem, dir, async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 5));
        order.push(n);
        inside--;
      })
    ));
    equal(maxInside, 1);
    deepEqual(order, [0, 1, 2, 3, 4]);
    equal((await denoFileSystem.stat(`${dir}/${LOCK_FILE}`))?.isFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLayoutLock() releases the file lock when the section throws", async () => {
  const released: string[] = [];
  const fake: FileSystem = {
    ...denoFileSystem,
    lock(path) {
      return Promise.resolve({
        release() {
          released.push(path);
          return Promise.resolve();
        },
      });
    },
  };
  await rejects(
    withLayoutLock(fake, "/nowhere", () => Promise.reject(new RangeError("x"))),
    RangeError,
  );
  deepEqual(released, [`/nowhere/${LOCK_FILE}`]);
  equal(await withLayoutLock(fake, "/nowhere", () => Promise.resolve(7)), 7);
});

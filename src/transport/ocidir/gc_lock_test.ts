import { deepEqual, equal, rejects } from "node:assert/strict";
import { ErrorCode } from "../../errors.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { pathExists } from "../../../tests/_files.ts";
import { denoFileSystem } from "./file_system.ts";
import { GC_LOCK_FILE, holdGcLease, withGcExclusive } from "./gc_lock.ts";
import { OciDirTransport } from "./ocidir_transport.ts";
import {
  blob,
  blobFile,
  code,
  enc,
  type Image,
  image,
  push,
  readIndex,
  withLayout,
} from "./_ocidir_test_helper.ts";

Deno.test("withGcExclusive() waits for every lease of this process; a lease asked for meanwhile waits for it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await holdGcLease(denoFileSystem, dir);
    const b = await holdGcLease(denoFileSystem, dir);
    equal((await denoFileSystem.stat(`${dir}/${GC_LOCK_FILE}`))?.isFile, true);
    const order: string[] = [];
    const gc = withGcExclusive(denoFileSystem, dir, () => {
      order.push("gc");
      return Promise.resolve();
    });
    await new Promise((r) => setTimeout(r, 30));
    const c = holdGcLease(denoFileSystem, dir).then((l) => {
      order.push("lease c");
      return l;
    });
    await new Promise((r) => setTimeout(r, 30));
    order.push("release a");
    await a.release();
    await new Promise((r) => setTimeout(r, 30));
    order.push("release b");
    await Promise.all([b.release(), a.release()]);
    await gc;
    const lc = await c;
    deepEqual(order, ["release a", "release b", "gc", "lease c"]);
    await lc.release();
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

Deno.test("withGcExclusive() through another spelling of the directory (a symlink) waits for a lease", async () => {
  const base = await Deno.makeTempDir();
  try {
    const dir = `${base}/layout`;
    await Deno.mkdir(dir);
    await Deno.symlink(dir, `${base}/link`);
    const lease = await holdGcLease(denoFileSystem, `${base}/./layout`);
    let ran = false;
    const gc = withGcExclusive(denoFileSystem, `${base}/link`, () => {
      ran = true;
      return Promise.resolve("collected");
    });
    await new Promise((r) => setTimeout(r, 50));
    equal(ran, false);
    await lease.release();
    equal(await gc, "collected");
    // nothing is left held: a second collection gets the lock at once
    equal(await withGcExclusive(denoFileSystem, dir, () => Promise.resolve(1)), 1);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

/** A layout where tag "old" is the only user of layer `shared`; `next` also needs it. */
async function _sharedLayout(ref: (tag?: string) => Ref) {
  const shared = await blob("the shared layer");
  const old = await image("old", { layers: [shared] });
  const next = await image("next", { layers: [shared, await blob("a new layer")] });
  const t0 = new OciDirTransport();
  await push(t0, ref("old"), old);
  await t0.close();
  return { shared, old, next };
}

/** Writes `img` without its layer `skip` (a copy that found it in the layout), then closes. */
async function _finishCopy(t: OciDirTransport, r: Ref, img: Image, skip: string): Promise<void> {
  for (const b of [img.config, ...img.layers]) {
    if (b.desc.digest === skip) continue;
    await t.blobPut(r, ReadableStream.from([b.bytes]), { digest: b.desc.digest });
  }
  await t.manifestPut(r, img.raw);
  await t.close();
}

Deno.test("a collection by one transport waits for another transport's lease on the same layout (one process), without blocking its close", async () => {
  await withLayout(async (dir, ref) => {
    const { shared, old, next } = await _sharedLayout(ref);
    const copier = new OciDirTransport();
    await copier.blobHead(ref(), shared.desc.digest, { forWrite: true });
    const remover = new OciDirTransport();
    await remover.tagDelete(ref("old"));
    // closed first, as a process closing its transports one after the other does:
    // the collection is handed to the copier's lease instead of blocking this close
    await remover.close();
    equal(await pathExists(blobFile(dir, old.digest)), true, "collected during the copy");
    await _finishCopy(copier, ref("next"), next, shared.desc.digest);
    equal(await pathExists(blobFile(dir, shared.desc.digest)), true);
    equal(await pathExists(blobFile(dir, old.digest)), false);
    deepEqual((await readIndex(dir)).manifests.map((m) => m.digest), [next.digest]);
  });
});

Deno.test("a copy's lookup in a layout without a lock file makes it and leases it; a plain lookup writes nothing", async () => {
  await withLayout(async (dir, ref) => {
    const { shared, old, next } = await _sharedLayout(ref);
    // as another tool leaves a layout: no ocictl lock files
    await Deno.remove(`${dir}/${GC_LOCK_FILE}`);
    await Deno.remove(`${dir}/.ocictl.lock`);
    const before = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    const reader = new OciDirTransport();
    await reader.blobHead(ref(), shared.desc.digest);
    await (await reader.blobGet(ref(), shared.desc.digest)).body.cancel();
    await reader.close();
    deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), before);

    const copier = new OciDirTransport();
    await copier.blobHead(ref(), shared.desc.digest, { forWrite: true });
    equal(await pathExists(`${dir}/${GC_LOCK_FILE}`), true);
    const remover = new OciDirTransport();
    await remover.tagDelete(ref("old"));
    const closing = remover.close();
    await _finishCopy(copier, ref("next"), next, shared.desc.digest);
    await closing;
    equal(await pathExists(blobFile(dir, shared.desc.digest)), true);
    equal(await pathExists(blobFile(dir, old.digest)), false);
  });
});

Deno.test("a blob a plain lookup found without a lease, then collected, fails the next write to the layout", async () => {
  await withLayout(async (dir, ref) => {
    const { shared, next } = await _sharedLayout(ref);
    await Deno.remove(`${dir}/${GC_LOCK_FILE}`);
    const t = new OciDirTransport();
    await t.blobHead(ref(), shared.desc.digest);
    const remover = new OciDirTransport();
    await remover.tagDelete(ref("old"));
    await remover.close();
    equal(await pathExists(blobFile(dir, shared.desc.digest)), false);
    await rejects(
      _finishCopy(t, ref("next"), next, shared.desc.digest),
      (err: unknown) => code(ErrorCode.NOT_FOUND)(err) && /run the command again/.test(String(err)),
    );
    // the failure sticks: no later write of this transport goes through either
    await rejects(t.manifestPut(ref("next"), next.raw), code(ErrorCode.NOT_FOUND));
    await t.close();
    deepEqual((await readIndex(dir)).manifests, []);
  });
});

Deno.test("a copy's manifest lookup keeps the manifest and what it references until close", async () => {
  await withLayout(async (dir, ref) => {
    const { shared, old } = await _sharedLayout(ref);
    await Deno.remove(`${dir}/${GC_LOCK_FILE}`);
    const copier = new OciDirTransport();
    equal((await copier.manifestHead(ref("", old.digest), { forWrite: true })).digest, old.digest);
    const remover = new OciDirTransport();
    await remover.tagDelete(ref("old"));
    const closing = remover.close();
    const index = enc.encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [{ mediaType: MediaType.OCI_MANIFEST, digest: old.digest, size: old.raw.length }],
    }));
    await copier.manifestPut(ref("multi"), index);
    await copier.close();
    await closing;
    for (const d of [old.digest, old.config.desc.digest, shared.desc.digest]) {
      equal(await pathExists(blobFile(dir, d)), true, d);
    }
  });
});

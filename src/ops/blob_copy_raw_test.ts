import assert from "node:assert/strict";
import {
  AbortedError,
  DigestMismatchError,
  ErrorCode,
  NotFoundError,
  RegistryError,
} from "../errors.ts";
import { startRegistryServer } from "../serve/server.ts";
import { blobPath } from "../transport/ocidir/layout.ts";
import { OciDirTransport } from "../transport/ocidir/ocidir_transport.ts";
import { RegistryTransport } from "../transport/registry/registry_transport.ts";
import type { RawBlob } from "../transport/transport.ts";
import { rawBlobFromSource } from "../transport/byte_source.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import { parseRef, type Ref } from "../types/ref.ts";
import { copyBlob, RAW_COPY_MIN_BYTES } from "./blob_copy.ts";
import { CopyError } from "./copy_error.ts";
import { pathExists, strayBlobFiles } from "../../tests/_files.ts";
import { randomBytes } from "../../tests/registry/_image.ts";
import { hasDistribution, startDistribution } from "../../tests/registry/_distribution.ts";

function layout(path: string): Ref {
  return { scheme: "ocidir", registry: "", repository: "", path, tag: "", digest: "" };
}

/** What a probe saw, and how it misbehaves. */
interface Probe {
  rawGets: number;
  rawPuts: number;
  gets: number;
  puts: number;
  /** blobGet/blobPut throw: proves the raw path was taken. */
  forbidStream: boolean;
  /** blobPutRaw rejects with this, leaving the body alone. */
  failRawPut: Error | undefined;
  /** Runs at the start of blobPutRaw. */
  beforeRawPut: (() => void) | undefined;
  /** canPutRaw answer override. */
  canPut: boolean | undefined;
}

function probe(): Probe {
  return {
    rawGets: 0,
    rawPuts: 0,
    gets: 0,
    puts: 0,
    forbidStream: false,
    failRawPut: undefined,
    beforeRawPut: undefined,
    canPut: undefined,
  };
}

const STREAMED = "the streamed path was used";

/** An OCI layout transport that counts and can refuse calls. */
class ProbeOciDir extends OciDirTransport {
  readonly p: Probe = probe();
  override blobGet(...a: Parameters<OciDirTransport["blobGet"]>) {
    this.p.gets++;
    if (this.p.forbidStream) return Promise.reject(new Error(STREAMED));
    return super.blobGet(...a);
  }
  override blobPut(...a: Parameters<OciDirTransport["blobPut"]>) {
    this.p.puts++;
    if (this.p.forbidStream) return Promise.reject(new Error(STREAMED));
    return super.blobPut(...a);
  }
  override blobGetRaw(...a: Parameters<OciDirTransport["blobGetRaw"]>) {
    this.p.rawGets++;
    return super.blobGetRaw(...a);
  }
  override canPutRaw(ref: Ref): boolean {
    return this.p.canPut ?? super.canPutRaw(ref);
  }
  override blobPutRaw(ref: Ref, blob: RawBlob, o?: { signal?: AbortSignal | undefined }) {
    this.p.rawPuts++;
    this.p.beforeRawPut?.();
    if (this.p.failRawPut) return Promise.reject(this.p.failRawPut);
    return super.blobPutRaw(ref, blob, o);
  }
}

/** A registry transport that counts and can refuse calls. */
class ProbeRegistry extends RegistryTransport {
  readonly p: Probe = probe();
  override blobGet(...a: Parameters<RegistryTransport["blobGet"]>) {
    this.p.gets++;
    if (this.p.forbidStream) return Promise.reject(new Error(STREAMED));
    return super.blobGet(...a);
  }
  override blobPut(...a: Parameters<RegistryTransport["blobPut"]>): Promise<Descriptor> {
    this.p.puts++;
    if (this.p.forbidStream) return Promise.reject(new Error(STREAMED));
    return super.blobPut(...a);
  }
  override blobGetRaw(...a: Parameters<RegistryTransport["blobGetRaw"]>) {
    this.p.rawGets++;
    return super.blobGetRaw(...a);
  }
  override blobPutRaw(...a: Parameters<RegistryTransport["blobPutRaw"]>) {
    this.p.rawPuts++;
    return super.blobPutRaw(...a);
  }
}

interface Env {
  root: string;
  src: ProbeOciDir;
  dst: ProbeOciDir;
  a: Ref;
  b: Ref;
}

async function withLayouts(fn: (e: Env) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "ocictl_rawcopy_" });
  const src = new ProbeOciDir();
  const dst = new ProbeOciDir();
  try {
    await fn({ root, src, dst, a: layout(`${root}/a`), b: layout(`${root}/b`) });
  } finally {
    await src.close();
    await dst.close();
    await Deno.remove(root, { recursive: true });
  }
}

async function withServe(fn: (host: string, reg: ProbeRegistry) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_rawcopy_serve_" });
  const srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${srv.addr.port}`;
  const reg = new ProbeRegistry({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    await fn(host, reg);
  } finally {
    await reg.close();
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Stores bytes in a layout through the ordinary (uncounted) path. */
async function seed(dir: string, bytes: Uint8Array): Promise<string> {
  const t = new OciDirTransport();
  try {
    const d = await t.blobPut(layout(dir), ReadableStream.from([bytes]), {
      digest: await digestOf(bytes),
      size: bytes.byteLength,
    });
    return d.digest;
  } finally {
    await t.close();
  }
}

const SIZE = 2 * 1024 * 1024 + 4321;

Deno.test("copyBlob() takes the raw path between two layouts (rawMinBytes 0)", async () => {
  await withLayouts(async ({ root, src, dst, a, b }) => {
    for (const size of [SIZE, 1000]) {
      const bytes = randomBytes(size, size);
      const digest = await seed(`${root}/a`, bytes);
      src.p.forbidStream = true;
      dst.p.forbidStream = true;
      const r = await copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, digest, {
        size,
        rawMinBytes: 0,
      });
      assert.deepEqual(r, { digest, action: "copied", bytes: size });
      assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, digest)), bytes);
      assert.deepEqual(await strayBlobFiles(`${root}/b`), []);
    }
    assert.equal(src.p.rawGets, 2);
    assert.equal(dst.p.rawPuts, 2);
    assert.equal(src.p.gets + dst.p.puts, 0);
  });
});

Deno.test("copyBlob() takes the raw path from RAW_COPY_MIN_BYTES on by default, not below", async () => {
  await withLayouts(async ({ root, src, dst, a, b }) => {
    const small = randomBytes(RAW_COPY_MIN_BYTES - 1, 31);
    const exact = randomBytes(RAW_COPY_MIN_BYTES, 32);
    const ds = await seed(`${root}/a`, small);
    const de = await seed(`${root}/a`, exact);
    await copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, ds, {
      size: small.byteLength,
    });
    assert.equal(src.p.rawGets, 0);
    assert.equal(src.p.gets, 1);
    await copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, de, {
      size: exact.byteLength,
    });
    assert.equal(src.p.rawGets, 1);
    assert.equal(src.p.gets, 1);
    assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, ds)), small);
    assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, de)), exact);
  });
});

Deno.test("copyBlob() keeps the streamed path without a size, with rawMinBytes Infinity, or when canPutRaw is false", async () => {
  await withLayouts(async ({ root, src, dst, a, b }) => {
    const variants = [
      { size: undefined, rawMinBytes: 0 },
      { size: SIZE, rawMinBytes: Infinity },
      { size: SIZE, rawMinBytes: 0, canPut: false },
    ];
    for (const [i, v] of variants.entries()) {
      const bytes = randomBytes(SIZE, 40 + i);
      const digest = await seed(`${root}/a`, bytes);
      dst.p.canPut = v.canPut;
      const r = await copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, digest, {
        size: v.size,
        rawMinBytes: v.rawMinBytes,
      });
      assert.equal(r.action, "copied");
      assert.equal(r.bytes, SIZE);
      assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, digest)), bytes);
    }
    assert.equal(src.p.rawGets, 0);
    assert.equal(dst.p.rawPuts, 0);
    assert.equal(src.p.gets, variants.length);
  });
});

Deno.test("copyBlob() with onProgress still takes the raw path and reports the whole size", async () => {
  await withLayouts(async ({ root, src, dst, a, b }) => {
    const bytes = randomBytes(SIZE, 50);
    const digest = await seed(`${root}/a`, bytes);
    const seen: number[] = [];
    const r = await copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, digest, {
      size: SIZE,
      rawMinBytes: 0,
      onProgress: (_e, n) => seen.push(n),
    });
    assert.equal(r.action, "copied");
    assert.equal(seen.at(-1), SIZE);
    assert.deepEqual(seen, [...seen].sort((x, y) => x - y));
    assert.equal(src.p.rawGets, 1);
    assert.equal(dst.p.rawPuts, 1);
    assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, digest)), bytes);
  });
});

Deno.test("copyBlob() raw from a corrupted source file falls back and fails on the source with DIGEST_MISMATCH", async () => {
  await withLayouts(async ({ root, src, dst, a, b }) => {
    const bytes = randomBytes(SIZE, 60);
    const digest = await seed(`${root}/a`, bytes);
    const bad = bytes.slice();
    bad[SIZE - 10] = (bad[SIZE - 10] ?? 0) ^ 0xff;
    await Deno.writeFile(blobPath(`${root}/a`, digest), bad);
    await assert.rejects(
      copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, digest, {
        size: SIZE,
        rawMinBytes: 0,
      }),
      (e: unknown) =>
        e instanceof CopyError && e.side === "source" && e.code === ErrorCode.DIGEST_MISMATCH,
    );
    assert.equal(src.p.rawGets, 1);
    assert.equal(src.p.gets, 1, "fell back to the streamed path");
    assert.equal(await pathExists(blobPath(`${root}/b`, digest)), false);
    assert.deepEqual(await strayBlobFiles(`${root}/b`), []);
    await assert.rejects(dst.blobHead(b, digest), NotFoundError);
  });
});

Deno.test("copyBlob() falls back to the streamed path when the target's blobPutRaw rejects", async () => {
  await withLayouts(async ({ root, src, dst, a, b }) => {
    const bytes = randomBytes(SIZE, 70);
    const digest = await seed(`${root}/a`, bytes);
    // The failing target leaves the raw body alone: copyBlob must cancel it
    // (an open file would be reported by --trace-leaks).
    dst.p.failRawPut = new RegistryError("Cannot push blob: refused", {
      status: 500,
      method: "PUT",
      url: "http://127.0.0.1/",
    });
    const reasons: unknown[] = [];
    const r = await copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, digest, {
      size: SIZE,
      rawMinBytes: 0,
      onFallback: (e, reason) => {
        assert.equal(e.digest, digest);
        reasons.push(reason);
      },
    });
    assert.deepEqual(r, { digest, action: "copied", bytes: SIZE });
    assert.deepEqual(reasons, [dst.p.failRawPut], "the fallback is reported with its reason");
    assert.equal(dst.p.rawPuts, 1);
    assert.equal(src.p.gets, 1);
    assert.equal(dst.p.puts, 1);
    assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, digest)), bytes);
  });
});

Deno.test("copyBlob() cancelled during the raw path throws AbortedError without falling back", async () => {
  await withLayouts(async ({ root, src, dst, a, b }) => {
    const bytes = randomBytes(SIZE, 80);
    const digest = await seed(`${root}/a`, bytes);
    const ac = new AbortController();
    dst.p.beforeRawPut = () => ac.abort();
    await assert.rejects(
      copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, digest, {
        size: SIZE,
        rawMinBytes: 0,
        signal: ac.signal,
      }),
      (e: unknown) => e instanceof AbortedError && e.code === ErrorCode.ABORTED,
    );
    assert.equal(src.p.rawGets, 1);
    assert.equal(dst.p.rawPuts, 1);
    assert.equal(src.p.gets + dst.p.puts, 0, "no fallback after a cancel");
    assert.equal(await pathExists(blobPath(`${root}/b`, digest)), false);
    assert.deepEqual(await strayBlobFiles(`${root}/b`), []);
  });
});

Deno.test("copyBlob() takes the raw path from a layout to ocictl serve and back", async () => {
  await withServe(async (host, reg) => {
    await withLayouts(async ({ root, src, dst, a, b }) => {
      const bytes = randomBytes(SIZE, 90);
      const digest = await seed(`${root}/a`, bytes);
      const repo = parseRef(`${host}/raw/copy`);
      src.p.forbidStream = true;
      reg.p.forbidStream = true;
      dst.p.forbidStream = true;
      const up = await copyBlob({ transport: src, ref: a }, { transport: reg, ref: repo }, digest, {
        size: SIZE,
        rawMinBytes: 0,
      });
      assert.deepEqual(up, { digest, action: "copied", bytes: SIZE });
      assert.equal(src.p.rawGets, 1);
      assert.equal(reg.p.rawPuts, 1);
      const down = await copyBlob(
        { transport: reg, ref: repo },
        { transport: dst, ref: b },
        digest,
        {
          size: SIZE,
          rawMinBytes: 0,
        },
      );
      assert.deepEqual(down, { digest, action: "copied", bytes: SIZE });
      assert.equal(reg.p.rawGets, 1);
      assert.equal(dst.p.rawPuts, 1);
      assert.equal(src.p.gets + reg.p.gets + reg.p.puts + dst.p.puts, 0);
      assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, digest)), bytes);
      assert.deepEqual(await strayBlobFiles(`${root}/b`), []);
    });
  });
});

Deno.test("copyBlob() raw to a registry reports bytes as they are sent, not only at the end", async () => {
  await withServe(async (host, reg) => {
    await withLayouts(async ({ root, src, a }) => {
      const bytes = randomBytes(SIZE, 91);
      const digest = await seed(`${root}/a`, bytes);
      src.p.forbidStream = true;
      reg.p.forbidStream = true;
      const seen: number[] = [];
      const r = await copyBlob(
        { transport: src, ref: a },
        { transport: reg, ref: parseRef(`${host}/raw/progress`) },
        digest,
        { size: SIZE, rawMinBytes: 0, onProgress: (_e, n) => seen.push(n) },
      );
      assert.equal(r.action, "copied");
      assert.equal(reg.p.rawPuts, 1);
      assert.ok(seen.filter((n) => n > 0 && n < SIZE).length > 0, `only ${seen.join(",")}`);
      assert.deepEqual(seen, [...seen].sort((x, y) => x - y));
      assert.equal(seen.at(-1), SIZE);
    });
  });
});

Deno.test("copyBlob() between repositories of one registry mounts instead of copying raw", async () => {
  await withServe(async (host, reg) => {
    const bytes = randomBytes(SIZE, 100);
    const digest = await digestOf(bytes);
    const from = parseRef(`${host}/raw/from`);
    const to = parseRef(`${host}/raw/to`);
    await reg.blobPut(from, ReadableStream.from([bytes]), { digest, size: SIZE });
    reg.p.puts = 0;
    const r = await copyBlob({ transport: reg, ref: from }, { transport: reg, ref: to }, digest, {
      size: SIZE,
      rawMinBytes: 0,
    });
    assert.equal(r.action, "mounted");
    assert.equal(reg.p.rawGets + reg.p.rawPuts, 0);
    assert.equal((await reg.blobHead(to, digest)).size, SIZE);
  });
});

Deno.test("copyBlob() survives a source that fails to open raw before the target looks at it", async () => {
  await withLayouts(async ({ root, src, a, b }) => {
    const bytes = randomBytes(SIZE, 90);
    const digest = await seed(`${root}/a`, bytes);
    // The target first resolves itself (as a registry loads its config), and
    // only then looks at the blob; the source has failed by then.
    const slow = new OciDirTransport();
    const target = Object.assign(slow, {
      async blobPutRaw(ref: Ref, blob: RawBlob | Promise<RawBlob>) {
        await new Promise((r) => setTimeout(r, 30));
        return await OciDirTransport.prototype.blobPutRaw.call(slow, ref, blob);
      },
    });
    await Deno.remove(blobPath(`${root}/a`, digest));
    await assert.rejects(
      copyBlob({ transport: src, ref: a }, { transport: target, ref: b }, digest, {
        size: SIZE,
        rawMinBytes: 0,
      }),
      (e: unknown) => e instanceof CopyError && e.side === "source",
    );
    await slow.close();
  });
});

Deno.test({
  name:
    "copyBlob() raw from a registry serving corrupted bytes fails with DIGEST_MISMATCH and stores nothing in the layout",
  ignore: !hasDistribution,
  fn: async () => {
    // docker-registry serves its stored bytes as they are (ocictl serve would check them).
    const reg = await startDistribution();
    const rt = new ProbeRegistry({ hosts: [{ name: reg.host, tls: "disabled" }] });
    try {
      await withLayouts(async ({ root, dst, b }) => {
        const bytes = randomBytes(SIZE, 95);
        const repo = parseRef(`${reg.host}/raw/bad`);
        const { digest } = await rt.blobPut(repo, ReadableStream.from([bytes]));
        const hex = digest.slice("sha256:".length);
        const data = `${reg.dir}/data/docker/registry/v2/blobs/sha256/${
          hex.slice(0, 2)
        }/${hex}/data`;
        const bad = bytes.slice();
        bad[SIZE - 10] = (bad[SIZE - 10] ?? 0) ^ 0xff;
        await Deno.writeFile(data, bad);
        const fallbacks: unknown[] = [];
        await assert.rejects(
          copyBlob({ transport: rt, ref: repo }, { transport: dst, ref: b }, digest, {
            size: SIZE,
            rawMinBytes: 0,
            onFallback: (_e, err) => fallbacks.push(err),
          }),
          (e: unknown) =>
            e instanceof CopyError && e.side === "source" &&
            e.code === ErrorCode.DIGEST_MISMATCH,
        );
        assert.equal(dst.p.rawPuts, 1);
        assert.equal(fallbacks.length, 1);
        assert.ok(fallbacks[0] instanceof DigestMismatchError, `raw check: ${fallbacks[0]}`);
        assert.equal(await pathExists(blobPath(`${root}/b`, digest)), false);
        assert.deepEqual(await strayBlobFiles(`${root}/b`), []);
      });
    } finally {
      await rt.close();
      await reg.stop();
    }
  },
});

/** A layout source that hands out byte sources when asked, recording what it was asked. */
class ByteSourceOciDir extends ProbeOciDir {
  asked: (boolean | undefined)[] = [];
  offersByteSources(_ref: Ref): boolean {
    return true;
  }
  override async blobGetRaw(...a: Parameters<OciDirTransport["blobGetRaw"]>) {
    this.asked.push(a[2].byteSource);
    const got = await super.blobGetRaw(...a);
    if (a[2].byteSource !== true) return got;
    const reader = got.body.getReader({ mode: "byob" });
    return rawBlobFromSource(got.digest, got.size, {
      async read(p) {
        const r = await reader.read(new Uint8Array(p.byteLength));
        if (r.done) return null;
        p.set(r.value);
        return r.value.byteLength;
      },
      cancel: (reason) => reader.cancel(reason).catch(() => {}),
    });
  }
}

/** A layout target that does not take byte sources. */
class NoByteSourcesOciDir extends ProbeOciDir {
  override readonly takesByteSources = false;
}

Deno.test("copyBlob() moves even a small blob raw, through a byte source, when the source offers them and the target takes them", async () => {
  await withLayouts(async ({ root, dst, a, b }) => {
    const src = new ByteSourceOciDir();
    try {
      const small = randomBytes(1000, 33);
      const big = randomBytes(RAW_COPY_MIN_BYTES + 5, 34);
      const ds = await seed(`${root}/a`, small);
      const db = await seed(`${root}/a`, big);
      src.p.forbidStream = true;
      dst.p.forbidStream = true;
      const told: number[] = [];
      for (const [d, bytes] of [[ds, small], [db, big]] as const) {
        await copyBlob({ transport: src, ref: a }, { transport: dst, ref: b }, d, {
          size: bytes.byteLength,
          onProgress: (_e, n) => told.push(n),
        });
        assert.deepEqual(await Deno.readFile(blobPath(`${root}/b`, d)), bytes);
      }
      assert.deepEqual(src.asked, [true, true]);
      assert.equal(dst.p.rawPuts, 2);
      assert.ok(told.includes(small.byteLength) && told.at(-1) === big.byteLength);
      // a target that does not take byte sources is offered none, and a small blob streams
      const plain = new NoByteSourcesOciDir();
      try {
        src.p.forbidStream = false;
        await copyBlob(
          { transport: src, ref: a },
          { transport: plain, ref: layout(`${root}/c`) },
          db,
          {
            size: big.byteLength,
          },
        );
        await copyBlob(
          { transport: src, ref: a },
          { transport: plain, ref: layout(`${root}/c`) },
          ds,
          {
            size: small.byteLength,
          },
        );
        assert.deepEqual(src.asked, [true, true, false]);
        assert.equal(plain.p.rawPuts, 1);
        assert.equal(src.p.gets, 1);
        assert.deepEqual(await Deno.readFile(blobPath(`${root}/c`, ds)), small);
      } finally {
        await plain.close();
      }
    } finally {
      await src.close();
    }
  });
});

import assert from "node:assert/strict";
import { ErrorCode, NotFoundError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { parseRef, type Ref } from "../types/ref.ts";
import type { BlobPutOptions } from "../transport/transport.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import { CountingTransport } from "../../tests/ops/_counting_transport.ts";
import { copyBlob } from "./blob_copy.ts";
import { CopyError } from "./copy_error.ts";

const A = parseRef("example.com/a");
const B = parseRef("example.com/b");
const BYTES = new TextEncoder().encode("blob bytes for the copy test");

async function seeded(): Promise<CountingTransport> {
  const t = new CountingTransport(new MemoryTransport());
  await t.blobPut(A, ReadableStream.from([BYTES]));
  t.reset();
  return t;
}

Deno.test("copyBlob() streams a blob with the expected digest and size", async () => {
  const src = await seeded();
  const dst = new CountingTransport(new MemoryTransport());
  const digest = await digestOf(BYTES);
  const r = await copyBlob({ transport: src, ref: A }, { transport: dst, ref: B }, digest, {
    size: BYTES.byteLength,
  });
  assert.equal(r.action, "copied");
  assert.equal(r.bytes, BYTES.byteLength);
  assert.deepEqual(dst.blobPutOptions[0], {
    digest,
    size: BYTES.byteLength,
    signal: undefined,
    verified: true,
    skipHead: true,
  });
  assert.equal((await dst.blobHead(B, digest)).size, BYTES.byteLength);
});

Deno.test("copyBlob() skips a blob the target has, without reading the source", async () => {
  const src = await seeded();
  const digest = await digestOf(BYTES);
  await copyBlob({ transport: src, ref: A }, { transport: src, ref: B }, digest);
  src.reset();
  const r = await copyBlob({ transport: src, ref: A }, { transport: src, ref: B }, digest);
  assert.equal(r.action, "exists");
  assert.equal(src.counts.blobGet, 0);
  assert.equal(src.counts.blobPut, 0);
});

Deno.test("copyBlob() within one repository does nothing", async () => {
  const src = await seeded();
  const r = await copyBlob(
    { transport: src, ref: A },
    { transport: src, ref: A },
    await digestOf(BYTES),
  );
  assert.equal(r.action, "same-repository");
  assert.equal(src.counts.blobHead + src.counts.blobGet + src.counts.blobPut, 0);
});

/** Claims the reg scheme; its blobPut mounts like a registry (body never read). */
class MountingTransport extends CountingTransport {
  override readonly scheme = "reg";
  readonly mounts: string[] = [];
  #store: MemoryTransport;
  constructor(store: MemoryTransport) {
    super(store);
    this.#store = store;
  }
  override async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    o: BlobPutOptions & { mountFrom?: string } = {},
  ): Promise<Descriptor> {
    if (o.mountFrom === undefined) return super.blobPut(ref, body, o);
    this.mounts.push(o.mountFrom);
    await body.cancel();
    const reader = await this.#store.blobGet(
      parseRef(`example.com/${o.mountFrom}`),
      o.digest ?? "",
    );
    return this.#store.blobPut(ref, reader.body);
  }
}

Deno.test("copyBlob() mounts on one registry and reads nothing from the source", async () => {
  const store = new MemoryTransport();
  await store.blobPut(A, ReadableStream.from([BYTES]));
  const src = new CountingTransport(store);
  const dst = new MountingTransport(store);
  const r = await copyBlob(
    { transport: src, ref: A },
    { transport: dst, ref: B },
    await digestOf(BYTES),
  );
  assert.equal(r.action, "mounted");
  assert.deepEqual(dst.mounts, ["a"]);
  assert.equal(src.counts.blobGet, 0);
  assert.equal((await store.blobHead(B, await digestOf(BYTES))).size, BYTES.byteLength);
  // different registries: no mount offered
  const other = await copyBlob(
    { transport: src, ref: parseRef("other.example.com/a") },
    { transport: dst, ref: parseRef("example.com/c") },
    await digestOf(BYTES),
  ).catch((err) => err);
  assert.ok(other instanceof CopyError);
  assert.deepEqual(dst.mounts, ["a"]);
});

Deno.test("copyBlob() of a missing blob fails on the source side, writing nothing", async () => {
  const src = await seeded();
  const dst = new CountingTransport(new MemoryTransport());
  const digest = await digestOf(new TextEncoder().encode("missing"));
  await assert.rejects(
    () => copyBlob({ transport: src, ref: A }, { transport: dst, ref: B }, digest),
    (err: unknown) =>
      err instanceof CopyError && err.side === "source" && err.code === ErrorCode.NOT_FOUND,
  );
  await assert.rejects(() => dst.blobHead(B, digest), NotFoundError);
});

Deno.test("copyBlob() with a wrong size fails and stores nothing", async () => {
  const src = await seeded();
  const dst = new CountingTransport(new MemoryTransport());
  const digest = await digestOf(BYTES);
  await assert.rejects(
    () =>
      copyBlob({ transport: src, ref: A }, { transport: dst, ref: B }, digest, {
        size: BYTES.byteLength + 5,
      }),
    (err: unknown) => err instanceof CopyError && err.code === ErrorCode.SIZE_MISMATCH,
  );
  await assert.rejects(() => dst.blobHead(B, digest), NotFoundError);
});

/** Source whose blobGet body is a byte stream; target that reads with one reused buffer. */
class ByteStreamTransport extends CountingTransport {
  readonly reads: number[] = [];
  override async blobGet(ref: Ref, digest: string, options?: { size?: number | undefined }) {
    const inner = await super.blobGet(ref, digest, options);
    const reader = inner.body.getReader();
    const body: ReadableStream<Uint8Array> = new ReadableStream({
      type: "bytes",
      async pull(c: ReadableByteStreamController) {
        for (;;) {
          const r = await reader.read();
          if (r.done) {
            c.close();
            c.byobRequest?.respond(0);
            return;
          }
          if (r.value.byteLength === 0) continue;
          c.enqueue(r.value.slice());
          return;
        }
      },
    });
    return { descriptor: inner.descriptor, body };
  }
  override async blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor> {
    let byob: ReadableStreamBYOBReader;
    try {
      byob = body.getReader({ mode: "byob" });
    } catch {
      return await super.blobPut(ref, body, options); // seeding with a plain stream
    }
    let buf = new Uint8Array(7);
    const parts: number[] = [];
    for (;;) {
      const r = await byob.read(buf);
      if (r.done) break;
      this.reads.push(r.value.byteLength);
      parts.push(...r.value);
      buf = new Uint8Array(r.value.buffer);
    }
    return await super.blobPut(ref, ReadableStream.from([new Uint8Array(parts)]), options);
  }
}

Deno.test("copyBlob() hands a byte-stream source to a target that reads with its own buffer", async () => {
  const t = new ByteStreamTransport(new MemoryTransport());
  await t.blobPut(A, ReadableStream.from([BYTES]));
  t.reads.length = 0;
  const digest = await digestOf(BYTES);
  const r = await copyBlob({ transport: t, ref: A }, { transport: t, ref: B }, digest, {
    size: BYTES.byteLength,
  });
  assert.equal(r.action, "copied");
  assert.equal(r.bytes, BYTES.byteLength);
  assert.ok(t.reads.every((n) => n <= 7), "every read fits the target's buffer");
  const got = await t.blobGet(B, digest);
  assert.deepEqual(new Uint8Array(await new Response(got.body).arrayBuffer()), BYTES);
});

Deno.test("copyBlob() copies an empty blob from a byte-stream source", async () => {
  const t = new ByteStreamTransport(new MemoryTransport());
  const empty = new Uint8Array(0);
  await t.blobPut(A, ReadableStream.from([empty]));
  const digest = await digestOf(empty);
  const r = await copyBlob({ transport: t, ref: A }, { transport: t, ref: B }, digest, {
    size: 0,
  });
  assert.equal(r.action, "copied");
  assert.equal((await t.blobHead(B, digest)).size, 0);
});

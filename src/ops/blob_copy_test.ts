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
  const digest = digestOf(BYTES);
  const r = await copyBlob({ transport: src, ref: A }, { transport: dst, ref: B }, digest, {
    size: BYTES.byteLength,
  });
  assert.equal(r.action, "copied");
  assert.equal(r.bytes, BYTES.byteLength);
  assert.deepEqual(dst.blobPutOptions[0], {
    digest,
    size: BYTES.byteLength,
    signal: undefined,
  });
  assert.equal((await dst.blobHead(B, digest)).size, BYTES.byteLength);
});

Deno.test("copyBlob() skips a blob the target has, without reading the source", async () => {
  const src = await seeded();
  const digest = digestOf(BYTES);
  await copyBlob({ transport: src, ref: A }, { transport: src, ref: B }, digest);
  src.reset();
  const r = await copyBlob({ transport: src, ref: A }, { transport: src, ref: B }, digest);
  assert.equal(r.action, "exists");
  assert.equal(src.counts.blobGet, 0);
  assert.equal(src.counts.blobPut, 0);
});

Deno.test("copyBlob() within one repository does nothing", async () => {
  const src = await seeded();
  const r = await copyBlob({ transport: src, ref: A }, { transport: src, ref: A }, digestOf(BYTES));
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
  const r = await copyBlob({ transport: src, ref: A }, { transport: dst, ref: B }, digestOf(BYTES));
  assert.equal(r.action, "mounted");
  assert.deepEqual(dst.mounts, ["a"]);
  assert.equal(src.counts.blobGet, 0);
  assert.equal((await store.blobHead(B, digestOf(BYTES))).size, BYTES.byteLength);
  // different registries: no mount offered
  const other = await copyBlob(
    { transport: src, ref: parseRef("other.example.com/a") },
    { transport: dst, ref: parseRef("example.com/c") },
    digestOf(BYTES),
  ).catch((err) => err);
  assert.ok(other instanceof CopyError);
  assert.deepEqual(dst.mounts, ["a"]);
});

Deno.test("copyBlob() of a missing blob fails on the source side, writing nothing", async () => {
  const src = await seeded();
  const dst = new CountingTransport(new MemoryTransport());
  const digest = digestOf(new TextEncoder().encode("missing"));
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
  const digest = digestOf(BYTES);
  await assert.rejects(
    () =>
      copyBlob({ transport: src, ref: A }, { transport: dst, ref: B }, digest, {
        size: BYTES.byteLength + 5,
      }),
    (err: unknown) => err instanceof CopyError && err.code === ErrorCode.SIZE_MISMATCH,
  );
  await assert.rejects(() => dst.blobHead(B, digest), NotFoundError);
});

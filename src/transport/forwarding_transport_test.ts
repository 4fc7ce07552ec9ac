import assert from "node:assert/strict";
import { ForwardingRawTransport, ForwardingTransport } from "./forwarding_transport.ts";
import { MemoryTransport } from "./memory/memory_transport.ts";
import { OciDirTransport } from "./ocidir/ocidir_transport.ts";
import type { Ref } from "../types/ref.ts";

const REF: Ref = { scheme: "reg", registry: "r", repository: "a", path: "", tag: "v1", digest: "" };

Deno.test("ForwardingTransport loads its transport on the first call, once", async () => {
  let loads = 0;
  const inner = new MemoryTransport();
  const t = new ForwardingTransport("memory", () => {
    loads++;
    return Promise.resolve(inner);
  });
  assert.equal(loads, 0);
  const d = await t.blobPut(REF, ReadableStream.from([new Uint8Array([1, 2])]));
  assert.equal((await t.blobHead(REF, d.digest)).size, 2);
  assert.equal(loads, 1);
  await t.close();
  assert.equal((await inner.blobHead(REF, d.digest)).size, 2);
});

Deno.test("ForwardingTransport cancels a blobPut body when its transport cannot load", async () => {
  let cancelled = false;
  const t = new ForwardingTransport<MemoryTransport>("x", () => Promise.reject(new Error("no")));
  const body = new ReadableStream<Uint8Array>({
    cancel() {
      cancelled = true;
    },
  });
  await assert.rejects(t.blobPut(REF, body), /no/);
  assert.equal(cancelled, true);
  await t.close();
});

Deno.test("ForwardingTransport without a load refuses calls", async () => {
  await assert.rejects(new ForwardingTransport("x").tagList(REF), TypeError);
});

Deno.test("ForwardingRawTransport says raw puts are worth trying before it loads", async () => {
  const t = new ForwardingRawTransport("ocidir", () => Promise.resolve(new OciDirTransport()));
  assert.equal(t.canPutRaw(REF), true);
  assert.equal(t.canGetRaw(REF), true);
  await t.close();
});

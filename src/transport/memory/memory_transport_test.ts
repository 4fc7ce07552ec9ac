import { deepEqual, equal, notDeepEqual, rejects } from "node:assert/strict";
import { ErrorCode, OciError } from "../../errors.ts";
import { digestOf } from "../../types/digest.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { MemoryTransport } from "./memory_transport.ts";

const reg = (repository: string, tag = ""): Ref => ({
  scheme: "reg",
  registry: "registry.example",
  repository,
  path: "",
  tag,
  digest: "",
});
const dir = (path: string, tag = ""): Ref => ({
  scheme: "ocidir",
  registry: "",
  repository: "",
  path,
  tag,
  digest: "",
});
const index = new TextEncoder().encode(
  JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [] }),
);
const notFound = (e: unknown) => e instanceof OciError && e.code === ErrorCode.NOT_FOUND;

Deno.test("MemoryTransport keeps repositories and ocidir paths apart", async () => {
  const t = new MemoryTransport();
  await t.manifestPut(reg("a", "v1"), index);
  await t.manifestPut(dir("a", "v2"), index);
  deepEqual(await t.tagList(reg("a")), ["v1"]);
  deepEqual(await t.tagList(dir("a")), ["v2"]);
  await rejects(t.tagList(reg("b")), notFound);
  await rejects(t.manifestGet(reg("a", "v2")), notFound);
  await t.close();
});

Deno.test("MemoryTransport.manifestPut() without tag or digest tags latest", async () => {
  const t = new MemoryTransport();
  const d = await t.manifestPut(reg("a"), index);
  equal(d.digest, await digestOf(index));
  deepEqual(await t.tagList(reg("a")), ["latest"]);
  equal((await t.manifestHead(reg("a"))).digest, d.digest);
});

Deno.test("MemoryTransport is not changed by callers mutating bytes they passed or got", async () => {
  const t = new MemoryTransport();
  const raw = index.slice();
  await t.manifestPut(reg("a", "v1"), raw);
  raw[0] = 0x20;
  const got = await t.manifestGet(reg("a", "v1"));
  deepEqual(got.raw, index);
  got.raw[0] = 0x20;
  deepEqual((await t.manifestGet(reg("a", "v1"))).raw, index);
  const blob = new TextEncoder().encode("blob");
  const d = await t.blobPut(reg("a"), ReadableStream.from([blob]));
  blob[0] = 0;
  notDeepEqual(
    new Uint8Array(await new Response((await t.blobGet(reg("a"), d.digest)).body).arrayBuffer()),
    blob,
  );
});

Deno.test("MemoryTransport.blobPut() with a malformed expected digest cancels the body", async () => {
  const t = new MemoryTransport();
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    cancel() {
      cancelled = true;
    },
  });
  await rejects(
    t.blobPut(reg("a"), body, { digest: "md5:abc" }),
    (e: unknown) => e instanceof OciError && e.code === ErrorCode.INVALID_DIGEST,
  );
  equal(cancelled, true);
});

import assert from "node:assert/strict";
import { createTarDecoder, packTar } from "modern-tar";
import { patchTarTimes } from "./tar_time_patch.ts";

Deno.test("patchTarTimes() sets header and PAX times, keeping the length and checksums valid", async () => {
  const tar = await packTar([
    { header: { name: "a", size: 3, mtime: new Date("2024-01-01T00:00:00Z") }, body: "abc" },
    {
      header: {
        name: "b",
        size: 1,
        mtime: new Date("2024-01-01T00:00:00Z"),
        pax: { mtime: "1704067200.123456789" },
      },
      body: "b",
    },
    { header: { name: "old", size: 0, mtime: new Date("2001-01-01T00:00:00Z") } },
  ]);
  const set = new Date("2021-02-03T04:05:06Z");
  const chunks = [tar.subarray(0, 100), tar.subarray(100, 1500), tar.subarray(1500)];
  const out = new Uint8Array(
    await new Response(ReadableStream.from(chunks).pipeThrough(patchTarTimes({ set, after: set })))
      .arrayBuffer(),
  );
  assert.equal(out.byteLength, tar.byteLength);
  const seen: Record<string, number> = {};
  for await (
    const e of ReadableStream.from([out]).pipeThrough(createTarDecoder({ strict: true }))
  ) {
    seen[e.header.name] = e.header.mtime!.getTime();
    await e.body.cancel();
  }
  assert.deepEqual(seen, {
    a: set.getTime(),
    b: set.getTime(),
    old: Date.parse("2001-01-01T00:00:00Z"),
  });
});

import assert from "node:assert/strict";
import { createTarDecoder, packTar } from "modern-tar";
import {
  type EntryHeader,
  reproducibleEdit,
  rewriteTar,
  stripFileEdit,
  timeEdit,
} from "./layer_rewrite.ts";

async function headers(bytes: ReadableStream<Uint8Array>): Promise<EntryHeader[]> {
  const out: EntryHeader[] = [];
  for await (const e of bytes.pipeThrough(createTarDecoder())) {
    out.push(e.header);
    await e.body.cancel();
  }
  return out;
}

const SET = new Date("2021-02-03T04:05:06Z");

async function sample(): Promise<Uint8Array> {
  return await packTar([
    { header: { name: "etc/", type: "directory", size: 0, mtime: new Date(0) } },
    {
      header: {
        name: "etc/motd",
        size: 2,
        mtime: new Date("2024-01-01T00:00:00Z"),
        uname: "root",
        gname: "wheel",
        pax: { mtime: "1704067200.5", atime: "1704067200" },
      },
      body: "hi",
    },
    { header: { name: "etc/keep", size: 1, mtime: new Date("2000-01-01T00:00:00Z") }, body: "k" },
  ]);
}

Deno.test("rewriteTar() strips, sets times (PAX too) and clears owner names, streaming", async () => {
  const r = rewriteTar(ReadableStream.from([await sample()]), [
    timeEdit(() => ({ set: SET, after: SET })),
    reproducibleEdit(),
  ]);
  const hs = await headers(r.body);
  assert.deepEqual(await r.outcome, { changed: true, empty: false });
  const motd = hs.find((h) => h.name === "etc/motd")!;
  assert.equal(motd.mtime?.getTime(), SET.getTime());
  assert.equal(motd.pax?.mtime, String(SET.getTime() / 1000));
  assert.equal(motd.pax?.atime, String(SET.getTime() / 1000));
  assert.equal(motd.uname ?? "", "");
  assert.equal(motd.gname ?? "", "");
  const keep = hs.find((h) => h.name === "etc/keep")!;
  assert.equal(keep.mtime?.getTime(), Date.parse("2000-01-01T00:00:00Z"), "older times stay");
});

Deno.test("rewriteTar() reports unchanged and empty layers", async () => {
  const same = rewriteTar(ReadableStream.from([await sample()]), [stripFileEdit("nope")]);
  await headers(same.body);
  assert.deepEqual(await same.outcome, { changed: false, empty: false });
  const gone = rewriteTar(ReadableStream.from([await sample()]), [stripFileEdit("etc")]);
  assert.deepEqual(await headers(gone.body), []);
  assert.deepEqual(await gone.outcome, { changed: true, empty: true });
});

Deno.test("rewriteTar() fails on a corrupt tar", async () => {
  const bytes = await sample();
  bytes[600] = bytes[600]! ^ 0xff;
  bytes[148] = 0x37;
  const r = rewriteTar(ReadableStream.from([bytes.subarray(0, 700)]), [reproducibleEdit()]);
  await assert.rejects(headers(r.body));
  await assert.rejects(r.outcome);
});

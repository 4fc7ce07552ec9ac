import assert from "node:assert/strict";
import { StreamSink } from "./stream_sink.ts";

function collector() {
  const chunks: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
  const text = () => new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return { stream, text };
}

Deno.test("StreamSink keeps writes and pipes in order and leaves the stream open", async () => {
  const c = collector();
  const sink = new StreamSink(c.stream);
  sink.write("a");
  sink.pipeFrom(ReadableStream.from([new TextEncoder().encode("b")]));
  sink.write(new TextEncoder().encode("c"));
  await sink.flush();
  assert.equal(c.text(), "abc");
  const w = c.stream.getWriter();
  await w.write(new TextEncoder().encode("d"));
  w.releaseLock();
  assert.equal(c.text(), "abcd");
});

Deno.test("StreamSink.pipeFrom() rejects with the body's error", async () => {
  const c = collector();
  const sink = new StreamSink(c.stream);
  const body = new ReadableStream<Uint8Array>({
    pull: (ctl) => ctl.error(new RangeError("bad")),
  });
  await assert.rejects(sink.pipeFrom(body), RangeError);
  await sink.write("ok");
  assert.equal(c.text(), "ok");
});

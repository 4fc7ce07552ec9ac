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

Deno.test("StreamSink writes directly and builds its stream only for a pipe", async () => {
  const c = collector();
  let built = 0;
  const direct = (bytes: Uint8Array) => {
    const w = c.stream.getWriter();
    return w.write(bytes).finally(() => w.releaseLock());
  };
  const sink = new StreamSink(() => (built++, c.stream), direct);
  sink.write("a");
  await sink.write(new TextEncoder().encode("b"));
  assert.equal(built, 0);
  sink.pipeFrom(ReadableStream.from([new TextEncoder().encode("c")]));
  sink.write("d");
  await sink.pipeFrom(ReadableStream.from([new TextEncoder().encode("e")]));
  assert.equal(c.text(), "abcde");
  assert.equal(built, 1);
});

Deno.test("StreamSink without a direct write builds its stream on the first write", async () => {
  const c = collector();
  let built = 0;
  const sink = new StreamSink(() => (built++, c.stream));
  assert.equal(built, 0);
  await sink.write("x");
  await sink.write("y");
  assert.equal(c.text(), "xy");
  assert.equal(built, 1);
});

Deno.test("StreamSink passes a direct write's error on and keeps going", async () => {
  const c = collector();
  let fail = true;
  const sink = new StreamSink(c.stream, async (bytes) => {
    if (fail) throw new Deno.errors.BrokenPipe("gone");
    const w = c.stream.getWriter();
    await w.write(bytes).finally(() => w.releaseLock());
  });
  await assert.rejects(sink.write("lost"), Deno.errors.BrokenPipe);
  fail = false;
  await sink.write("kept");
  assert.equal(c.text(), "kept");
});

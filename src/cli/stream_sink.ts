/**
 * Serialised writes to a byte stream (stdout, stderr) that never close it.
 *
 * @module
 */

/**
 * Queues text and byte writes to a `WritableStream` in order, taking the
 * stream's lock only for the length of each write so that several sinks or
 * pipes can share it. The stream is never closed.
 *
 * @example Writing text
 * ```ts
 * import assert from "node:assert/strict";
 * import { StreamSink } from "./stream_sink.ts";
 * const chunks: Uint8Array[] = [];
 * const sink = new StreamSink(new WritableStream({ write: (c) => { chunks.push(c); } }));
 * sink.write("a");
 * await sink.write("b\n");
 * assert.equal(new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))), "ab\n");
 * ```
 */
export class StreamSink {
  #stream: WritableStream<Uint8Array>;
  #chain: Promise<void> = Promise.resolve();
  #encoder = new TextEncoder();

  /**
   * Creates a sink that writes to `stream` in call order.
   *
   * @param stream the destination, left open
   */
  constructor(stream: WritableStream<Uint8Array>) {
    this.#stream = stream;
  }

  /**
   * Queues a write.
   *
   * @param data text (UTF-8 encoded) or bytes
   * @returns a promise settled once this write is done
   * @throws the stream's error (from the returned promise)
   */
  write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? this.#encoder.encode(data) : data;
    if (bytes.byteLength === 0) return this.#chain;
    return this.#enqueue(async () => {
      const w = this.#stream.getWriter();
      try {
        await w.write(bytes);
      } finally {
        w.releaseLock();
      }
    });
  }

  /**
   * Queues piping a whole byte stream in; the body is consumed or cancelled.
   *
   * @param body bytes to copy
   * @param signal stops the copy
   * @returns a promise settled once the body has been copied
   * @throws the body's error (for example a digest mismatch), or the stream's
   */
  pipeFrom(body: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<void> {
    return this.#enqueue(() =>
      body.pipeTo(this.#stream, {
        preventClose: true,
        preventAbort: true,
        ...(signal ? { signal } : {}),
      })
    );
  }

  /**
   * Waits until every queued write is done.
   *
   * @returns a promise settled when the queue is empty
   * @throws the error of the last queued write
   */
  flush(): Promise<void> {
    return this.#chain;
  }

  #enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.#chain.catch(() => {}).then(fn);
    this.#chain = next;
    return next;
  }
}

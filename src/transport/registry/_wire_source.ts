/**
 * Sending a request body read from a byte source over a wire fetch
 * connection (`wire_fetch.ts`), while its answer is read: loaded by the
 * first request that has one (an upload), so that short commands do not.
 *
 * @module
 */
import { SourceBodyError } from "./wire_headers.ts";
import type { SourceBody } from "./wire_fetch.ts";
import type { WireHead } from "./wire_response.ts";
import { afterMs } from "../../timers.ts";

/** Largest piece of a source body read and written at once. */
const _SOURCE_PIECE = 1024 * 1024;

/**
 * How long a response is waited for after sending a source body failed (a
 * server that answers early, an error page, then closes: the write fails
 * while the answer is already on its way).
 */
const _ANSWER_GRACE_MS = 1_000;

/** What {@link sendSource} does on the connection (after the request head). */
export interface SourceWire {
  /** Reads the final (not 1xx) response head. */
  readHead(): Promise<WireHead>;
  /** Writes all the bytes. */
  write(bytes: Uint8Array): Promise<void>;
}

/** {@link sendSource}'s type, for the wire fetch that loads it. */
export type SendSource = typeof sendSource;

/**
 * Sends a source body while reading the answer: a server may answer before
 * it has the whole body (an error), and then the rest is not sent.
 *
 * @param sourced the body
 * @param wire the connection's head reader and writer
 * @returns the final head, and whether the whole body went out
 * @throws the send's failure when no answer came, or the answer's
 */
export async function sendSource(
  sourced: SourceBody,
  wire: SourceWire,
): Promise<{ head: WireHead; bodySent: boolean }> {
  const stop = { stopped: false };
  let sendError: { err: unknown } | undefined;
  const sending = _pumpSource(wire.write, sourced, stop).then(
    (failure) => {
      if (failure === undefined) return "sent" as const;
      sendError = { err: failure.err };
      if (failure.ownFault) throw failure.err; // the source's or the length's: no answer to wait for
      return "failed" as const;
    },
  );
  sending.catch(() => {}); // an early answer leaves it running
  const answer = wire.readHead();
  answer.catch(() => {}); // looked at below, whichever way the send goes
  const first = await Promise.race([sending, answer.then(() => "answered" as const)]);
  if (first === "sent") return { head: await answer, bodySent: true };
  if (first === "answered") {
    // The pump stops before its next piece; a write the server no longer
    // reads ends when the connection, not reused, is closed.
    stop.stopped = true;
    return { head: await answer, bodySent: false };
  }
  // the send failed: an answer already on its way says why better
  let cancel = () => {};
  const late = await Promise.race([
    answer.then((h) => h, () => undefined),
    new Promise<undefined>((resolve) => {
      cancel = afterMs(_ANSWER_GRACE_MS, () => resolve(undefined));
    }),
  ]);
  cancel();
  if (late === undefined) throw sendError!.err;
  return { head: late, bodySent: false };
}

/**
 * Reads a source body and writes it to the connection, exactly its length.
 * The source is cancelled when the body is not sent whole.
 *
 * @returns nothing when sent whole, else the failure: `ownFault` when it
 *   came from the source or its length (not the connection)
 */
async function _pumpSource(
  write: SourceWire["write"],
  sourced: SourceBody,
  stop: { stopped: boolean },
): Promise<{ err: unknown; ownFault: boolean } | undefined> {
  const { source, length } = sourced;
  const buf = new Uint8Array(Math.min(_SOURCE_PIECE, Math.max(length, 1)));
  let sent = 0;
  let failure: { err: unknown; ownFault: boolean } | undefined;
  try {
    for (;;) {
      if (stop.stopped) {
        failure = {
          err: new TypeError("the server answered before the whole body was sent"),
          ownFault: false,
        };
        break;
      }
      let n: number | null;
      try {
        n = await source.read(buf);
      } catch (cause) {
        const err = new SourceBodyError("the body's source failed", sent, length, { cause });
        failure = { err, ownFault: true };
        break;
      }
      if (n === null) break;
      if (sent + n > length) {
        const err = new SourceBodyError(
          `the body is longer than its Content-Length ${length}`,
          sent + n,
          length,
        );
        failure = { err, ownFault: true };
        break;
      }
      await write(buf.subarray(0, n));
      sent += n;
    }
    if (failure === undefined && sent !== length) {
      const err = new SourceBodyError(
        `the body ended at ${sent} bytes, before its Content-Length ${length}`,
        sent,
        length,
      );
      failure = { err, ownFault: true };
    }
  } catch (err) {
    failure = { err, ownFault: false };
  }
  if (failure !== undefined) await source.cancel(failure.err);
  return failure;
}

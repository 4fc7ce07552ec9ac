/**
 * HTTP `Range` requests on blobs (RFC 9110 §14): parsing one byte range and
 * slicing a verified stream without giving up the verification of the rest.
 *
 * @module
 */

/** An inclusive byte range. */
export interface ByteRange {
  /** First byte. */
  start: number;
  /** Last byte (inclusive). */
  end: number;
}

/**
 * Parses a `Range` header against a blob size.
 *
 * @param header the header value, or null
 * @param size blob size
 * @returns `undefined` to serve the whole blob (no header, a syntax this
 *   server ignores, several ranges), `"unsatisfiable"` for a 416, or the range
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const m = header.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!m) return undefined;
  const [, a = "", b = ""] = m;
  if (a === "" && b === "") return undefined;
  if (a === "") {
    const n = Number(b);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return "unsatisfiable";
  if (b !== "" && Number(b) < start) return "unsatisfiable";
  return { start, end };
}

/**
 * Emits only the bytes of `range` from `body`, but reads `body` to its end
 * so a verifying stream still checks every byte; the output ends cleanly only
 * when the whole input ended cleanly.
 *
 * @param body the whole blob (a verified stream)
 * @param range bytes to emit
 * @returns the slice
 */
export function sliceStream(
  body: ReadableStream<Uint8Array>,
  range: ByteRange,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          return;
        }
        const from = offset;
        offset += value.byteLength;
        const lo = Math.max(range.start, from) - from;
        const hi = Math.min(range.end + 1, offset) - from;
        if (hi > lo) {
          controller.enqueue(value.subarray(lo, hi));
          return;
        }
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  });
}

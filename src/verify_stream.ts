/**
 * A pass-through stream that counts and hashes bytes and fails when the
 * content does not match an expected size or digest.
 *
 * @module
 */
import { DigestMismatchError, SizeMismatchError } from "./errors.ts";
import { type AsyncHasher, type DigestAlgorithm, hasherFor, parseDigest } from "./types/digest.ts";

/** What a {@link VerifyStream} checks. */
export interface VerifyOptions {
  /** Expected digest; when absent the digest is only computed. */
  digest?: string | undefined;
  /** Expected size in bytes; when absent any size passes. */
  size?: number | undefined;
  /** Algorithm used when no digest is given. @default "sha256" */
  algorithm?: DigestAlgorithm;
  /** Names the content in error messages, e.g. `blob "sha256:…"`. */
  subject?: string;
}

/**
 * A `TransformStream` that passes bytes through unchanged while hashing and
 * counting them. It errors the stream on the first byte past the expected size,
 * and at the end when the size is short or the digest differs, so a consumer
 * never sees a clean end of unverified content.
 *
 * @example Verify bytes
 * ```ts
 * import { VerifyStream } from "./verify_stream.ts";
 * import { digestOf } from "./types/digest.ts";
 * const data = new TextEncoder().encode("hello");
 * const v = new VerifyStream({ digest: await digestOf(data), size: 5 });
 * const out = await new Response(ReadableStream.from([data]).pipeThrough(v)).text();
 * if (out !== "hello" || v.digest !== await digestOf(data)) throw new Error("bad");
 * ```
 */
export class VerifyStream extends TransformStream<Uint8Array, Uint8Array> {
  #count = 0;
  #digest: string | undefined;

  /**
   * Creates the stream; the algorithm comes from `options.digest` when given.
   *
   * @param options expected digest and size, algorithm, subject for messages
   * @throws {InvalidDigestError} when `options.digest` does not parse
   */
  constructor(options: VerifyOptions = {}) {
    const algorithm = options.digest
      ? parseDigest(options.digest).algorithm
      : (options.algorithm ?? "sha256");
    // The hasher is ready before the first chunk (a small expected size is
    // hashed with Web Crypto, anything else with node:crypto).
    let hasher: AsyncHasher | undefined;
    const subject = options.subject ?? (options.digest ? `content "${options.digest}"` : "content");
    let count = 0;
    super({
      start: async () => {
        hasher = await hasherFor(algorithm, options.size);
      },
      transform: (chunk, controller) => {
        count += chunk.byteLength;
        this.#count = count;
        if (options.size !== undefined && count > options.size) {
          controller.error(new SizeMismatchError(subject, options.size, count));
          return;
        }
        hasher?.update(chunk);
        controller.enqueue(chunk);
      },
      flush: async (controller) => {
        if (options.size !== undefined && count !== options.size) {
          controller.error(new SizeMismatchError(subject, options.size, count));
          return;
        }
        const actual = (await hasher?.digest()) ?? "";
        this.#digest = actual;
        if (options.digest !== undefined && actual !== options.digest) {
          controller.error(new DigestMismatchError(subject, options.digest, actual));
        }
      },
    });
  }

  /** Bytes seen so far. */
  get count(): number {
    return this.#count;
  }

  /** The computed digest, once the stream has ended. */
  get digest(): string | undefined {
    return this.#digest;
  }
}

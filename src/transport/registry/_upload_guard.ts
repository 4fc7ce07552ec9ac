/**
 * The body guard of a streamed blob upload: counts (and, unless the producer
 * already verifies the bytes, hashes) what is sent, and holds the last chunk
 * back until the source has ended cleanly and every check passed. A registry
 * is therefore never handed the full announced length of bytes that failed
 * verification, so it cannot commit them.
 *
 * @module
 */
import { DigestMismatchError, SizeMismatchError } from "../../errors.ts";
import { type DigestAlgorithm, type Hasher, loadHasher } from "../../types/digest.ts";

/** What an {@link _UploadGuard} checks. */
export interface _UploadGuardOptions {
  /** Expected digest (required when `verified`). */
  digest?: string | undefined;
  /** Expected size. */
  size?: number | undefined;
  /** Algorithm when no digest is given. */
  algorithm: DigestAlgorithm;
  /**
   * The source already verifies its bytes against `digest` (it errors instead
   * of ending cleanly on a mismatch, as every transport's `blobGet` body
   * does): they are counted, not hashed again.
   */
  verified: boolean;
  /** Names the content in errors. */
  subject: string;
}

/**
 * Wraps an upload body; read {@link _UploadGuard.stream}.
 *
 * @example Guard a small body
 * ```ts ignore
 * const g = new _UploadGuard(body, { algorithm: "sha256", verified: false, subject: "blob" });
 * await new Response(g.stream).arrayBuffer();
 * g.digest; // "sha256:…"
 * ```
 */
export class _UploadGuard {
  /** The guarded bytes, to send. */
  readonly stream: ReadableStream<Uint8Array>;
  #count = 0;
  #digest: string | undefined;
  #error: unknown;

  /**
   * Wraps an upload body with its checks.
   * @param source the body (consumed or cancelled through {@link stream})
   * @param o expected digest and size, whether the source verifies itself
   */
  constructor(source: ReadableStream<Uint8Array>, o: _UploadGuardOptions) {
    const reader = source.getReader();
    // The streaming hasher (node:crypto) is loaded before the first pull.
    let hasher: Hasher | undefined;
    let held: Uint8Array | undefined;
    const fail = (err: unknown): never => {
      this.#error ??= err;
      throw err;
    };
    this.stream = new ReadableStream<Uint8Array>({
      start: async () => {
        if (!o.verified || o.digest === undefined) hasher = (await loadHasher())(o.algorithm);
      },
      pull: async (controller) => {
        for (;;) {
          let r: ReadableStreamReadResult<Uint8Array>;
          try {
            r = await reader.read();
          } catch (err) {
            return fail(err);
          }
          if (r.done) {
            if (o.size !== undefined && this.#count !== o.size) {
              return fail(new SizeMismatchError(o.subject, o.size, this.#count));
            }
            const actual = hasher ? hasher.digest() : o.digest;
            if (o.digest !== undefined && actual !== o.digest) {
              return fail(new DigestMismatchError(o.subject, o.digest, actual ?? ""));
            }
            this.#digest = actual;
            if (held !== undefined) controller.enqueue(held);
            held = undefined;
            controller.close();
            return;
          }
          const chunk = r.value;
          if (chunk.byteLength === 0) continue;
          this.#count += chunk.byteLength;
          if (o.size !== undefined && this.#count > o.size) {
            await reader.cancel().catch(() => {});
            return fail(new SizeMismatchError(o.subject, o.size, this.#count));
          }
          hasher?.update(chunk);
          const out = held;
          held = chunk;
          if (out !== undefined) {
            controller.enqueue(out);
            return;
          }
        }
      },
      cancel: async (reason) => {
        held = undefined;
        await reader.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 });
  }

  /** Bytes read from the source so far. */
  get count(): number {
    return this.#count;
  }

  /** The verified digest, once the source ended cleanly. */
  get digest(): string | undefined {
    return this.#digest;
  }

  /** The first error the source or a check failed with (fetch hides it). */
  get error(): unknown {
    return this.#error;
  }
}

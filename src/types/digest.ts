/**
 * Content digests (`algorithm:encoded`) with sha256 and sha512 support.
 *
 * Bytes held in memory are hashed with Web Crypto, so parsing a manifest never
 * starts Deno's Node compatibility layer; the incremental {@link Hasher} for
 * streamed blobs lives in `hasher.ts` and is loaded by {@link loadHasher} on
 * the first blob stream.
 *
 * @module
 */
import { InvalidDigestError } from "../errors.ts";

/** Digest algorithms ocictl can compute. */
export type DigestAlgorithm = "sha256" | "sha512";

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_REGEXP = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A parsed digest. */
export interface Digest {
  /** Algorithm, e.g. `sha256`. */
  readonly algorithm: DigestAlgorithm;
  /** Lowercase hex encoding. */
  readonly hex: string;
  /** The `algorithm:hex` string. */
  readonly value: string;
}

/**
 * Parses and validates a digest string. Only sha256 and sha512 are accepted,
 * with lowercase hex of the exact length, so a digest can safely name a file.
 *
 * @param input a string such as `sha256:<64 hex>`
 * @returns the parsed digest
 * @throws {InvalidDigestError} when the string is malformed or the algorithm unknown
 *
 * @example Parse a digest
 * ```ts
 * import { parseDigest } from "./digest.ts";
 * const d = parseDigest("sha256:" + "a".repeat(64));
 * if (d.algorithm !== "sha256") throw new Error("bad");
 * ```
 */
export function parseDigest(input: string): Digest {
  if (!DIGEST_REGEXP.test(input)) {
    throw new InvalidDigestError(input, 'expected "algorithm:hex"');
  }
  const idx = input.indexOf(":");
  const algorithm = input.slice(0, idx);
  const hex = input.slice(idx + 1);
  if (algorithm !== "sha256" && algorithm !== "sha512") {
    throw new InvalidDigestError(input, `unsupported algorithm "${algorithm}"`);
  }
  const want = HEX_LENGTH[algorithm];
  if (hex.length !== want || !/^[0-9a-f]+$/.test(hex)) {
    throw new InvalidDigestError(input, `expected ${want} lowercase hex characters`);
  }
  return { algorithm, hex, value: input };
}

/**
 * Tells whether a string is a valid, supported digest.
 *
 * @param input candidate digest
 * @returns true when {@link parseDigest} would accept it
 */
export function isDigest(input: string): boolean {
  try {
    parseDigest(input);
    return true;
  } catch {
    return false;
  }
}

const SUBTLE_NAME: Record<DigestAlgorithm, string> = { sha256: "SHA-256", sha512: "SHA-512" };

/**
 * Computes the digest of bytes held in memory (manifests, configs) with Web
 * Crypto.
 *
 * @param bytes content
 * @param algorithm digest algorithm
 * @returns the `algorithm:hex` digest string
 * @throws never
 *
 * @example Digest of "{}"
 * ```ts
 * import { digestOf } from "./digest.ts";
 * const d = await digestOf(new TextEncoder().encode("{}"));
 * if (d !== "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a") throw new Error(d);
 * ```
 */
export async function digestOf(
  bytes: Uint8Array,
  algorithm: DigestAlgorithm = "sha256",
): Promise<string> {
  const sum = new Uint8Array(
    await crypto.subtle.digest(SUBTLE_NAME[algorithm], bytes as Uint8Array<ArrayBuffer>),
  );
  let hex = "";
  for (const b of sum) hex += HEX_BYTE[b];
  return `${algorithm}:${hex}`;
}

const HEX_BYTE: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/** An incremental hasher that yields a digest string. */
export interface Hasher {
  /** Feeds bytes. */
  update(bytes: Uint8Array): void;
  /** Returns the final `algorithm:hex` digest; call once. */
  digest(): string;
}

/** Creates an incremental {@link Hasher} (the signature of `hasher.ts`'s `createHasher`). */
export type HasherFactory = (algorithm?: DigestAlgorithm) => Hasher;

/**
 * Loads the incremental hasher (`node:crypto`, which starts Deno's Node
 * compatibility layer) on the first call: only paths that stream blobs need it.
 *
 * @returns the hasher factory
 * @throws never
 *
 * @example Hash in pieces
 * ```ts
 * import { digestOf, loadHasher } from "./digest.ts";
 * const h = (await loadHasher())("sha256");
 * h.update(new TextEncoder().encode("{"));
 * h.update(new TextEncoder().encode("}"));
 * if (h.digest() !== await digestOf(new TextEncoder().encode("{}"))) throw new Error("differs");
 * ```
 */
export async function loadHasher(): Promise<HasherFactory> {
  return (await import("./hasher.ts")).createHasher;
}

/**
 * Largest content of a known size hashed in memory with Web Crypto by
 * {@link hasherFor} (256 KiB): an image config, a small layer. Loading the
 * streaming hasher starts Deno's Node compatibility layer, which blocks the
 * thread for 15–25 ms (measured during `image copy`; 42–52 ms on a machine
 * whose page faults cost 11–16 µs, where it touches about 1,700 new pages);
 * a copy whose large blobs move raw then never starts it on the main thread.
 * The bound keeps what is held small: a server streaming 32 such blobs at
 * once holds 8 MiB.
 */
export const SMALL_HASH_BYTES = 256 * 1024;

/** An incremental hasher whose digest is computed asynchronously. */
export interface AsyncHasher {
  /** Feeds bytes (copied when kept). */
  update(bytes: Uint8Array): void;
  /** Resolves to the final `algorithm:hex` digest; call once. */
  digest(): Promise<string>;
}

/**
 * The hasher for content of an expected size: at most
 * {@link SMALL_HASH_BYTES} bytes are gathered and hashed with Web Crypto,
 * anything larger (or of unknown size) streams through `node:crypto`
 * ({@link loadHasher}). Callers check the byte count against `size` before
 * feeding: bytes past `size` make `update` throw.
 *
 * @param algorithm digest algorithm
 * @param size expected size in bytes, when known
 * @returns the hasher
 * @throws {RangeError} from `update`, when more than `size` bytes are fed to a small hasher
 *
 * @example Hash a small body in pieces
 * ```ts
 * import { digestOf, hasherFor } from "./digest.ts";
 * const h = await hasherFor("sha256", 2);
 * h.update(new TextEncoder().encode("{"));
 * h.update(new TextEncoder().encode("}"));
 * if (await h.digest() !== await digestOf(new TextEncoder().encode("{}"))) throw new Error("differs");
 * ```
 */
export async function hasherFor(
  algorithm: DigestAlgorithm,
  size: number | undefined,
): Promise<AsyncHasher> {
  if (size === undefined || !(size >= 0) || size > SMALL_HASH_BYTES) {
    const h = (await loadHasher())(algorithm);
    return { update: (bytes) => h.update(bytes), digest: () => Promise.resolve(h.digest()) };
  }
  const held = new Uint8Array(size);
  let count = 0;
  return {
    update(bytes) {
      if (count + bytes.byteLength > size) {
        throw new RangeError(`more than the expected ${size} bytes were hashed`);
      }
      held.set(bytes, count);
      count += bytes.byteLength;
    },
    digest: () => digestOf(held.subarray(0, count), algorithm),
  };
}

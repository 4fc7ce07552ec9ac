/**
 * The incremental hasher for streamed blobs, on `node:crypto`. Importing this
 * module starts Deno's Node compatibility layer, so modules on the start-up
 * path reach it through `loadHasher()` in `digest.ts`, never statically.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { DigestAlgorithm, Hasher } from "./digest.ts";

/**
 * Creates an incremental hasher.
 *
 * @param algorithm digest algorithm
 * @returns a {@link Hasher}
 * @throws never
 *
 * @example Hash in two pieces
 * ```ts
 * import { createHasher } from "./hasher.ts";
 * const h = createHasher("sha256");
 * h.update(new TextEncoder().encode("{"));
 * h.update(new TextEncoder().encode("}"));
 * if (h.digest() !== "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a") throw new Error("bad");
 * ```
 */
export function createHasher(algorithm: DigestAlgorithm = "sha256"): Hasher {
  const h = createHash(algorithm);
  return {
    update(bytes) {
      h.update(bytes);
    },
    digest() {
      return `${algorithm}:${h.digest("hex")}`;
    },
  };
}

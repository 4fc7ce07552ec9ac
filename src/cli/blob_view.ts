/**
 * A blob's descriptor as `--format` sees it (`.Digest`, `.Size`,
 * `.MediaType`, `.RawHeaders`).
 *
 * @module
 */
import type { Descriptor } from "../types/descriptor.ts";
import type { Formattable, RawHeaders } from "./output.ts";

/**
 * A blob descriptor with Go field names.
 *
 * @example Digest line
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlobView } from "./blob_view.ts";
 * const v = new BlobView({ mediaType: "application/octet-stream", digest: "sha256:" + "a".repeat(64), size: 1 });
 * assert.equal(v.RawHeaders()["Content-Length"]?.[0], "1");
 * ```
 */
export class BlobView implements Formattable {
  #desc: Descriptor;

  /**
   * Wraps a blob's descriptor for `--format` output.
   *
   * @param desc the blob's descriptor
   */
  constructor(desc: Descriptor) {
    this.#desc = desc;
  }

  /** Digest. */
  get Digest(): string {
    return this.#desc.digest;
  }
  /** Size in bytes. */
  get Size(): number {
    return this.#desc.size;
  }
  /** Media type. */
  get MediaType(): string {
    return this.#desc.mediaType;
  }
  /** The headers a registry would send. @returns Content-Length, Content-Type, Docker-Content-Digest */
  RawHeaders(): RawHeaders {
    return {
      "Content-Length": [String(this.#desc.size)],
      "Content-Type": [this.#desc.mediaType],
      "Docker-Content-Digest": [this.#desc.digest],
    };
  }
  /** The descriptor. @returns the descriptor */
  toJSON(): Descriptor {
    return this.#desc;
  }
  /** Pretty form: the descriptor as indented JSON. @returns the text */
  marshalPretty(): string {
    return JSON.stringify(this.#desc, null, 2) + "\n";
  }
}

/**
 * What `image copy --format` sees: the target reference as regctl passes it
 * (`{{.CommonName}}`, `{{.Tag}}`, `{{.Digest}}`, `{{json .}}`), plus methods for
 * what the copy did. Loaded only when a format is given.
 *
 * @module
 */
import type { CopyResult } from "../ops/copy.ts";
import { commonName, type Ref } from "../types/ref.ts";
import { RefView } from "./ref_template.ts";

/**
 * `image copy --format` data: the target reference as regctl passes it
 * (`{{.CommonName}}`, `{{.Tag}}`, `{{.Digest}}` of the reference, `{{json .}}`),
 * plus methods for what the copy did.
 */
export class CopyResultView extends RefView {
  #r: CopyResult | undefined;
  #src = "";

  /**
   * Makes the view.
   * @param src the source reference
   * @param dst the target reference as given
   * @param r the copy's result
   * @param reference the target as typed (regctl's `.Reference`)
   * @returns the view
   */
  static forCopy(src: Ref, dst: Ref, r: CopyResult, reference?: string): CopyResultView {
    const v = CopyResultView.from(dst, reference);
    v.#r = r;
    v.#src = commonName(src);
    return v;
  }
  #result(): CopyResult {
    if (this.#r === undefined) throw new TypeError("copy result not set");
    return this.#r;
  }
  /** The source, as a common name. @returns the name */
  Source(): string {
    return this.#src;
  }
  /** Digest now at the target. @returns the digest */
  ManifestDigest(): string {
    return this.#result().digest;
  }
  /** Media type of the copied manifest. @returns the media type */
  MediaType(): string {
    return this.#result().mediaType;
  }
  /** Size of the copied manifest. @returns bytes */
  Size(): number {
    return this.#result().size;
  }
  /** Digest at the source (differs when --platforms filtered the index). @returns the digest */
  SourceDigest(): string {
    return this.#result().sourceDigest;
  }
  /** Whether --platforms filtered the index. @returns true when filtered */
  Filtered(): boolean {
    return this.#result().filtered;
  }
  /** Whether the target already had the image. @returns true when skipped */
  Skipped(): boolean {
    return this.#result().skipped;
  }
  /** Manifests written. @returns the count */
  Manifests(): number {
    return this.#result().manifests;
  }
  /** Blobs copied. @returns the count */
  Blobs(): number {
    return this.#result().blobs;
  }
  /** Blobs mounted. @returns the count */
  Mounted(): number {
    return this.#result().mounted;
  }
  /** Bytes copied. @returns the count */
  Bytes(): number {
    return this.#result().bytes;
  }
}

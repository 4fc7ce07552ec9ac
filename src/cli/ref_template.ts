/**
 * regclient's `ref.Ref` as template data with its methods: what `ocictl ref`
 * and `image copy --format` see (`{{.Registry}}`, `{{.CommonName}}`,
 * `{{(.SetTag "v2").CommonName}}`, …).
 *
 * @module
 */
import { GoRef } from "../gotypes/regclient_ref.ts";
import { addDigest, commonName, type Ref, withDigest, withTag } from "../types/ref.ts";

function _toReg(ref: Ref): Ref {
  if (ref.scheme === "reg") return ref;
  const parts: string[] = [];
  for (const p of ref.path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  const repository = parts.join("/").toLowerCase().replace(/[^/a-z0-9]+/g, "-");
  return { ...ref, scheme: "reg", registry: "localhost", repository };
}

/**
 * A reference with regclient's `ref.Ref` fields (in its order) and methods,
 * for `--format`; `{{.}}` and `{{json .}}` show it as Go does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RefView } from "./ref_template.ts";
 * import { parseRef } from "../types/ref.ts";
 * const v = RefView.from(parseRef("nginx"), "nginx");
 * assert.equal(v.Registry, "docker.io");
 * assert.equal(v.SetTag("v2").CommonName(), "docker.io/library/nginx:v2");
 * ```
 */
export class RefView extends GoRef {
  #ref: Ref = { scheme: "reg", registry: "", repository: "", path: "", tag: "", digest: "" };

  /**
   * Wraps a parsed reference.
   *
   * @param ref the reference
   * @param reference the text it was parsed from (default its common name)
   * @returns the view
   */
  static from<T extends RefView>(
    this: new () => T,
    ref: Ref,
    reference: string = commonName(ref),
  ): T {
    const v = new this();
    Object.assign(v, GoRef.of(ref, reference));
    v.#ref = ref;
    return v;
  }

  /** The common name. @returns `registry/repo:tag@digest` or `ocidir://path:tag` */
  override CommonName(): string {
    return commonName(this.#ref);
  }
  /** The reference with this tag and no digest. @param tag the tag @returns the new view */
  SetTag(tag: string): RefView {
    return RefView.from(withTag(this.#ref, tag));
  }
  /** The reference with this digest and no tag. @param digest the digest @returns the new view */
  SetDigest(digest: string): RefView {
    return RefView.from(withDigest(this.#ref, digest));
  }
  /** The reference with this digest added, tag kept. @param digest the digest @returns the new view */
  AddDigest(digest: string): RefView {
    return RefView.from(addDigest(this.#ref, digest));
  }
  /** A layout reference as regctl maps it to a registry (`localhost/<path>`). @returns the new view */
  ToReg(): RefView {
    return RefView.from(_toReg(this.#ref), this.Reference);
  }
  /** regctl's pretty form: the common name. @returns the name */
  marshalPretty(): string {
    return this.CommonName();
  }
}

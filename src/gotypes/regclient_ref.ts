/**
 * regclient's `ref.Ref` as a Go struct: what `artifact list` and
 * `artifact tree` templates and JSON show for a reference.
 *
 * @module
 */

import { commonName, type Ref } from "../types/ref.ts";
import { type GoField, GoStruct } from "./go_struct.ts";

const FIELDS: readonly GoField[] = [
  "Scheme",
  "Reference",
  "Registry",
  "Repository",
  "Tag",
  "Digest",
  "Path",
].map((name) => ({ name, json: name, type: "string" }));

/** regclient's reference struct (no JSON tags: JSON keys are the Go names). */
export class GoRef extends GoStruct {
  /** Field table (Go order). */
  static readonly goFields: readonly GoField[] = FIELDS;
  /** Go type name. */
  static readonly goName = "Ref";
  /** `reg`, `ocidir` or `ocifile` (empty for the zero value). */
  declare Scheme: string;
  /** The reference as given, or its common name after a change. */
  declare Reference: string;
  /** Registry host. */
  declare Registry: string;
  /** Repository. */
  declare Repository: string;
  /** Tag. */
  declare Tag: string;
  /** Digest. */
  declare Digest: string;
  /** Layout path (ocidir). */
  declare Path: string;

  /**
   * Makes the struct for one of our references.
   *
   * @param ref the reference
   * @param reference the text it was parsed from (default: its common name)
   * @returns the Go struct
   *
   * @example A digest reference
   * ```ts
   * import assert from "node:assert/strict";
   * import { GoRef } from "./regclient_ref.ts";
   * import { parseRef } from "../types/ref.ts";
   * const r = GoRef.of(parseRef("ocidir://x:v1"));
   * assert.equal(r.CommonName(), "ocidir://x:v1");
   * assert.equal(r.Path, "x");
   * ```
   */
  static of(ref: Ref, reference = commonName(ref)): GoRef {
    const r = new GoRef();
    r.Scheme = ref.scheme;
    r.Reference = reference;
    r.Registry = ref.registry;
    r.Repository = ref.repository;
    r.Tag = ref.tag;
    r.Digest = ref.digest;
    r.Path = ref.path;
    return r;
  }

  /**
   * regclient's `CommonName()`: `registry/repo:tag@digest` or
   * `ocidir://path:tag@digest`; empty without a repository.
   *
   * @returns the name
   */
  CommonName(): string {
    let out: string;
    if (this.Scheme === "reg") {
      if (this.Repository === "") return "";
      out = `${this.Registry === "" ? "" : this.Registry + "/"}${this.Repository}`;
    } else if (this.Scheme !== "" && this.Path !== "") {
      out = `${this.Scheme}://${this.Path}`;
    } else {
      return "";
    }
    if (this.Tag !== "") out += `:${this.Tag}`;
    if (this.Digest !== "") out += `@${this.Digest}`;
    return out;
  }

  /**
   * regclient's `IsSetRepo()`: a registry and repository, or a layout path.
   *
   * @returns true when a repository is named
   */
  IsSetRepo(): boolean {
    return this.Scheme === "reg"
      ? this.Registry !== "" && this.Repository !== ""
      : this.Scheme !== "" && this.Path !== "";
  }

  /**
   * regclient's `IsSet()`: a repository, and for a registry also a tag or a
   * digest.
   *
   * @returns true when set
   */
  IsSet(): boolean {
    if (!this.IsSetRepo()) return false;
    return this.Scheme !== "reg" || this.Tag !== "" || this.Digest !== "";
  }

  /**
   * regclient's `IsZero()`: every field but `Reference` empty.
   *
   * @returns true for the zero value
   */
  IsZero(): boolean {
    return [this.Scheme, this.Registry, this.Repository, this.Path, this.Tag, this.Digest]
      .every((v) => v === "");
  }
}

/**
 * Views of referrer queries for `--format`: regctl's `ReferrerList`
 * (`artifact list`) and its tree result (`artifact tree`), with Go field
 * names and regctl's human output.
 *
 * @module
 */
import type { Descriptor } from "../types/descriptor.ts";
import { encodeJson, type Manifest } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { commonName, type Ref, withDigest } from "../types/ref.ts";
import type { ReferrerQueryResult, ReferrerTreeNode } from "../ops/referrer_query.ts";
import { _tabwrite } from "./_tabwriter.ts";
import {
  type GoDescriptor,
  goDescriptor,
  type GoPlatform,
  goPlatform,
  platformString,
  prettyDescriptor,
} from "./go_descriptor.ts";
import { ManifestView } from "./manifest_view.ts";
import type { Formattable, RawHeaders } from "./output.ts";

/** A reference with Go field names (regclient's `ref.Ref`). */
export interface GoRef {
  /** `reg` or `ocidir`. */
  readonly Scheme: string;
  /** Registry host (empty for ocidir). */
  readonly Registry: string;
  /** Repository (empty for ocidir). */
  readonly Repository: string;
  /** Directory (ocidir only). */
  readonly Path: string;
  /** Tag, or empty. */
  readonly Tag: string;
  /** Digest, or empty. */
  readonly Digest: string;
  /** The common name. @returns `registry/repo:tag@digest` */
  CommonName(): string;
  /** Same as {@link CommonName}. @returns the common name */
  String(): string;
  /** JSON form: the common name. @returns the common name */
  toJSON(): string;
}

/**
 * Wraps a reference with Go field names.
 *
 * @param ref the reference
 * @returns the Go-named view
 * @throws never
 *
 * @example Common name
 * ```ts
 * import assert from "node:assert/strict";
 * import { goRef } from "./referrer_view.ts";
 * import { parseRef } from "../types/ref.ts";
 * assert.equal(goRef(parseRef("ocidir://x:v1")).CommonName(), "ocidir://x:v1");
 * ```
 */
export function goRef(ref: Ref): GoRef {
  const name = commonName(ref);
  return Object.freeze({
    Scheme: ref.scheme,
    Registry: ref.registry,
    Repository: ref.repository,
    Path: ref.path,
    Tag: ref.tag,
    Digest: ref.digest,
    CommonName: () => name,
    String: () => name,
    toJSON: () => name,
  });
}

/**
 * The result of `artifact list`: regctl's `ReferrerList`. `body` prints the
 * referrers index (what the referrers API returns).
 *
 * @example Pretty output
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReferrerListView } from "./referrer_view.ts";
 * import { parseRef } from "../types/ref.ts";
 * const digest = "sha256:" + "a".repeat(64);
 * const v = new ReferrerListView({
 *   subject: parseRef(`ocidir://x@${digest}`),
 *   subjectDescriptor: { mediaType: "application/vnd.oci.image.index.v1+json", digest, size: 2 },
 *   source: undefined,
 *   descriptors: [],
 *   tags: [],
 * });
 * assert.match(v.marshalPretty(), /^Subject: +ocidir:\/\/x@sha256:a+\n/);
 * ```
 */
export class ReferrerListView implements Formattable {
  #r: ReferrerQueryResult;
  #raw: Uint8Array;

  /**
   * Wraps a referrer query result for `--format` output.
   *
   * @param result what the query found
   */
  constructor(result: ReferrerQueryResult) {
    this.#r = result;
    this.#raw = encodeJson({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: result.descriptors,
    });
  }

  /** The subject. */
  get Subject(): GoRef {
    return goRef(this.#r.subject);
  }
  /** The external repository, when referrers were read from one. */
  get Source(): GoRef | undefined {
    return this.#r.source ? goRef(this.#r.source) : undefined;
  }
  /** The matching referrers. */
  get Descriptors(): GoDescriptor[] {
    return this.#r.descriptors.map(goDescriptor);
  }
  /** The subject's digest tags listed. */
  get Tags(): readonly string[] {
    return this.#r.tags;
  }
  /** The referrers index, as a manifest view (`.Manifest.RawBody`). */
  get Manifest(): ManifestView {
    const ref = this.#r.source
      ? withDigest(this.#r.source, this.#r.subjectDescriptor.digest)
      : this.#r.subject;
    const desc: Descriptor = {
      mediaType: MediaType.OCI_INDEX,
      digest: this.#r.subjectDescriptor.digest,
      size: this.#raw.byteLength,
    };
    return new ManifestView(ref, desc);
  }
  /** Tells whether any referrer matched. @returns true when the list is empty */
  IsEmpty(): boolean {
    return this.#r.descriptors.length === 0;
  }
  /** The referrers index bytes. @returns JSON bytes */
  RawBody(): Uint8Array {
    return this.#raw;
  }
  /** Headers a referrers API response would carry. @returns Content-Type */
  RawHeaders(): RawHeaders {
    return {
      "Content-Length": [String(this.#raw.byteLength)],
      "Content-Type": [MediaType.OCI_INDEX],
    };
  }
  /** JSON form with regctl's keys. @returns a JSON-serialisable value */
  toJSON(): unknown {
    return {
      subject: commonName(this.#r.subject),
      ...(this.#r.source ? { source: commonName(this.#r.source) } : {}),
      descriptors: this.#r.descriptors,
      annotations: {},
      ...(this.#r.tags.length > 0 ? { tags: this.#r.tags } : {}),
    };
  }

  /**
   * regctl's human output: `Subject:`, `Source:`, then `Referrers:` with one
   * block per descriptor, then `Tags:`.
   *
   * @returns tab-aligned text
   * @throws never
   */
  marshalPretty(): string {
    let s = `Subject:\t${commonName(this.#r.subject)}\n`;
    if (this.#r.source) s += `Source:\t${commonName(this.#r.source)}\n`;
    s += `\t\nReferrers:\t\n`;
    const base = this.#r.source ?? this.#r.subject;
    for (const d of this.#r.descriptors) {
      s += `\t\n  Name:\t${commonName(withDigest(base, d.digest))}\n`;
      s += prettyDescriptor(d, "  ");
    }
    if (this.#r.tags.length > 0) {
      s += `\t\nTags:\t\n`;
      for (const t of this.#r.tags) s += `  ${t}\n`;
    }
    return _tabwrite(s);
  }
}

/**
 * One node of `artifact tree` with Go field names: `.Ref`, `.Manifest`,
 * `.Platform`, `.ArtifactType`, `.Child`, `.Referrer`, `.Tags`.
 *
 * @example Pretty output of a lone manifest
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReferrerTreeView } from "./referrer_view.ts";
 * import { parseManifest } from "../types/manifest.ts";
 * import { parseRef } from "../types/ref.ts";
 * const m = parseManifest(new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * ));
 * const v = new ReferrerTreeView({
 *   ref: parseRef(`ocidir://x@${m.digest}`), manifest: m, platform: undefined,
 *   artifactType: undefined, children: [], referrers: [], tags: [],
 * });
 * assert.equal(v.marshalPretty(), `ocidir://x@${m.digest}\n`);
 * ```
 */
export class ReferrerTreeView implements Formattable {
  #n: ReferrerTreeNode;

  /**
   * Wraps a referrer tree node for `--format` output.
   *
   * @param node the tree node
   */
  constructor(node: ReferrerTreeNode) {
    this.#n = node;
  }

  /** The reference of this node. */
  get Ref(): GoRef {
    return goRef(this.#n.ref);
  }
  /** The manifest of this node. */
  get Manifest(): ManifestView {
    return ManifestView.fromManifest(this.#n.ref, this.#n.manifest as Manifest);
  }
  /** Platform of an index child. */
  get Platform(): GoPlatform | undefined {
    return this.#n.platform ? goPlatform(this.#n.platform) : undefined;
  }
  /** Artifact type, or empty. */
  get ArtifactType(): string {
    return this.#n.artifactType ?? "";
  }
  /** Children of an index. */
  get Child(): ReferrerTreeView[] {
    return this.#n.children.map((c) => new ReferrerTreeView(c));
  }
  /** Referrers. */
  get Referrer(): ReferrerTreeView[] {
    return this.#n.referrers.map((c) => new ReferrerTreeView(c));
  }
  /** Digest tags. */
  get Tags(): readonly string[] {
    return this.#n.tags;
  }
  /** The root manifest bytes. @returns the exact bytes */
  RawBody(): Uint8Array {
    return this.#n.manifest.raw;
  }
  /** JSON form with regctl's keys. @returns a JSON-serialisable value */
  toJSON(): unknown {
    return _treeJson(this.#n);
  }

  /**
   * regctl's indented tree.
   *
   * @returns the text
   * @throws never
   */
  marshalPretty(): string {
    return _treePretty(this.#n, "");
  }
}

function _treeJson(n: ReferrerTreeNode): unknown {
  return {
    reference: commonName(n.ref),
    manifest: n.manifest.json,
    ...(n.platform ? { platform: n.platform } : {}),
    ...(n.artifactType ? { artifactType: n.artifactType } : {}),
    ...(n.children.length > 0 ? { child: n.children.map(_treeJson) } : {}),
    ...(n.referrers.length > 0 ? { referrer: n.referrers.map(_treeJson) } : {}),
    ...(n.tags.length > 0 ? { tags: n.tags } : {}),
  };
}

function _treePretty(n: ReferrerTreeNode, indent: string): string {
  let s = commonName(n.ref);
  if (n.artifactType) s += `: ${n.artifactType}`;
  if (n.platform) s += ` [${platformString(n.platform)}]`;
  s += "\n";
  if (n.children.length > 0) {
    s += `${indent}Children:\n`;
    for (const c of n.children) s += `${indent}  - ` + _treePretty(c, indent + "    ");
  }
  if (n.referrers.length > 0) {
    s += `${indent}Referrers:\n`;
    for (const c of n.referrers) s += `${indent}  - ` + _treePretty(c, indent + "    ");
  }
  if (n.tags.length > 0) {
    s += `${indent}Tags:\n`;
    for (const t of n.tags) s += `${indent}  - ${t}\n`;
  }
  return s;
}

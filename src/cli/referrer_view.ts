/**
 * Views of referrer queries for `--format`: regctl's `ReferrerList`
 * (`artifact list`) and its tree result (`artifact tree`), with Go field
 * names and regctl's human output.
 *
 * @module
 */
import { GoRef } from "../gotypes/regclient_ref.ts";
import type { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import type { GoPlatform } from "../gotypes/oci_platform.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { encodeJson, type Manifest } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { commonName, type Ref, withDigest } from "../types/ref.ts";
import type { ReferrerQueryResult, ReferrerTreeNode } from "../ops/referrer_query.ts";
import { _tabwrite } from "./_tabwriter.ts";
import { goDescriptor, goPlatform, platformString, prettyDescriptor } from "./go_descriptor.ts";
import { ManifestView } from "./manifest_view.ts";
import type { Formattable, RawHeaders } from "./output.ts";

/**
 * Wraps a reference as regclient's `ref.Ref` struct.
 *
 * @param ref the reference
 * @returns the Go struct
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
  return GoRef.of(ref);
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

  /** The subject queried, by digest (regclient drops the tag). */
  get Subject(): GoRef {
    return goRef(this.#subject());
  }
  /** The external repository referrers were read from (the zero Ref when none). */
  get Source(): GoRef {
    return this.#r.source ? goRef(this.#r.source) : new GoRef();
  }
  /** Annotations of the referrers index (none for a query). */
  get Annotations(): Map<string, string> {
    return new Map();
  }

  #subject(): Ref {
    return withDigest(this.#r.subject, this.#r.subjectDescriptor.digest);
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
  /** JSON form of regclient's `ReferrerList`. @returns a JSON-serialisable value */
  toJSON(): unknown {
    return { subject: this.Subject, source: this.Source, descriptors: this.Descriptors };
  }

  /**
   * regctl's human output: `Subject:`, `Source:`, then `Referrers:` with one
   * block per descriptor.
   *
   * @returns tab-aligned text
   * @throws never
   */
  marshalPretty(): string {
    let s = `Subject:\t${commonName(this.#subject())}\n`;
    if (this.#r.source) s += `Source:\t${commonName(this.#r.source)}\n`;
    s += `\t\nReferrers:\t\n`;
    const base = this.#r.source ?? this.#r.subject;
    for (const d of this.#r.descriptors) {
      s += `\t\n  Name:\t${commonName(withDigest(base, d.digest))}\n`;
      s += prettyDescriptor(d, "  ");
    }
    return _tabwrite(s);
  }
}

/**
 * One node of `artifact tree`, as regctl's `treeResult`: `.Ref`, `.Manifest`,
 * `.Platform`, `.ArtifactType`, `.Child`, `.Referrer`, `.ReferrerSrc`.
 *
 * @example Pretty output of a lone manifest
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReferrerTreeView } from "./referrer_view.ts";
 * import { parseManifest } from "../types/manifest.ts";
 * import { parseRef } from "../types/ref.ts";
 * const m = await parseManifest(new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * ));
 * const v = new ReferrerTreeView({
 *   ref: parseRef(`ocidir://x@${m.digest}`), manifest: m, platform: undefined,
 *   artifactType: undefined, children: [], referrers: [], tags: [],
 * }, parseRef("ocidir://x:v1"));
 * assert.equal(v.marshalPretty(), `Ref: ocidir://x:v1\nDigest: ${m.digest}\n`);
 * ```
 */
export class ReferrerTreeView implements Formattable {
  #n: ReferrerTreeNode;
  #ref: Ref;

  /**
   * Wraps a referrer tree node for `--format` output.
   *
   * @param node the tree node
   * @param ref the reference as the user gave it (the root keeps its tag, as in regctl)
   */
  constructor(node: ReferrerTreeNode, ref: Ref = node.ref) {
    this.#n = node;
    this.#ref = ref;
  }

  /** The reference of this node. */
  get Ref(): GoRef {
    return goRef(this.#ref);
  }
  /** The manifest of this node. */
  get Manifest(): ManifestView {
    return ManifestView.fromManifest(this.#n.ref, this.#n.manifest as Manifest);
  }
  /** Platform of an index child (nil otherwise). */
  get Platform(): GoPlatform | null {
    return this.#n.platform ? goPlatform(this.#n.platform) : null;
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
  /** The external referrer source (regctl leaves it zero). */
  get ReferrerSrc(): GoRef {
    return new GoRef();
  }
  /** Digest tags. */
  get Tags(): readonly string[] {
    return this.#n.tags;
  }
  /** The root manifest bytes. @returns the exact bytes */
  RawBody(): Uint8Array {
    return this.#n.manifest.raw;
  }
  /** JSON form of regctl's `treeResult`. @returns a JSON-serialisable value */
  toJSON(): unknown {
    const n = this.#n;
    return {
      reference: this.Ref,
      manifest: n.manifest.json,
      ...(n.platform ? { platform: this.Platform } : {}),
      ...(n.artifactType ? { artifactType: n.artifactType } : {}),
      ...(n.children.length > 0 ? { child: this.Child } : {}),
      ...(n.referrers.length > 0 ? { referrer: this.Referrer } : {}),
      referrerSource: this.ReferrerSrc,
      ...(n.tags.length > 0 ? { tags: n.tags } : {}),
    };
  }

  /**
   * regctl's tree: `Ref:` and `Digest:` lines, then children and referrers
   * by digest, with platform and artifact type.
   *
   * @returns the text
   * @throws never
   */
  marshalPretty(): string {
    return `Ref: ${commonName(this.#ref)}\nDigest: ` + _treePretty(this.#n, "");
  }
}

function _treePretty(n: ReferrerTreeNode, indent: string): string {
  let s = n.manifest.digest;
  if (n.platform) s += ` [${platformString(n.platform)}]`;
  if (n.artifactType) s += `: ${n.artifactType}`;
  s += "\n";
  if (n.children.length > 0) {
    s += `${indent}Children:\n`;
    for (const c of n.children) s += `${indent}  - ` + _treePretty(c, indent + "    ");
  }
  if (n.referrers.length > 0 || n.tags.length > 0) {
    s += `${indent}Referrers:\n`;
    for (const c of n.referrers) s += `${indent}  - ` + _treePretty(c, indent + "    ");
    for (const t of n.tags) s += `${indent}  - ${t}\n`;
  }
  return s;
}

/**
 * The manifest as `--format` and regctl's human output see it: Go-named
 * fields (`.MediaType`, `.Manifests`, `.Layers`, …) and `marshalPretty()`.
 *
 * @module
 */
import type { Descriptor } from "../types/descriptor.ts";
import {
  artifactTypeOf,
  type ImageManifestJson,
  type IndexJson,
  isImage,
  isIndex,
  type Manifest,
  subjectOf,
} from "../types/manifest.ts";
import { isIndexMediaType, MediaType } from "../types/media_type.ts";
import { addDigest, commonName, type Ref } from "../types/ref.ts";
import { _tabwrite } from "./_tabwriter.ts";
import type { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import { goDescriptor, humanSize, prettyAnnotations, prettyDescriptor } from "./go_descriptor.ts";
import type { Formattable, RawHeaders } from "./output.ts";

/**
 * A manifest (or, after a HEAD, just its descriptor) with its reference.
 *
 * @example Pretty output of an image manifest
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManifestView } from "./manifest_view.ts";
 * import { parseManifest } from "../types/manifest.ts";
 * import { parseRef } from "../types/ref.ts";
 * const raw = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:" + "a".repeat(64), size: 2 },
 *   layers: [],
 * }));
 * const m = await parseManifest(raw);
 * const view = ManifestView.fromManifest(parseRef("ocidir://x:v1"), m);
 * assert.match(view.marshalPretty(), /^Name: +ocidir:\/\/x:v1\n/);
 * assert.equal(view.IsList(), false);
 * ```
 */
export class ManifestView implements Formattable {
  #ref: Ref;
  #desc: Descriptor;
  #manifest: Manifest | undefined;

  /**
   * Wraps a manifest (or only its descriptor after a HEAD) for `--format` output.
   *
   * @param ref the reference it was read from
   * @param desc its descriptor
   * @param manifest the parsed manifest, absent after a HEAD
   */
  constructor(ref: Ref, desc: Descriptor, manifest?: Manifest) {
    this.#ref = ref;
    this.#desc = desc;
    this.#manifest = manifest;
  }

  /**
   * Wraps a parsed manifest.
   *
   * @param ref the reference it was read from
   * @param m the manifest
   * @returns the view
   * @throws never
   */
  static fromManifest(ref: Ref, m: Manifest): ManifestView {
    const desc: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.size };
    return new ManifestView(ref, desc, m);
  }

  #json(): Partial<ImageManifestJson & IndexJson> {
    return (this.#manifest?.json ?? {}) as Partial<ImageManifestJson & IndexJson>;
  }

  /** The reference, as regctl's common name. */
  get Name(): string {
    return commonName(this.#ref);
  }
  /** Media type. */
  get MediaType(): string {
    return this.#desc.mediaType;
  }
  /** Digest. */
  get Digest(): string {
    return this.#desc.digest;
  }
  /** Size of the body in bytes. */
  get Size(): number {
    return this.#desc.size;
  }
  /** Artifact type, or empty. */
  get ArtifactType(): string {
    return (this.#manifest ? artifactTypeOf(this.#manifest) : this.#desc.artifactType) ?? "";
  }
  /** Annotations (an empty map when none). */
  get Annotations(): Map<string, string> {
    return new Map(Object.entries(this.#json().annotations ?? {}));
  }
  /** Child manifests of an index (empty otherwise). */
  get Manifests(): GoDescriptor[] {
    return (this.#json().manifests ?? []).map(goDescriptor);
  }
  /** Config descriptor of an image, when there is one. */
  get Config(): GoDescriptor | undefined {
    const c = this.#json().config;
    return c ? goDescriptor(c) : undefined;
  }
  /** Layers of an image (empty otherwise). */
  get Layers(): GoDescriptor[] {
    return (this.#json().layers ?? []).map(goDescriptor);
  }
  /** Subject (nil when there is none). */
  get Subject(): GoDescriptor | null {
    const s = this.#manifest ? subjectOf(this.#manifest) : undefined;
    return s ? goDescriptor(s) : null;
  }
  /** The descriptor. @returns the Go descriptor struct */
  GetDescriptor(): GoDescriptor {
    return goDescriptor(this.#desc);
  }
  /** Tells whether this is an index or manifest list. @returns true for lists */
  IsList(): boolean {
    return isIndexMediaType(this.#desc.mediaType);
  }
  /** Tells whether the body was read. @returns false after a HEAD */
  IsSet(): boolean {
    return this.#manifest !== undefined;
  }
  /** The exact bytes (empty after a HEAD). @returns the body */
  RawBody(): Uint8Array {
    return this.#manifest?.raw ?? new Uint8Array();
  }
  /** The headers a registry would send. @returns Content-Type, Docker-Content-Digest, Content-Length */
  RawHeaders(): RawHeaders {
    return {
      "Content-Length": [String(this.#desc.size)],
      "Content-Type": [this.#desc.mediaType],
      "Docker-Content-Digest": [this.#desc.digest],
    };
  }
  /** The manifest JSON (or the descriptor after a HEAD). @returns JSON value */
  toJSON(): unknown {
    return this.#manifest?.json ?? this.#desc;
  }

  /**
   * regctl's human output.
   *
   * @returns tab-aligned text ending with a newline
   * @throws never
   */
  marshalPretty(): string {
    const m = this.#manifest;
    let s = `Name:\t${this.Name}\nMediaType:\t${this.MediaType}\n`;
    if (this.ArtifactType) s += `ArtifactType:\t${this.ArtifactType}\n`;
    s += `Digest:\t${this.Digest}\n`;
    const ann = this.#json().annotations;
    if (ann && Object.keys(ann).length > 0) s += `Annotations:\t\n` + prettyAnnotations(ann, "");
    if (m && isIndex(m)) {
      s += `\t\nManifests:\t\n`;
      for (const d of m.json.manifests) {
        s += `\t\n  Name:\t${commonName(addDigest(this.#ref, d.digest))}\n`;
        s += prettyDescriptor(d, "  ");
      }
    } else if (m && isImage(m)) {
      const total = m.json.layers.reduce((n, d) => n + d.size, 0);
      s += `Total Size:\t${humanSize(total)}\n\t\nConfig:\t\n` +
        prettyDescriptor(m.json.config, "  ");
      s += `\t\nLayers:\t\n`;
      for (const d of m.json.layers) s += `\t\n` + prettyDescriptor(d, "  ");
    } else if (m && m.mediaType === MediaType.OCI_ARTIFACT) {
      const blobs = (m.json as unknown as { blobs?: Descriptor[] }).blobs ?? [];
      const total = blobs.reduce((n, d) => n + d.size, 0);
      s += `Total Size:\t${humanSize(total)}\n\t\nBlobs:\t\n`;
      for (const d of blobs) s += `\t\n` + prettyDescriptor(d, "  ");
    } else if (m) {
      const layers = (m.json as { fsLayers?: { blobSum: string }[] }).fsLayers ?? [];
      s += `\t\nLayers:\t\n`;
      for (const l of layers) s += `\t\n  Digest:\t${l.blobSum}\n`;
    }
    const subject = m ? subjectOf(m) : undefined;
    if (subject) s += `\t\nSubject:\t\n` + prettyDescriptor(subject, "  ");
    return _tabwrite(s);
  }
}

/**
 * Go-named views of descriptors and platforms, as regctl's `--format`
 * templates see them (`.MediaType`, `.Digest`, `.Platform.OS`, …).
 *
 * @module
 */
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { MediaType } from "../types/media_type.ts";

/** A platform with Go field names. */
export interface GoPlatform {
  /** CPU architecture. */
  readonly Architecture: string;
  /** Operating system. */
  readonly OS: string;
  /** OS version, or empty. */
  readonly OSVersion: string;
  /** OS features. */
  readonly OSFeatures: readonly string[];
  /** CPU variant, or empty. */
  readonly Variant: string;
  /** CPU features. */
  readonly Features: readonly string[];
  /** `os/arch[/variant]`, as Go's `String()`. @returns the platform string */
  String(): string;
  /** The OCI JSON form. @returns the platform object */
  toJSON(): Platform;
}

/** A descriptor with Go field names. */
export interface GoDescriptor {
  /** Media type. */
  readonly MediaType: string;
  /** Digest. */
  readonly Digest: string;
  /** Size in bytes. */
  readonly Size: number;
  /** URLs. */
  readonly URLs: readonly string[];
  /** Annotations. */
  readonly Annotations: Readonly<Record<string, string>>;
  /** Artifact type, or empty. */
  readonly ArtifactType: string;
  /** Platform, when set. */
  readonly Platform: GoPlatform | undefined;
  /** The OCI JSON form. @returns the descriptor object */
  toJSON(): Descriptor;
}

/**
 * Formats a platform as Go's `platform.String()`: `os/arch[/variant]`.
 *
 * @param p platform
 * @returns e.g. `linux/arm64/v8`
 * @throws never
 */
export function platformString(p: Platform): string {
  return [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join("/");
}

/**
 * Wraps a platform with Go field names.
 *
 * @param p platform
 * @returns the Go-named view
 * @throws never
 */
export function goPlatform(p: Platform): GoPlatform {
  return Object.freeze({
    Architecture: p.architecture,
    OS: p.os,
    OSVersion: p["os.version"] ?? "",
    OSFeatures: p["os.features"] ?? [],
    Variant: p.variant ?? "",
    Features: p.features ?? [],
    String: () => platformString(p),
    toJSON: () => p,
  });
}

/**
 * Wraps a descriptor with Go field names.
 *
 * @param d descriptor
 * @returns the Go-named view, whose JSON form is the descriptor
 * @throws never
 *
 * @example Field names
 * ```ts
 * import assert from "node:assert/strict";
 * import { goDescriptor } from "./go_descriptor.ts";
 * const d = goDescriptor({ mediaType: "application/octet-stream", digest: "sha256:" + "a".repeat(64), size: 3 });
 * assert.equal(d.Size, 3);
 * assert.equal(JSON.stringify(d), JSON.stringify(d.toJSON()));
 * ```
 */
export function goDescriptor(d: Descriptor): GoDescriptor {
  return Object.freeze({
    MediaType: d.mediaType,
    Digest: d.digest,
    Size: d.size,
    URLs: d.urls ?? [],
    Annotations: d.annotations ?? {},
    ArtifactType: d.artifactType ?? "",
    Platform: d.platform ? goPlatform(d.platform) : undefined,
    toJSON: () => d,
  });
}

const MANIFEST_TYPES: readonly string[] = [
  MediaType.DOCKER_SCHEMA1,
  MediaType.DOCKER_SCHEMA1_SIGNED,
  MediaType.DOCKER_MANIFEST,
  MediaType.DOCKER_MANIFEST_LIST,
  MediaType.OCI_MANIFEST,
  MediaType.OCI_INDEX,
];

/**
 * Formats a byte count as Docker's `units.HumanSize` (decimal units, 4
 * significant digits).
 *
 * @param size bytes
 * @returns e.g. `1.235MB`, `512B`
 * @throws never
 */
export function humanSize(size: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  let v = size;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/**
 * Writes a descriptor as regctl's `MarshalPrettyTW`: tab-separated lines for
 * the tabwriter, each starting with `prefix`.
 *
 * @param d descriptor
 * @param prefix indentation
 * @returns lines ending in `\n`
 * @throws never
 */
export function prettyDescriptor(d: Descriptor, prefix: string): string {
  let s = `${prefix}Digest:\t${d.digest}\n${prefix}MediaType:\t${d.mediaType}\n`;
  if (d.artifactType) s += `${prefix}ArtifactType:\t${d.artifactType}\n`;
  if (!MANIFEST_TYPES.includes(d.mediaType)) {
    s += `${prefix}Size:\t${d.size > 100000 ? humanSize(d.size) : `${d.size}B`}\n`;
  }
  const p = d.platform;
  if (p && p.os) {
    s += `${prefix}Platform:\t${platformString(p)}\n`;
    if (p["os.version"]) s += `${prefix}OSVersion:\t${p["os.version"]}\n`;
    if (p["os.features"]?.length) {
      s += `${prefix}OSFeatures:\t${p["os.features"].join(", ")}\n`;
    }
  }
  if (d.urls?.length) s += `${prefix}URLs:\t${d.urls.join(", ")}\n`;
  if (d.annotations) s += `${prefix}Annotations:\t\n` + prettyAnnotations(d.annotations, prefix);
  return s;
}

/**
 * Writes annotations sorted by key as `prefix  key:\tvalue` lines.
 *
 * @param annotations the map
 * @param prefix indentation before the two spaces
 * @returns lines ending in `\n`
 * @throws never
 */
export function prettyAnnotations(annotations: Record<string, string>, prefix: string): string {
  return Object.keys(annotations).sort().map((k) => `${prefix}  ${k}:\t${annotations[k]}\n`)
    .join("");
}

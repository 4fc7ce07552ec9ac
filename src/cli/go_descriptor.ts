/**
 * Go-named views of descriptors and platforms, as regctl's `--format`
 * templates see them (`.MediaType`, `.Digest`, `.Platform.OS`, …).
 *
 * @module
 */
import { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import { GoPlatform, goPlatformString } from "../gotypes/oci_platform.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { MediaType } from "../types/media_type.ts";

/**
 * Formats a platform as regclient's `platform.String()` (normalised, so
 * `linux/arm64/v8` prints `linux/arm64`).
 *
 * @param p platform
 * @returns e.g. `linux/arm64`
 * @throws never
 */
export function platformString(p: Platform): string {
  return goPlatformString(p);
}

/**
 * The Go struct regctl's templates see for a platform.
 *
 * @param p platform
 * @returns the Go struct (its `String()` is regclient's)
 * @throws never for a validated platform
 */
export function goPlatform(p: Platform): GoPlatform {
  return GoPlatform.fromJSON(p);
}

/**
 * The Go struct regctl's templates see for a descriptor: Go field names and
 * order, `%v` as Go prints it, JSON as Go marshals it.
 *
 * @param d descriptor
 * @returns the Go struct
 * @throws never for a validated descriptor
 *
 * @example Field names
 * ```ts
 * import assert from "node:assert/strict";
 * import { goDescriptor } from "./go_descriptor.ts";
 * const d = goDescriptor({ mediaType: "application/octet-stream", digest: "sha256:" + "a".repeat(64), size: 3 });
 * assert.equal(d.Size, 3);
 * assert.equal(d.Platform, null);
 * ```
 */
export function goDescriptor(d: Descriptor): GoDescriptor {
  return GoDescriptor.fromJSON(d);
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
 * Formats a byte count as regclient's `units.HumanSize`: decimal units with
 * three decimals (`%5.3f`).
 *
 * @param size bytes
 * @returns e.g. `1.235MB`, `385.000B`
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
  return `${v.toFixed(3).padStart(5)}${units[i]}`;
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
  if (d.annotations) {
    // regclient walks a Go map here (random order); the document's own order is the stable choice
    s += `${prefix}Annotations:\t\n`;
    for (const [k, v] of Object.entries(d.annotations)) s += `${prefix}  ${k}:\t${v}\n`;
  }
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

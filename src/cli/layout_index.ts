/**
 * A layout's index.json as regclient reads it, for the outputs where regctl
 * shows it: the tag listing of an `ocidir://` repository, and the index
 * entry (with its annotations) that `.GetDescriptor` of a manifest shows.
 *
 * @module
 */
import { marshalGoJson } from "../gotypes/go_json.ts";
import { GoOciIndex } from "../gotypes/oci_manifest.ts";
import type { Descriptor } from "../types/descriptor.ts";
import type { Ref } from "../types/ref.ts";

const REF_NAME = "org.opencontainers.image.ref.name";

/**
 * Reads `index.json` of an `ocidir://` reference into regclient's index struct.
 *
 * @param ref the reference
 * @param readFile reads a text file (`Deno.readTextFileSync` in the binary)
 * @returns the index, or undefined for other schemes or an unreadable file
 * @throws never
 */
export function readLayoutIndex(
  ref: Ref,
  readFile: ((path: string) => string) | undefined,
): GoOciIndex | undefined {
  if (ref.scheme !== "ocidir" || readFile === undefined) return undefined;
  try {
    return GoOciIndex.fromJSON(JSON.parse(readFile(`${ref.path}/index.json`)));
  } catch {
    return undefined;
  }
}

/**
 * Finds the index.json entry a layout reference resolves to (by digest, else
 * by its tag's ref.name), as regclient's ocidir descriptor for a manifest.
 *
 * @param ref the reference
 * @param digest the manifest's digest
 * @param readFile reads a text file
 * @returns the entry as a descriptor, or undefined when there is none
 * @throws never
 *
 * @example An entry with its ref.name
 * ```ts
 * import assert from "node:assert/strict";
 * import { layoutEntry } from "./layout_index.ts";
 * import { parseRef } from "../types/ref.ts";
 * const d = "sha256:" + "a".repeat(64);
 * const index = JSON.stringify({ schemaVersion: 2, manifests: [
 *   { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d, size: 2,
 *     annotations: { "org.opencontainers.image.ref.name": "v1" } },
 * ] });
 * const entry = layoutEntry(parseRef("ocidir://x:v1"), d, () => index);
 * assert.equal(entry?.annotations?.["org.opencontainers.image.ref.name"], "v1");
 * ```
 */
export function layoutEntry(
  ref: Ref,
  digest: string,
  readFile: ((path: string) => string) | undefined,
): Descriptor | undefined {
  const index = readLayoutIndex(ref, readFile);
  if (index === undefined) return undefined;
  const entries = index.Manifests.filter((m) => m.Digest === digest);
  const entry = ref.digest !== ""
    ? entries[0]
    : entries.find((m) => m.Annotations.get(REF_NAME) === (ref.tag === "" ? "latest" : ref.tag));
  return entry ? JSON.parse(marshalGoJson(entry)) as Descriptor : undefined;
}

/**
 * regclient's `descriptor.Descriptor` as a Go struct.
 *
 * @module
 */

import { type GoField, GoStruct } from "./go_struct.ts";
import { GoPlatform } from "./oci_platform.ts";

/** regclient's descriptor struct (with its unexported preferred digest algorithm). */
export class GoDescriptor extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    { name: "MediaType", json: "mediaType", type: "string" },
    { name: "Digest", json: "digest", type: "string" },
    { name: "Size", json: "size", type: "int" },
    { name: "URLs", json: "urls", type: { slice: "string" }, omit: "empty" },
    { name: "Annotations", json: "annotations", type: { map: "string" }, omit: "empty" },
    { name: "Data", json: "data", type: "bytes", omit: "empty" },
    { name: "Platform", json: "platform", type: { ptr: { struct: GoPlatform } }, omit: "empty" },
    { name: "ArtifactType", json: "artifactType", type: "string", omit: "empty" },
    { name: "digestAlgo", json: "", type: "string", unexported: true },
  ];
  /** Go type name. */
  static readonly goName = "Descriptor";
  /** Media type. */
  declare MediaType: string;
  /** Digest. */
  declare Digest: string;
  /** Size in bytes. */
  declare Size: number;
  /** Download URLs. */
  declare URLs: string[];
  /** Annotations. */
  declare Annotations: Map<string, string>;
  /** Embedded content. */
  declare Data: Uint8Array;
  /** Platform (index entries). */
  declare Platform: GoPlatform | null;
  /** Artifact type. */
  declare ArtifactType: string;
  /** Preferred digest algorithm (unexported). */
  declare digestAlgo: string;
}

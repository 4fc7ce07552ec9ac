/**
 * regclient's manifest structs (OCI image manifest and index, Docker schema2
 * manifest and manifest list) as Go structs, for re-marshalling manifests
 * byte for byte as regclient does.
 *
 * @module
 */

import { type GoField, GoStruct } from "./go_struct.ts";
import { GoDescriptor } from "./oci_descriptor.ts";

const DESCRIPTORS = { slice: { struct: GoDescriptor } } as const;
const SUBJECT = { ptr: { struct: GoDescriptor } } as const;
const ANNOTATIONS = { map: "string" } as const;
const SCHEMA: GoField = { name: "SchemaVersion", json: "schemaVersion", type: "int" };
const MEDIA_TYPE: GoField = { name: "MediaType", json: "mediaType", type: "string", omit: "empty" };
const ARTIFACT_TYPE: GoField = {
  name: "ArtifactType",
  json: "artifactType",
  type: "string",
  omit: "empty",
};

/** An OCI image manifest (`v1.Manifest`). */
export class GoOciManifest extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    SCHEMA,
    MEDIA_TYPE,
    ARTIFACT_TYPE,
    { name: "Config", json: "config", type: { struct: GoDescriptor } },
    { name: "Layers", json: "layers", type: DESCRIPTORS },
    { name: "Subject", json: "subject", type: SUBJECT, omit: "empty" },
    { name: "Annotations", json: "annotations", type: ANNOTATIONS, omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "Manifest";
  /** Schema version (2). */
  declare SchemaVersion: number;
  /** Media type. */
  declare MediaType: string;
  /** Artifact type. */
  declare ArtifactType: string;
  /** Config descriptor. */
  declare Config: GoDescriptor;
  /** Layers. */
  declare Layers: GoDescriptor[];
  /** Subject. */
  declare Subject: GoDescriptor | null;
  /** Annotations. */
  declare Annotations: Map<string, string>;
}

/** An OCI image index (`v1.Index`). */
export class GoOciIndex extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    SCHEMA,
    MEDIA_TYPE,
    ARTIFACT_TYPE,
    { name: "Manifests", json: "manifests", type: DESCRIPTORS },
    { name: "Subject", json: "subject", type: SUBJECT, omit: "empty" },
    { name: "Annotations", json: "annotations", type: ANNOTATIONS, omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "Index";
  /** Schema version (2). */
  declare SchemaVersion: number;
  /** Media type. */
  declare MediaType: string;
  /** Artifact type. */
  declare ArtifactType: string;
  /** Child manifests. */
  declare Manifests: GoDescriptor[];
  /** Subject. */
  declare Subject: GoDescriptor | null;
  /** Annotations. */
  declare Annotations: Map<string, string>;
}

/** A Docker schema2 image manifest (`schema2.Manifest`). */
export class GoDockerManifest extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    SCHEMA,
    MEDIA_TYPE,
    { name: "Config", json: "config", type: { struct: GoDescriptor } },
    { name: "Layers", json: "layers", type: DESCRIPTORS },
    { name: "Annotations", json: "annotations", type: ANNOTATIONS, omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "Manifest";
  /** Schema version (2). */
  declare SchemaVersion: number;
  /** Media type. */
  declare MediaType: string;
  /** Config descriptor. */
  declare Config: GoDescriptor;
  /** Layers. */
  declare Layers: GoDescriptor[];
  /** Annotations. */
  declare Annotations: Map<string, string>;
}

/** A Docker schema2 manifest list (`schema2.ManifestList`). */
export class GoDockerList extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    SCHEMA,
    MEDIA_TYPE,
    { name: "Manifests", json: "manifests", type: DESCRIPTORS },
    { name: "Annotations", json: "annotations", type: ANNOTATIONS, omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "ManifestList";
  /** Schema version (2). */
  declare SchemaVersion: number;
  /** Media type. */
  declare MediaType: string;
  /** Child manifests. */
  declare Manifests: GoDescriptor[];
  /** Annotations. */
  declare Annotations: Map<string, string>;
}

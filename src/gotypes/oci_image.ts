/**
 * regclient's image config (`v1.Image` and its parts) as Go structs: what
 * `image inspect --format` sees and what `image mod` re-marshals.
 *
 * @module
 */

import { GoEmptyStruct, type GoField, GoStruct } from "./go_struct.ts";
import type { GoTime } from "./go_time.ts";
import { GoPlatform } from "./oci_platform.ts";

const STRINGS = { slice: "string" } as const;
const SET = { map: "empty" } as const;

/** Docker's healthcheck settings (`HealthConfig`). */
export class GoHealthConfig extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    { name: "Test", json: "Test", type: STRINGS, omit: "empty" },
    { name: "Interval", json: "Interval", type: "int", omit: "empty" },
    { name: "Timeout", json: "Timeout", type: "int", omit: "empty" },
    { name: "StartPeriod", json: "StartPeriod", type: "int", omit: "empty" },
    { name: "Retries", json: "Retries", type: "int", omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "HealthConfig";
  /** The test command. */
  declare Test: string[];
  /** Interval in nanoseconds. */
  declare Interval: number;
  /** Timeout in nanoseconds. */
  declare Timeout: number;
  /** Start period in nanoseconds. */
  declare StartPeriod: number;
  /** Retries. */
  declare Retries: number;
}

/** The runtime settings of an image (`ImageConfig`, the config's `config`). */
export class GoImageConfig extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    { name: "User", json: "User", type: "string", omit: "empty" },
    { name: "ExposedPorts", json: "ExposedPorts", type: SET, omit: "empty" },
    { name: "Env", json: "Env", type: STRINGS, omit: "empty" },
    { name: "Entrypoint", json: "Entrypoint", type: STRINGS, omit: "empty" },
    { name: "Cmd", json: "Cmd", type: STRINGS, omit: "empty" },
    { name: "Volumes", json: "Volumes", type: SET, omit: "empty" },
    { name: "WorkingDir", json: "WorkingDir", type: "string", omit: "empty" },
    { name: "Labels", json: "Labels", type: { map: "string" }, omit: "empty" },
    { name: "StopSignal", json: "StopSignal", type: "string", omit: "empty" },
    { name: "StopTimeout", json: "StopTimeout", type: { ptr: "int" }, omit: "empty" },
    { name: "ArgsEscaped", json: "ArgsEscaped", type: "bool", omit: "empty" },
    {
      name: "Healthcheck",
      json: "Healthcheck",
      type: { ptr: { struct: GoHealthConfig } },
      omit: "empty",
    },
    { name: "OnBuild", json: "OnBuild", type: STRINGS, omit: "empty" },
    { name: "Shell", json: "Shell", type: STRINGS, omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "ImageConfig";
  /** User. */
  declare User: string;
  /** Exposed ports (a set). */
  declare ExposedPorts: Map<string, GoEmptyStruct>;
  /** Environment. */
  declare Env: string[];
  /** Entrypoint. */
  declare Entrypoint: string[];
  /** Command. */
  declare Cmd: string[];
  /** Volumes (a set). */
  declare Volumes: Map<string, GoEmptyStruct>;
  /** Working directory. */
  declare WorkingDir: string;
  /** Labels. */
  declare Labels: Map<string, string>;
  /** Stop signal. */
  declare StopSignal: string;
  /** Stop timeout in seconds. */
  declare StopTimeout: number | null;
  /** Docker's ArgsEscaped. */
  declare ArgsEscaped: boolean;
  /** Healthcheck. */
  declare Healthcheck: GoHealthConfig | null;
  /** ONBUILD steps. */
  declare OnBuild: string[];
  /** Shell. */
  declare Shell: string[];
}

/** The layer list of an image (`RootFS`). */
export class GoRootFS extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    { name: "Type", json: "type", type: "string" },
    { name: "DiffIDs", json: "diff_ids", type: STRINGS },
  ];
  /** Go type name. */
  static readonly goName = "RootFS";
  /** Always `layers`. */
  declare Type: string;
  /** Uncompressed layer digests, bottom first. */
  declare DiffIDs: string[];
}

/** One history entry (`History`). */
export class GoHistory extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    { name: "Created", json: "created", type: { ptr: "time" }, omit: "empty" },
    { name: "CreatedBy", json: "created_by", type: "string", omit: "empty" },
    { name: "Author", json: "author", type: "string", omit: "empty" },
    { name: "Comment", json: "comment", type: "string", omit: "empty" },
    { name: "EmptyLayer", json: "empty_layer", type: "bool", omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "History";
  /** Creation time. */
  declare Created: GoTime | null;
  /** The command that made the layer. */
  declare CreatedBy: string;
  /** Author. */
  declare Author: string;
  /** Comment. */
  declare Comment: string;
  /** Whether the step made no layer. */
  declare EmptyLayer: boolean;
}

/** An image config (`v1.Image`), with the platform embedded as in Go. */
export class GoImage extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    { name: "Created", json: "created", type: { ptr: "time" }, omit: "empty" },
    { name: "Author", json: "author", type: "string", omit: "empty" },
    { name: "Platform", json: "", type: { struct: GoPlatform }, inline: true },
    { name: "Config", json: "config", type: { struct: GoImageConfig }, omit: "zero" },
    { name: "RootFS", json: "rootfs", type: { struct: GoRootFS } },
    { name: "History", json: "history", type: { slice: { struct: GoHistory } }, omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "Image";
  /** Creation time. */
  declare Created: GoTime | null;
  /** Author. */
  declare Author: string;
  /** The embedded platform (its fields are promoted: `.Architecture`, `.OS`, …). */
  declare Platform: GoPlatform;
  /** Runtime settings. */
  declare Config: GoImageConfig;
  /** Layer list. */
  declare RootFS: GoRootFS;
  /** History. */
  declare History: GoHistory[];

  /** Promoted from the embedded platform. */
  get Architecture(): string {
    return this.Platform.Architecture;
  }
  /** Promoted from the embedded platform. */
  get OS(): string {
    return this.Platform.OS;
  }
  /** Promoted from the embedded platform. */
  get OSVersion(): string {
    return this.Platform.OSVersion;
  }
  /** Promoted from the embedded platform. */
  get OSFeatures(): string[] {
    return this.Platform.OSFeatures;
  }
  /** Promoted from the embedded platform. */
  get Variant(): string {
    return this.Platform.Variant;
  }
  /** Promoted from the embedded platform. */
  get Features(): string[] {
    return this.Platform.Features;
  }
}

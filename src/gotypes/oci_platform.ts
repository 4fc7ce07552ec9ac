/**
 * regclient's `platform.Platform` as a Go struct, with its `String()`.
 *
 * @module
 */

import type { Platform } from "../types/descriptor.ts";
import { type GoField, GoStruct } from "./go_struct.ts";

const STRINGS = { slice: "string" } as const;

/**
 * The platform text regclient prints (`platform.String()`): OS, architecture
 * and variant normalised the way regclient does (arm64 `v8` and amd64 `v1`
 * are the defaults and left out, `aarch64` is `arm64`, arm defaults to `v7`),
 * empty parts dropped, `unknown` without an OS.
 *
 * @param p the platform (JSON form)
 * @returns e.g. `linux/arm64`, `linux/arm/v7`
 *
 * @example arm64/v8 prints without its default variant
 * ```ts
 * import assert from "node:assert/strict";
 * import { goPlatformString } from "./oci_platform.ts";
 * assert.equal(goPlatformString({ os: "linux", architecture: "arm64", variant: "v8" }), "linux/arm64");
 * assert.equal(goPlatformString({ os: "linux", architecture: "arm" }), "linux/arm/v7");
 * ```
 */
export function goPlatformString(p: Pick<Platform, "os" | "architecture" | "variant">): string {
  let os = p.os;
  let arch = p.architecture;
  let variant = p.variant ?? "";
  if (os === "macos") os = "darwin";
  switch (arch) {
    case "i386":
      arch = "386";
      variant = "";
      break;
    case "x86_64":
    case "x86-64":
    case "amd64":
      arch = "amd64";
      if (variant === "v1") variant = "";
      break;
    case "aarch64":
    case "arm64":
      arch = "arm64";
      if (variant === "8" || variant === "v8") variant = "";
      break;
    case "armhf":
      arch = "arm";
      variant = "v7";
      break;
    case "armel":
      arch = "arm";
      variant = "v6";
      break;
    case "arm":
      if (variant === "" || variant === "7") variant = "v7";
      else if (variant === "5" || variant === "6" || variant === "8") variant = `v${variant}`;
      break;
  }
  if (os === "") return "unknown";
  return [os, arch, variant].filter((s) => s !== "").join("/");
}

/** regclient's platform struct. */
export class GoPlatform extends GoStruct {
  /** Field table (Go order, JSON tags). */
  static readonly goFields: readonly GoField[] = [
    { name: "Architecture", json: "architecture", type: "string" },
    { name: "OS", json: "os", type: "string" },
    { name: "OSVersion", json: "os.version", type: "string", omit: "empty" },
    { name: "OSFeatures", json: "os.features", type: STRINGS, omit: "empty" },
    { name: "Variant", json: "variant", type: "string", omit: "empty" },
    { name: "Features", json: "features", type: STRINGS, omit: "empty" },
  ];
  /** Go type name. */
  static readonly goName = "Platform";
  /** CPU architecture. */
  declare Architecture: string;
  /** Operating system. */
  declare OS: string;
  /** OS version. */
  declare OSVersion: string;
  /** OS features. */
  declare OSFeatures: string[];
  /** CPU variant. */
  declare Variant: string;
  /** CPU features. */
  declare Features: string[];

  /**
   * regclient's `String()`: normalised `os/arch[/variant]`.
   *
   * @returns the platform text
   */
  String(): string {
    return goPlatformString({
      os: this.OS,
      architecture: this.Architecture,
      variant: this.Variant,
    });
  }
}

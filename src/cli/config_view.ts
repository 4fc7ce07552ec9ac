/**
 * An image config as `image inspect` prints it: pretty JSON by default,
 * Go-named fields for `--format`.
 *
 * @module
 */
import type { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import type { GoTime } from "../gotypes/go_time.ts";
import { GoHistory, GoImage, GoImageConfig, GoRootFS } from "../gotypes/oci_image.ts";
import type { GoPlatform } from "../gotypes/oci_platform.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { goDescriptor } from "./go_descriptor.ts";
import type { ImageConfigJson } from "../types/manifest.ts";
import type { Formattable, RawHeaders } from "./output.ts";

/**
 * An image config with its exact bytes.
 *
 * @example Pretty JSON
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigView } from "./config_view.ts";
 * const raw = new TextEncoder().encode('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
 * const v = new ConfigView({ mediaType: "application/vnd.oci.image.config.v1+json", digest: "sha256:" + "a".repeat(64), size: raw.byteLength }, raw);
 * assert.equal(v.Architecture, "amd64");
 * assert.ok(v.marshalPretty().startsWith("{\n"));
 * ```
 */
export class ConfigView implements Formattable {
  #desc: Descriptor;
  #raw: Uint8Array;
  #json: ImageConfigJson;
  #image: GoImage;

  /**
   * Parses an image config for `--format` output, keeping its exact bytes.
   *
   * @param desc the config's descriptor
   * @param raw its exact bytes (valid JSON object)
   * @throws {SyntaxError} when the bytes are not JSON
   * @throws {ManifestInvalidError} when a field has the wrong JSON type
   */
  constructor(desc: Descriptor, raw: Uint8Array) {
    this.#desc = desc;
    this.#raw = raw;
    this.#json = JSON.parse(new TextDecoder().decode(raw)) as ImageConfigJson;
    this.#image = GoImage.fromJSON(this.#json);
  }

  /** Creation time (nil when the config has none). */
  get Created(): GoTime | null {
    return this.#image.Created;
  }
  /** Author, or empty. */
  get Author(): string {
    return this.#image.Author;
  }
  /** The platform, embedded in Go (prints as `linux/amd64`). */
  get Platform(): GoPlatform {
    return this.#image.Platform;
  }
  /** Architecture. */
  get Architecture(): string {
    return this.#image.Architecture;
  }
  /** OS. */
  get OS(): string {
    return this.#image.OS;
  }
  /** OS version, or empty. */
  get OSVersion(): string {
    return this.#image.OSVersion;
  }
  /** OS features. */
  get OSFeatures(): string[] {
    return this.#image.OSFeatures;
  }
  /** Variant, or empty. */
  get Variant(): string {
    return this.#image.Variant;
  }
  /** CPU features. */
  get Features(): string[] {
    return this.#image.Features;
  }
  /** Runtime settings (Go's `ImageConfig`). */
  get Config(): GoImageConfig {
    return this.#image.Config;
  }
  /** Root file system. */
  get RootFS(): GoRootFS {
    return this.#image.RootFS;
  }
  /** History entries. */
  get History(): GoHistory[] {
    return this.#image.History;
  }
  /** The config as Go's `v1.Image`. @returns the Go struct */
  GetConfig(): GoImage {
    return this.#image;
  }
  /** The config's descriptor. @returns the Go descriptor struct */
  GetDescriptor(): GoDescriptor {
    return goDescriptor(this.#desc);
  }
  /** The exact bytes. @returns the body */
  RawBody(): Uint8Array {
    return this.#raw;
  }
  /** Blob headers. @returns Content-Length, Content-Type, Docker-Content-Digest */
  RawHeaders(): RawHeaders {
    return {
      "Content-Length": [String(this.#desc.size)],
      "Content-Type": [this.#desc.mediaType],
      "Docker-Content-Digest": [this.#desc.digest],
    };
  }
  /** The config JSON. @returns JSON value */
  toJSON(): ImageConfigJson {
    return this.#json;
  }
  /** Pretty JSON with a final newline. @returns the text */
  marshalPretty(): string {
    return JSON.stringify(this.#json, null, 2) + "\n";
  }
}

/**
 * An image config as `image inspect` prints it: pretty JSON by default,
 * Go-named fields for `--format`.
 *
 * @module
 */
import type { Descriptor } from "../types/descriptor.ts";
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

  /**
   * Parses an image config for `--format` output, keeping its exact bytes.
   *
   * @param desc the config's descriptor
   * @param raw its exact bytes (valid JSON object)
   * @throws {SyntaxError} when the bytes are not JSON
   */
  constructor(desc: Descriptor, raw: Uint8Array) {
    this.#desc = desc;
    this.#raw = raw;
    this.#json = JSON.parse(new TextDecoder().decode(raw)) as ImageConfigJson;
  }

  /** Creation time, or empty. */
  get Created(): string {
    return this.#json.created ?? "";
  }
  /** Author, or empty. */
  get Author(): string {
    return this.#json.author ?? "";
  }
  /** Architecture. */
  get Architecture(): string {
    return this.#json.architecture;
  }
  /** OS. */
  get OS(): string {
    return this.#json.os;
  }
  /** Variant, or empty. */
  get Variant(): string {
    return this.#json.variant ?? "";
  }
  /** Runtime config (`Env`, `Cmd`, `Labels`, … as in the JSON). */
  get Config(): Record<string, unknown> {
    return this.#json.config ?? {};
  }
  /** Root file system. */
  get RootFS(): { Type: string; DiffIDs: string[] } {
    return { Type: this.#json.rootfs?.type ?? "", DiffIDs: this.#json.rootfs?.diff_ids ?? [] };
  }
  /** History entries as in the JSON. */
  get History(): Record<string, unknown>[] {
    return this.#json.history ?? [];
  }
  /** The config's descriptor. @returns the descriptor */
  GetDescriptor(): Descriptor {
    return this.#desc;
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

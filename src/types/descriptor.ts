/**
 * Descriptors and platforms as defined by the OCI image spec.
 *
 * @module
 */
import { ManifestInvalidError } from "../errors.ts";
import { isDigest } from "./digest.ts";

/** A platform object as found in index entries and image configs. */
export interface Platform {
  /** CPU architecture (GOARCH), e.g. `amd64`. */
  architecture: string;
  /** Operating system (GOOS), e.g. `linux`. */
  os: string;
  /** OS version, e.g. `10.0.14393.1066`. */
  "os.version"?: string;
  /** OS features. */
  "os.features"?: string[];
  /** CPU variant, e.g. `v8`. */
  variant?: string;
  /** Reserved CPU features. */
  features?: string[];
}

/** A content descriptor. */
export interface Descriptor {
  /** Media type of the referenced content. */
  mediaType: string;
  /** Digest of the referenced content. */
  digest: string;
  /** Size in bytes. */
  size: number;
  /** Alternative download URLs. */
  urls?: string[];
  /** Annotations. */
  annotations?: Record<string, string>;
  /** Embedded base64 content. */
  data?: string;
  /** Artifact type of the referenced manifest. */
  artifactType?: string;
  /** Platform (index entries only). */
  platform?: Platform;
}

const MEDIA_TYPE_REGEXP =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/**
 * Tells whether a string is a well-formed media type.
 *
 * @param value candidate
 * @returns true when it matches RFC 6838's shape
 */
export function isMediaType(value: unknown): value is string {
  return typeof value === "string" && MEDIA_TYPE_REGEXP.test(value);
}

/**
 * Validates an unknown JSON value as a descriptor.
 *
 * @param value parsed JSON
 * @param where path used in error messages, e.g. `layers[0]`
 * @returns the same value typed as {@link Descriptor}
 * @throws {ManifestInvalidError} when a field is missing or malformed
 */
export function validateDescriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ManifestInvalidError(`Cannot parse descriptor ${where}: not an object`);
  }
  const d = value as Record<string, unknown>;
  if (!isMediaType(d.mediaType)) {
    throw new ManifestInvalidError(`Cannot parse descriptor ${where}: invalid mediaType`);
  }
  if (typeof d.digest !== "string" || !isDigest(d.digest)) {
    throw new ManifestInvalidError(
      `Cannot parse descriptor ${where}: invalid digest "${String(d.digest)}"`,
    );
  }
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new ManifestInvalidError(`Cannot parse descriptor ${where}: invalid size`);
  }
  if (d.annotations !== undefined && d.annotations !== null) {
    if (typeof d.annotations !== "object" || Array.isArray(d.annotations)) {
      throw new ManifestInvalidError(
        `Cannot parse descriptor ${where}: annotations must be an object`,
      );
    }
    for (const v of Object.values(d.annotations as Record<string, unknown>)) {
      if (typeof v !== "string") {
        throw new ManifestInvalidError(
          `Cannot parse descriptor ${where}: annotation values must be strings`,
        );
      }
    }
  }
  if (d.platform !== undefined && d.platform !== null) {
    const p = d.platform as Record<string, unknown>;
    if (typeof p !== "object" || typeof p.os !== "string" || typeof p.architecture !== "string") {
      throw new ManifestInvalidError(
        `Cannot parse descriptor ${where}: platform needs "os" and "architecture"`,
      );
    }
  }
  return value as Descriptor;
}

/**
 * References: registry references (`docker.io/library/alpine:latest`) and
 * OCI layout references (`ocidir://path:tag`), parsed with regctl's rules.
 *
 * @module
 */
import { InvalidReferenceError } from "../errors.ts";

/** Schemes ocictl knows. */
export type RefScheme = "reg" | "ocidir";

/** A parsed reference. Treat as an immutable value. */
export interface Ref {
  /** `reg` for registries, `ocidir` for OCI layout directories. */
  readonly scheme: RefScheme;
  /** Registry host (`docker.io`, `localhost:5000`); empty for ocidir. */
  readonly registry: string;
  /** Repository path (`library/alpine`); empty for ocidir. */
  readonly repository: string;
  /** Directory of an ocidir reference; empty for registries. */
  readonly path: string;
  /** Tag; empty when none. */
  readonly tag: string;
  /** Digest; empty when none. */
  readonly digest: string;
}

/**
 * Parses a reference.
 *
 * @param input reference string
 * @returns the parsed reference (tag defaults to `latest` when there is neither tag nor digest)
 * @throws {InvalidReferenceError} when the string is malformed
 */
export function parseRef(input: string): Ref {
  throw new InvalidReferenceError(input, "not implemented");
}

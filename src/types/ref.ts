/**
 * References: registry references (`docker.io/library/alpine:latest`) and
 * OCI layout references (`ocidir://path:tag`), parsed with regctl's rules.
 *
 * @module
 */
import { InvalidDigestError, InvalidReferenceError, UnknownSchemeError } from "../errors.ts";
import { parseDigest } from "./digest.ts";

/** Schemes ocictl knows. */
export type RefScheme = "reg" | "ocidir" | "ocifile";

/** A parsed reference. Treat as an immutable value. */
export interface Ref {
  /** `reg` for registries, `ocidir` for OCI layout directories, `ocifile` for OCI layout tar files. */
  readonly scheme: RefScheme;
  /** Registry host (`docker.io`, `localhost:5000`); empty for ocidir. */
  readonly registry: string;
  /** Repository path (`library/alpine`); empty for ocidir. */
  readonly repository: string;
  /** Directory of an ocidir reference (tar file of an ocifile one); empty for registries. */
  readonly path: string;
  /** Tag; empty when none. */
  readonly tag: string;
  /** Digest; empty when none. */
  readonly digest: string;
}

const DOCKER_REGISTRY = "docker.io";
const DOCKER_ALIASES: ReadonlySet<string> = new Set([
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
]);
const DOCKER_LIBRARY = "library";
const NAME_MAX = 255;
const SCHEME_REGEXP = /^([a-z][a-z0-9+.-]*):\/\//;
const REPO_PART_REGEXP = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_REGEXP = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const HOST_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?";
const HOST_NAME_REGEXP = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);
const IPV6_REGEXP = /^\[[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]$/;
const PORT_REGEXP = /^[0-9]{1,5}$/;
const OCIDIR_PATH_REGEXP = /^[/a-zA-Z0-9_. -]+$/;

/**
 * Parses a reference: a registry reference (`[host[:port]/]repo[:tag][@digest]`)
 * or an OCI layout reference (`ocidir://path[:tag][@digest]`, or `ocifile://file.tar[:tag][@digest]`
 * for a layout inside a tar file).
 *
 * Docker Hub names are normalised (`alpine` → `docker.io/library/alpine`),
 * and a reference with neither tag nor digest gets the tag `latest`. A tag
 * and a digest given together are both kept; the digest wins for fetches.
 *
 * @param input reference string
 * @returns the parsed reference (tag defaults to `latest` when there is neither tag nor digest)
 * @throws {InvalidReferenceError} when the string is malformed
 * @throws {UnknownSchemeError} when the string has a scheme other than `ocidir://` or `ocifile://`
 *
 * @example Parse a Docker Hub short name
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef } from "./ref.ts";
 * const ref = parseRef("alpine");
 * assert.equal(ref.registry, "docker.io");
 * assert.equal(ref.repository, "library/alpine");
 * assert.equal(ref.tag, "latest");
 * ```
 *
 * @example Parse an OCI layout reference
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef } from "./ref.ts";
 * const ref = parseRef("ocidir://out/layout:v1");
 * assert.equal(ref.scheme, "ocidir");
 * assert.equal(ref.path, "out/layout");
 * assert.equal(ref.tag, "v1");
 * ```
 */
export function parseRef(input: string): Ref {
  if (input === "") {
    throw new InvalidReferenceError(input, "the reference is empty (use e.g. alpine:latest)");
  }
  const scheme = SCHEME_REGEXP.exec(input);
  if (scheme !== null) {
    const name = scheme[1] ?? "";
    if (name !== "ocidir" && name !== "ocifile") {
      throw new UnknownSchemeError(input, name);
    }
    return _parseOcidir(input, input.slice(scheme[0].length), name);
  }
  return _parseRegistryRef(input);
}

/**
 * Parses the part of a registry reference after any scheme.
 *
 * @param input the whole reference
 * @returns the parsed reference
 * @throws {InvalidReferenceError} when malformed
 */
function _parseRegistryRef(input: string): Ref {
  const { name, tag, digest } = _splitTagDigest(input, input);
  const segments = name.split("/");
  let registry = "";
  const first = segments[0] ?? "";
  if (segments.length > 1 && _looksLikeRegistry(first)) {
    if (!_isHost(first)) {
      throw new InvalidReferenceError(
        input,
        `"${first}" is not a valid registry host (use host[:port]/repository)`,
      );
    }
    registry = first;
    segments.shift();
  } else if (segments.length === 1 && first === "localhost") {
    throw new InvalidReferenceError(
      input,
      "the repository is missing (use localhost[:port]/repository)",
    );
  }
  for (const part of segments) {
    if (part === "") {
      throw new InvalidReferenceError(
        input,
        "the repository has an empty path component (check for doubled or trailing slashes)",
      );
    }
    if (!REPO_PART_REGEXP.test(part)) {
      if (REPO_PART_REGEXP.test(part.toLowerCase())) {
        throw new InvalidReferenceError(input, "repository must be lowercase");
      }
      throw new InvalidReferenceError(
        input,
        `"${part}" is not a valid repository component (use lowercase letters, digits and . _ -)`,
      );
    }
  }
  if (registry === "" || DOCKER_ALIASES.has(registry)) {
    registry = DOCKER_REGISTRY;
  }
  let repository = segments.join("/");
  if (registry === DOCKER_REGISTRY && segments.length === 1) {
    repository = `${DOCKER_LIBRARY}/${repository}`;
  }
  if (registry.length + 1 + repository.length > NAME_MAX) {
    throw new InvalidReferenceError(
      input,
      `the name is longer than ${NAME_MAX} characters (use a shorter repository)`,
    );
  }
  return {
    scheme: "reg",
    registry,
    repository,
    path: "",
    tag: tag === "" && digest === "" ? "latest" : tag,
    digest,
  };
}

/**
 * Parses the part of an ocidir reference after `ocidir://`.
 *
 * @param input the whole reference
 * @param rest the text after the scheme
 * @param scheme `ocidir`, or `ocifile` (same path rules, the path names a tar file)
 * @returns the parsed reference
 * @throws {InvalidReferenceError} when malformed
 */
function _parseOcidir(input: string, rest: string, scheme: "ocidir" | "ocifile" = "ocidir"): Ref {
  const split = _splitTagDigest(input, rest);
  const { tag, digest } = split;
  // Shell completion adds a trailing slash to directories; regctl accepts it.
  const name = split.name.length > 1 ? split.name.replace(/\/+$/, "") : split.name;
  if (name === "") {
    throw new InvalidReferenceError(input, `the path is empty (use ${scheme}://path[:tag])`);
  }
  if (!OCIDIR_PATH_REGEXP.test(name)) {
    throw new InvalidReferenceError(
      input,
      `the path "${name}" has unsupported characters (use letters, digits, space and / _ . -)`,
    );
  }
  if (name.trim() !== name) {
    throw new InvalidReferenceError(input, "the path starts or ends with whitespace");
  }
  if (name.includes("//")) {
    throw new InvalidReferenceError(input, "the path has doubled slashes");
  }
  return {
    scheme,
    registry: "",
    repository: "",
    path: name,
    tag: tag === "" && digest === "" ? "latest" : tag,
    digest,
  };
}

/**
 * Splits `name[:tag][@digest]`, validating the tag and the digest. The tag is
 * what follows the last `:` after the last `/` (so `host:5000/repo` has none).
 *
 * @param input the whole reference, for error messages
 * @param text the text to split
 * @returns the name, tag and digest (empty strings when absent)
 * @throws {InvalidReferenceError} when the tag or digest is malformed
 */
function _splitTagDigest(
  input: string,
  text: string,
): { name: string; tag: string; digest: string } {
  let name = text;
  let digest = "";
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    try {
      parseDigest(digest);
    } catch (err) {
      throw new InvalidReferenceError(
        input,
        `"${digest}" is not a valid digest (use sha256:<64 hex> or sha512:<128 hex>)`,
        { cause: err },
      );
    }
  }
  let tag = "";
  const colon = name.lastIndexOf(":");
  if (colon >= 0 && colon > name.lastIndexOf("/")) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG_REGEXP.test(tag)) {
      throw new InvalidReferenceError(
        input,
        `"${tag}" is not a valid tag (use up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)`,
      );
    }
  }
  return { name, tag, digest };
}

/**
 * Tells whether the first path segment names a registry (regctl's rule).
 *
 * @param segment first path segment
 * @returns true when it contains `.` or `:`, is `localhost`, is an IPv6 literal, or has uppercase
 */
function _looksLikeRegistry(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost" ||
    segment.startsWith("[") || /[A-Z]/.test(segment);
}

/**
 * Validates `host[:port]`, where host is a DNS name, an IPv4 address or a
 * bracketed IPv6 literal.
 *
 * @param value candidate
 * @returns true when valid
 */
function _isHost(value: string): boolean {
  let host = value;
  const close = value.lastIndexOf("]");
  const colon = value.lastIndexOf(":");
  if (colon >= 0 && colon > close) {
    const port = value.slice(colon + 1);
    if (!PORT_REGEXP.test(port) || Number(port) > 65535) {
      return false;
    }
    host = value.slice(0, colon);
  }
  if (host.startsWith("[")) {
    return IPV6_REGEXP.test(host);
  }
  return HOST_NAME_REGEXP.test(host);
}

/**
 * Parses a bare registry name as given to `repo ls <registry>`:
 * `host[:port]`, `localhost[:port]` or `[ipv6]:port`. Docker Hub aliases
 * (`index.docker.io`, `registry-1.docker.io`) normalise to `docker.io`.
 *
 * @param input registry name
 * @returns the normalised registry host
 * @throws {InvalidReferenceError} when the input has a path, tag, digest, scheme or bad host
 *
 * @example Normalise a Docker Hub alias
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRegistry } from "./ref.ts";
 * assert.equal(parseRegistry("index.docker.io"), "docker.io");
 * assert.equal(parseRegistry("localhost:5000"), "localhost:5000");
 * ```
 */
export function parseRegistry(input: string): string {
  if (input === "") {
    throw new InvalidReferenceError(input, "the registry is empty (use host[:port])");
  }
  if (input.includes("/") || input.includes("@")) {
    throw new InvalidReferenceError(
      input,
      "a registry has no repository, tag or digest (use host[:port])",
    );
  }
  if (!_isHost(input)) {
    throw new InvalidReferenceError(input, "not a valid registry host (use host[:port])");
  }
  return DOCKER_ALIASES.has(input) ? DOCKER_REGISTRY : input;
}

/**
 * Formats a reference the way regctl's CommonName does: a string
 * {@link parseRef} reads back to the same reference.
 *
 * @param ref reference
 * @returns e.g. `docker.io/library/alpine:latest`, `host:5000/a:t@sha256:…`, `ocidir://dir:tag`
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { commonName, parseRef } from "./ref.ts";
 * assert.equal(commonName(parseRef("alpine")), "docker.io/library/alpine:latest");
 * ```
 */
export function commonName(ref: Ref): string {
  let out = ref.scheme === "reg"
    ? `${ref.registry}/${ref.repository}`
    : `${ref.scheme}://${ref.path}`;
  if (ref.tag !== "") {
    out += `:${ref.tag}`;
  }
  if (ref.digest !== "") {
    out += `@${ref.digest}`;
  }
  return out;
}

/**
 * Returns a copy of the reference with the tag set and the digest cleared.
 *
 * @param ref reference
 * @param tag new tag
 * @returns the new reference
 * @throws {InvalidReferenceError} when the tag is malformed
 *
 * @example Point at another tag
 * ```ts
 * import assert from "node:assert/strict";
 * import { commonName, parseRef, withTag } from "./ref.ts";
 * assert.equal(commonName(withTag(parseRef("alpine:3"), "edge")), "docker.io/library/alpine:edge");
 * ```
 */
export function withTag(ref: Ref, tag: string): Ref {
  if (!TAG_REGEXP.test(tag)) {
    throw new InvalidReferenceError(
      `${commonName(withoutReference(ref))}:${tag}`,
      `"${tag}" is not a valid tag (use up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)`,
    );
  }
  return { ...ref, tag, digest: "" };
}

/**
 * Returns a copy of the reference with the digest set and the tag cleared.
 *
 * @param ref reference
 * @param digest new digest (`sha256:…` or `sha512:…`)
 * @returns the new reference
 * @throws {InvalidDigestError} when the digest is malformed
 *
 * @example Pin by digest
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef, withDigest } from "./ref.ts";
 * const ref = withDigest(parseRef("alpine:3"), "sha256:" + "0".repeat(64));
 * assert.equal(ref.tag, "");
 * ```
 */
export function withDigest(ref: Ref, digest: string): Ref {
  _checkDigest(digest);
  return { ...ref, tag: "", digest };
}

/**
 * Returns a copy of the reference with the digest set and the tag kept.
 *
 * @param ref reference
 * @param digest digest (`sha256:…` or `sha512:…`)
 * @returns the new reference
 * @throws {InvalidDigestError} when the digest is malformed
 *
 * @example Keep the tag
 * ```ts
 * import assert from "node:assert/strict";
 * import { addDigest, parseRef } from "./ref.ts";
 * const ref = addDigest(parseRef("alpine:3"), "sha256:" + "0".repeat(64));
 * assert.equal(ref.tag, "3");
 * ```
 */
export function addDigest(ref: Ref, digest: string): Ref {
  _checkDigest(digest);
  return { ...ref, digest };
}

/**
 * Validates a digest given to a ref helper.
 *
 * @param digest candidate
 * @throws {InvalidDigestError} when malformed
 */
function _checkDigest(digest: string): void {
  try {
    parseDigest(digest);
  } catch (err) {
    if (err instanceof InvalidDigestError) {
      throw err;
    }
    throw new InvalidDigestError(digest, "not a valid digest");
  }
}

/**
 * Returns a copy of the reference without tag or digest, for
 * repository-level operations (tag listing, repository copies).
 *
 * @param ref reference
 * @returns the reference to the repository (or layout directory)
 *
 * @example Drop the tag
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef, withoutReference } from "./ref.ts";
 * assert.equal(withoutReference(parseRef("alpine:3")).tag, "");
 * ```
 */
export function withoutReference(ref: Ref): Ref {
  return { ...ref, tag: "", digest: "" };
}

/**
 * Tells whether two references point at the same registry (or, for ocidir,
 * the same layout directory).
 *
 * @param a first reference
 * @param b second reference
 * @returns true when scheme and registry (or path) are equal
 *
 * @example Same host, different repositories
 * ```ts
 * import assert from "node:assert/strict";
 * import { equalRegistry, parseRef } from "./ref.ts";
 * assert.ok(equalRegistry(parseRef("localhost:5000/a"), parseRef("localhost:5000/b")));
 * ```
 */
export function equalRegistry(a: Ref, b: Ref): boolean {
  if (a.scheme !== b.scheme) {
    return false;
  }
  return a.scheme !== "reg" ? a.path === b.path : a.registry === b.registry;
}

/**
 * Tells whether two references point at the same repository (or, for
 * ocidir, the same layout directory), whatever their tags and digests.
 *
 * @param a first reference
 * @param b second reference
 * @returns true when scheme, registry and repository (or path) are equal
 *
 * @example Tags do not matter
 * ```ts
 * import assert from "node:assert/strict";
 * import { equalRepository, parseRef } from "./ref.ts";
 * assert.ok(equalRepository(parseRef("alpine:3"), parseRef("docker.io/library/alpine:edge")));
 * ```
 */
export function equalRepository(a: Ref, b: Ref): boolean {
  if (a.scheme !== b.scheme) {
    return false;
  }
  return a.scheme !== "reg"
    ? a.path === b.path
    : a.registry === b.registry && a.repository === b.repository;
}

/**
 * Returns the tag-or-digest part used in registry URLs
 * (`/v2/<name>/manifests/<reference>`): the digest when set, else the tag.
 *
 * @param ref reference
 * @returns the digest, else the tag, else the empty string
 *
 * @example The digest wins
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef, referenceString } from "./ref.ts";
 * const digest = "sha256:" + "0".repeat(64);
 * assert.equal(referenceString(parseRef(`localhost:5000/a:t@${digest}`)), digest);
 * ```
 */
export function referenceString(ref: Ref): string {
  return ref.digest !== "" ? ref.digest : ref.tag;
}

/**
 * Request routing of the registry: maps a method and URL path to one of the
 * distribution-spec endpoints, validating repository names, tags, digests and
 * upload ids so none of them can name a file outside the served directory.
 *
 * @module
 */
import { ApiError } from "./errors_body.ts";

/** Repository name regex of the distribution spec (§1.1), anchored. */
export const NAME_REGEXP =
  /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;
/** Tag regex of the distribution spec, anchored. */
export const TAG_REGEXP = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** Longest repository name accepted. */
export const NAME_MAX_LENGTH = 255;
/**
 * Path components a repository name may not use below its first: they would
 * be files of the parent repository's OCI layout (`a/blobs` is `a`'s blob
 * folder). The first component has no parent repository (the served folder
 * is none), so a repository may be named `blobs`.
 */
const RESERVED_COMPONENTS = new Set(["blobs", "index.json", "oci-layout"]);
/** Upload session ids are 32 lowercase hex characters. */
const UPLOAD_ID_REGEXP = /^[0-9a-f]{32}$/;

/** A routed request. */
export type Route =
  | { kind: "base" }
  | { kind: "catalog" }
  | { kind: "manifest"; name: string; reference: string }
  | { kind: "blob"; name: string; digest: string }
  | { kind: "uploadStart"; name: string }
  | { kind: "upload"; name: string; id: string }
  | { kind: "tags"; name: string }
  | { kind: "referrers"; name: string; digest: string };

/** The methods each route kind answers. */
export const ROUTE_METHODS: Readonly<Record<Route["kind"], readonly string[]>> = {
  base: ["GET", "HEAD"],
  catalog: ["GET"],
  manifest: ["GET", "HEAD", "PUT", "DELETE"],
  blob: ["GET", "HEAD", "DELETE"],
  uploadStart: ["POST"],
  upload: ["GET", "PATCH", "PUT", "DELETE"],
  tags: ["GET"],
  referrers: ["GET"],
};

/**
 * Tells whether a repository name is valid: the spec regex, at most 255
 * characters, and no component below the first named like a file of the
 * parent's layout (`blobs`, `index.json`, `oci-layout`).
 *
 * @param name repository name
 * @returns true when the name may be served
 */
export function isValidRepoName(name: string): boolean {
  if (name.length === 0 || name.length > NAME_MAX_LENGTH || !NAME_REGEXP.test(name)) return false;
  return !name.split("/").some((c, i) => i > 0 && RESERVED_COMPONENTS.has(c));
}

/**
 * Tells whether a string is a valid tag.
 *
 * @param tag candidate
 * @returns true when it matches the spec's tag regex
 */
export function isValidTag(tag: string): boolean {
  return TAG_REGEXP.test(tag);
}

/**
 * Routes a request path. The path is used as the URL parser left it (dot
 * segments resolved, percent-escapes kept), so an escaped `/` or `.` never
 * passes the name regex.
 *
 * @param pathname URL pathname, e.g. `/v2/library/alpine/manifests/latest`
 * @returns the route, or undefined when no endpoint has this path
 * @throws {ApiError} 400 `NAME_INVALID` for an endpoint path with an invalid repository name
 */
export function parseRoute(pathname: string): Route | undefined {
  if (pathname === "/v2/" || pathname === "/v2") return { kind: "base" };
  if (pathname === "/v2/_catalog") return { kind: "catalog" };
  if (!pathname.startsWith("/v2/")) return undefined;
  const rest = pathname.slice(4);
  let m: RegExpMatchArray | null;
  let route: Exclude<Route, { kind: "base" | "catalog" }> | undefined;
  if ((m = rest.match(/^(.+)\/blobs\/uploads\/?$/))) {
    route = { kind: "uploadStart", name: m[1] ?? "" };
  } else if ((m = rest.match(/^(.+)\/blobs\/uploads\/([^/]+)$/))) {
    const id = m[2] ?? "";
    if (!UPLOAD_ID_REGEXP.test(id)) {
      throw new ApiError(404, "BLOB_UPLOAD_UNKNOWN", "Cannot find upload: malformed session id");
    }
    route = { kind: "upload", name: m[1] ?? "", id };
  } else if ((m = rest.match(/^(.+)\/manifests\/([^/]+)$/))) {
    route = { kind: "manifest", name: m[1] ?? "", reference: m[2] ?? "" };
  } else if ((m = rest.match(/^(.+)\/blobs\/([^/]+)$/))) {
    route = { kind: "blob", name: m[1] ?? "", digest: m[2] ?? "" };
  } else if ((m = rest.match(/^(.+)\/tags\/list$/))) {
    route = { kind: "tags", name: m[1] ?? "" };
  } else if ((m = rest.match(/^(.+)\/referrers\/([^/]+)$/))) {
    route = { kind: "referrers", name: m[1] ?? "", digest: m[2] ?? "" };
  }
  if (route === undefined) return undefined;
  if (!isValidRepoName(route.name)) {
    throw new ApiError(400, "NAME_INVALID", "Cannot use repository name: invalid name", {
      detail: { name: route.name },
    });
  }
  return route;
}

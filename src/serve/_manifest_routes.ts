/**
 * The manifest routes of `ocictl serve`: read, push (checked: media type,
 * digest, referenced blobs, `?tag=`) and delete.
 *
 * @module
 */
import { DigestMismatchError, NotFoundError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../types/descriptor.ts";
import type { Ref } from "../types/ref.ts";
import { parseDigest } from "../types/digest.ts";
import { type Manifest, manifestReferences, parseManifest, subjectOf } from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { readCappedBody } from "./_body.ts";
import { ApiError } from "./errors_body.ts";
import { isValidTag, type Route } from "./routes.ts";
import type { ServeState } from "./_serve_state.ts";

/** Manifest media types accepted on PUT. */
const PUT_MEDIA_TYPES: readonly string[] = [
  MediaType.OCI_MANIFEST,
  MediaType.OCI_INDEX,
  MediaType.DOCKER_MANIFEST,
  MediaType.DOCKER_MANIFEST_LIST,
];

function _parseReference(reference: string, forPut: boolean): { tag: string; digest: string } {
  if (reference.includes(":")) {
    try {
      return { tag: "", digest: parseDigest(reference).value };
    } catch {
      throw new ApiError(400, "DIGEST_INVALID", `Cannot use digest "${reference}": malformed`);
    }
  }
  if (!isValidTag(reference)) {
    if (forPut) {
      throw new ApiError(400, "MANIFEST_INVALID", `Cannot use tag "${reference}": invalid tag`);
    }
    throw new ApiError(404, "MANIFEST_UNKNOWN", `Cannot find manifest "${reference}"`);
  }
  return { tag: reference, digest: "" };
}

/**
 * What a manifest HEAD answers: the descriptor index.json keeps, once its
 * blob is found with that size, without reading, hashing and parsing the
 * manifest (about 0.6 ms of each answer). A manifest index.json does not
 * describe is read and checked as for a GET (inside `manifestHead`).
 */
async function _headDescriptor(st: ServeState, ref: Ref): Promise<Descriptor> {
  const d = await st.t.manifestHead(ref);
  const blob = await st.t.blobHead(ref, d.digest);
  if (blob.size !== d.size) {
    throw new SizeMismatchError(`manifest "${d.digest}"`, d.size, blob.size);
  }
  return d;
}

/**
 * `GET`/`HEAD /v2/<name>/manifests/<reference>`.
 *
 * @param st the registry's state
 * @param route the parsed route
 * @param head whether the body is left out
 * @returns the response
 * @throws {ApiError} for an unknown repository or manifest
 */
export async function manifestGet(
  st: ServeState,
  route: Route & { kind: "manifest" },
  head: boolean,
): Promise<Response> {
  const { tag, digest } = _parseReference(route.reference, false);
  await st.requireRepo(route.name);
  const ref = st.ref(route.name, tag, digest);
  let m: Descriptor | Manifest;
  try {
    m = head ? await _headDescriptor(st, ref) : await st.t.manifestGet(ref);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new ApiError(404, "MANIFEST_UNKNOWN", `Cannot find manifest "${route.reference}"`);
    }
    if (err instanceof DigestMismatchError || err instanceof SizeMismatchError) {
      st.log(`Cannot serve manifest "${route.name}@${route.reference}": ${err.message}`);
      throw new ApiError(
        500,
        "MANIFEST_INVALID",
        "Cannot serve manifest: stored bytes are corrupt",
      );
    }
    throw err;
  }
  const headers = {
    "Content-Type": m.mediaType,
    "Content-Length": String(m.size),
    "Docker-Content-Digest": m.digest,
  };
  return new Response("raw" in m ? new Uint8Array(m.raw) : null, { status: 200, headers });
}

/**
 * `PUT /v2/<name>/manifests/<reference>` (with `?tag=` when by digest).
 *
 * @param st the registry's state
 * @param req the request
 * @param url its URL
 * @param route the parsed route
 * @returns 201 with the digest
 * @throws {ApiError} for an invalid manifest, tag or digest, or missing blobs
 */
export async function manifestPut(
  st: ServeState,
  req: Request,
  url: URL,
  route: Route & { kind: "manifest" },
): Promise<Response> {
  st.checkWrite("push");
  const { tag, digest } = _parseReference(route.reference, true);
  const tags = url.searchParams.getAll("tag");
  if (tags.length > 0 && digest === "") {
    throw new ApiError(400, "UNSUPPORTED", "Cannot use ?tag= when pushing by tag");
  }
  if (tags.length > st.limits.maxTagParams) {
    throw new ApiError(400, "MANIFEST_INVALID", "Cannot push manifest: too many tags", {
      detail: { limit: st.limits.maxTagParams },
    });
  }
  for (const t of tags) {
    if (!isValidTag(t)) {
      throw new ApiError(400, "MANIFEST_INVALID", `Cannot use tag "${t}": invalid tag`);
    }
  }
  const raw = await readCappedBody(req, st.limits.manifestBytes);
  const contentType = (req.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  const hint = contentType === "" || contentType === "application/json" ||
      contentType === MediaType.OCTET_STREAM
    ? undefined
    : contentType;
  let m: Manifest;
  try {
    m = await parseManifest(raw, {
      mediaType: hint,
      limit: st.limits.manifestBytes,
      ...(digest !== "" ? { digest } : {}),
    });
  } catch (err) {
    throw new ApiError(
      400,
      "MANIFEST_INVALID",
      `Cannot parse manifest: ${(err as Error).message}`,
    );
  }
  if (!PUT_MEDIA_TYPES.includes(m.mediaType)) {
    throw new ApiError(
      400,
      "MANIFEST_INVALID",
      `Cannot accept manifest of media type "${m.mediaType}"`,
    );
  }
  if (hint !== undefined && hint !== m.mediaType) {
    throw new ApiError(
      400,
      "MANIFEST_INVALID",
      `Cannot accept manifest: Content-Type "${hint}" differs from its mediaType "${m.mediaType}"`,
    );
  }
  if (digest !== "" && m.digest !== digest) {
    throw new ApiError(400, "DIGEST_INVALID", "Cannot accept manifest: digest does not match", {
      detail: { expected: digest, actual: m.digest },
    });
  }
  await _checkReferences(st, route.name, m);
  await st.ensureRepo(route.name);
  const opts = { mediaType: m.mediaType };
  if (digest === "") {
    await st.t.manifestPut(st.ref(route.name, tag), raw, opts);
  } else {
    await st.t.manifestPut(st.ref(route.name, "", digest), raw, opts);
    for (const t of tags) await st.t.manifestPut(st.ref(route.name, t, digest), raw, opts);
  }
  const headers: Record<string, string> = {
    "Location": `/v2/${route.name}/manifests/${m.digest}`,
    "Docker-Content-Digest": m.digest,
    "Content-Length": "0",
  };
  const subject = subjectOf(m);
  if (subject !== undefined) headers["OCI-Subject"] = subject.digest;
  if (tags.length > 0) headers["OCI-Tag"] = tags.join(", ");
  return new Response(null, { status: 201, headers });
}

async function _checkReferences(
  st: ServeState,
  name: string,
  m: Manifest,
): Promise<void> {
  const missing: Descriptor[] = [];
  for (const d of manifestReferences(m)) {
    if ((d.urls?.length ?? 0) > 0 || /nondistributable|foreign/.test(d.mediaType)) continue;
    try {
      await st.t.blobHead(st.ref(name), d.digest);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      missing.push(d);
    }
  }
  const [first, ...rest] = missing;
  if (first === undefined) return;
  const entry = (d: Descriptor) => ({
    code: "MANIFEST_BLOB_UNKNOWN" as const,
    message: `Cannot find blob "${d.digest}" in "${name}"; push it first`,
    detail: { digest: d.digest },
  });
  throw new ApiError(400, "MANIFEST_BLOB_UNKNOWN", entry(first).message, {
    detail: entry(first).detail,
    more: rest.map(entry),
  });
}

/**
 * `DELETE /v2/<name>/manifests/<reference>`: by digest, or a tag.
 *
 * @param st the registry's state
 * @param route the parsed route
 * @returns 202
 * @throws {ApiError} for an unknown manifest, or when deletes are refused
 */
export async function manifestDelete(
  st: ServeState,
  route: Route & { kind: "manifest" },
): Promise<Response> {
  st.checkWrite("delete");
  const { tag, digest } = _parseReference(route.reference, false);
  await st.requireRepo(route.name);
  try {
    if (digest !== "") await st.t.manifestDelete(st.ref(route.name, "", digest));
    else await st.t.tagDelete(st.ref(route.name, tag));
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new ApiError(404, "MANIFEST_UNKNOWN", `Cannot find manifest "${route.reference}"`);
    }
    throw err;
  }
  return new Response(null, { status: 202, headers: { "Content-Length": "0" } });
}

/**
 * The upload routes of `ocictl serve`: sessions, chunks in order,
 * monolithic uploads, mounts, and the digest check that ends an upload.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type Digest, type DigestAlgorithm } from "../types/digest.ts";
import { ApiError } from "./errors_body.ts";
import { isValidRepoName, type Route } from "./routes.ts";
import type { UploadSession } from "./upload_session.ts";
import { digestParam, type ServeState } from "./_serve_state.ts";

function _blobCreated(name: string, digest: string): Response {
  return new Response(null, {
    status: 201,
    headers: {
      "Location": `/v2/${name}/blobs/${digest}`,
      "Docker-Content-Digest": digest,
      "Content-Length": "0",
    },
  });
}

function _sessionHeaders(s: UploadSession): Record<string, string> {
  return {
    "Location": `/v2/${s.repo}/blobs/uploads/${s.id}`,
    "Range": `0-${Math.max(0, s.size - 1)}`,
    "Docker-Upload-UUID": s.id,
    "Content-Length": "0",
  };
}

/**
 * `POST /v2/<name>/blobs/uploads/`: a session, a monolithic upload
 * (`?digest=`) or a mount (`?mount=&from=`).
 *
 * @param st the registry's state
 * @param req the request
 * @param url its URL
 * @param route the parsed route
 * @param mayPull whether the client may read a repository: a mount from one
 *   it may not is answered like a mount of an unknown blob (a plain session),
 *   so nothing is copied and nothing is revealed
 * @returns 201 when stored or mounted, else 202 with the session
 * @throws {ApiError} for a bad digest or algorithm, or when writes are refused
 */
export async function uploadStart(
  st: ServeState,
  req: Request,
  url: URL,
  route: Route & { kind: "uploadStart" },
  mayPull: (repo: string) => boolean = () => true,
): Promise<Response> {
  st.checkWrite("push");
  const params = url.searchParams;
  const algParam = params.get("digest-algorithm");
  let algorithm: DigestAlgorithm = "sha256";
  if (algParam !== null) {
    if (algParam !== "sha256" && algParam !== "sha512") {
      throw new ApiError(400, "DIGEST_INVALID", `Cannot use digest algorithm "${algParam}"`);
    }
    algorithm = algParam;
  }
  const mount = params.get("mount");
  if (mount !== null) {
    const d = digestParam(mount);
    const from = params.get("from");
    const done = await _mount(st, route.name, d, from !== null && mayPull(from) ? from : null);
    if (done) return _blobCreated(route.name, d.value);
  }
  const digestValue = params.get("digest");
  if (digestValue !== null) {
    const d = digestParam(digestValue);
    // The body is read and verified even when the blob exists: the reply
    // then says whether these bytes match, and the connection stays clean.
    const session = await st.uploads.create(route.name, d.algorithm);
    try {
      await st.uploads.use(route.name, session.id, async (s) => {
        await st.uploads.append(s, req.body);
        await _finish(st, s, d);
      });
    } finally {
      await st.uploads.discard(session);
    }
    return _blobCreated(route.name, d.value);
  }
  const session = await st.uploads.create(route.name, algorithm);
  return new Response(null, { status: 202, headers: _sessionHeaders(session) });
}

async function _mount(
  st: ServeState,
  name: string,
  d: Digest,
  from: string | null,
): Promise<boolean> {
  if (await st.blobExists(name, d.value)) return true;
  if (from === null || from === name || !isValidRepoName(from)) return false;
  if (!(await st.blobExists(from, d.value))) return false;
  await st.ensureRepo(name);
  try {
    const reader = await st.t.blobGet(st.ref(from), d.value);
    await st.t.blobPut(st.ref(name), reader.body, {
      digest: d.value,
      size: reader.descriptor.size,
    });
    return true;
  } catch (err) {
    // A corrupt or vanished source blob: the client uploads it instead.
    st.log(`Cannot mount "${d.value}" from "${from}": ${(err as Error).message}`);
    return false;
  }
}

/**
 * `GET`/`PATCH`/`PUT`/`DELETE /v2/<name>/blobs/uploads/<id>`.
 *
 * @param st the registry's state
 * @param req the request
 * @param url its URL
 * @param route the parsed route
 * @returns the session's state, 202 after a chunk, 201 when finished, 204 when cancelled
 * @throws {ApiError} for an unknown session, a chunk out of order or a digest mismatch
 */
export async function upload(
  st: ServeState,
  req: Request,
  url: URL,
  route: Route & { kind: "upload" },
): Promise<Response> {
  if (req.method !== "GET") st.checkWrite("push");
  let d: Digest | undefined;
  if (req.method === "PUT") {
    const param = url.searchParams.get("digest");
    if (param === null) {
      throw new ApiError(400, "DIGEST_INVALID", "Cannot finish upload: ?digest= is required");
    }
    d = digestParam(param);
  }
  return await st.uploads.use(route.name, route.id, async (s) => {
    switch (req.method) {
      case "GET": {
        const headers = _sessionHeaders(s);
        delete headers["Content-Length"];
        return new Response(null, { status: 204, headers });
      }
      case "DELETE":
        await st.uploads.discard(s);
        return new Response(null, { status: 204 });
      case "PATCH":
        await _appendChunk(st, req, s);
        return new Response(null, { status: 202, headers: _sessionHeaders(s) });
      default: {
        await _appendChunk(st, req, s);
        const digest = d as Digest;
        await _finish(st, s, digest);
        await st.uploads.discard(s);
        return _blobCreated(route.name, digest.value);
      }
    }
  });
}

async function _appendChunk(
  st: ServeState,
  req: Request,
  s: UploadSession,
): Promise<void> {
  const header = req.headers.get("content-range");
  let expected: number | undefined;
  if (header !== null) {
    const m = header.trim().match(/^(?:bytes[ =])?(\d{1,15})-(\d{1,15})$/);
    if (!m) {
      throw new ApiError(400, "BLOB_UPLOAD_INVALID", `Cannot parse Content-Range "${header}"`);
    }
    const start = Number(m[1]);
    const end = Number(m[2]);
    if (start !== s.size || end < start) {
      throw new ApiError(
        416,
        "BLOB_UPLOAD_INVALID",
        `Cannot append chunk ${start}-${end}: the upload has ${s.size} bytes; resume at ${s.size}`,
        { headers: _sessionHeaders(s) },
      );
    }
    expected = end - start + 1;
  }
  await st.uploads.append(s, req.body, expected);
}

/** Verifies the session's bytes against `d` and stores them as a blob. */
async function _finish(
  st: ServeState,
  s: UploadSession,
  d: Digest,
): Promise<void> {
  const actual = d.algorithm === s.algorithm
    ? s.currentDigest()
    : await _hashStream(st.uploads.stream(s), d.algorithm);
  if (actual !== d.value) {
    await st.uploads.discard(s);
    throw new ApiError(400, "DIGEST_INVALID", "Cannot finish upload: digest does not match", {
      detail: { expected: d.value, actual },
    });
  }
  if (await st.blobExists(s.repo, d.value)) return;
  await st.ensureRepo(s.repo);
  const file = st.uploads.takeFile(s);
  if (file === undefined) {
    // No bytes: the empty blob.
    await st.t.blobPut(st.ref(s.repo), ReadableStream.from([]), {
      digest: d.value,
      size: 0,
    });
    return;
  }
  // The bytes were hashed as they were written: the file is flushed and
  // renamed into the layout, not copied again.
  await st.t.blobAdopt(st.ref(s.repo), file, { digest: d.value, size: s.size });
}

async function _hashStream(
  body: ReadableStream<Uint8Array>,
  algorithm: DigestAlgorithm,
): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of body) h.update(chunk);
  return `${algorithm}:${h.digest("hex")}`;
}

/**
 * The blob routes of `ocictl serve`: read (with `Range`, from checked files
 * without hashing again) and delete.
 *
 * @module
 */
import { NotFoundError } from "../errors.ts";
import { FILE_STREAM_PIECE } from "../transport/ocidir/file_system.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRange, sliceStream } from "./_range.ts";
import { ApiError } from "./errors_body.ts";
import type { Route } from "./routes.ts";
import { digestParam, type ServeState } from "./_serve_state.ts";

/**
 * `GET`/`HEAD /v2/<name>/blobs/<digest>`, with `Range`.
 *
 * @param st the registry's state
 * @param req the request
 * @param route the parsed route
 * @param head whether the body is left out
 * @returns 200 or 206
 * @throws {ApiError} for an unknown blob or an unsatisfiable range
 */
export async function blobGet(
  st: ServeState,
  req: Request,
  route: Route & { kind: "blob" },
  head: boolean,
): Promise<Response> {
  const d = digestParam(route.digest);
  await st.requireRepo(route.name);
  const ref = st.ref(route.name);
  const size = await _blobSize(st, route.name, d.value);
  const headers: Record<string, string> = {
    "Content-Type": MediaType.OCTET_STREAM,
    "Docker-Content-Digest": d.value,
    "Accept-Ranges": "bytes",
    "Content-Length": String(size),
  };
  if (head) return new Response(null, { status: 200, headers });
  const range = parseRange(req.headers.get("range"), size);
  if (range === "unsatisfiable") {
    throw new ApiError(416, "SIZE_INVALID", "Cannot serve range: outside the blob", {
      headers: { "Content-Range": `bytes */${size}` },
    });
  }
  const what = `${route.name}@${d.value}`;
  const reader = await st.t.blobOpen(ref, d.value, {
    size,
    range,
    // A file not yet known to be checked is hashed in the pieces it is sent
    // in, as large as a checked file's (64 KiB pieces served it at half the
    // speed), on the hashing worker when it runs.
    pieceSize: FILE_STREAM_PIECE,
    hashOffThread: true,
    onError: (err) => st.log(`Cannot serve blob "${what}": ${err.message}`),
  });
  if (reader.offThread === true) st.keepHashWorker();
  const body = reader.body;
  if (range === undefined) return new Response(body, { status: 200, headers });
  headers["Content-Range"] = `bytes ${range.start}-${range.end}/${size}`;
  headers["Content-Length"] = String(range.end - range.start + 1);
  // A checked file is read for the range only; otherwise the whole file is
  // read (and verified) and the range cut out of it.
  return new Response(reader.ranged ? body : sliceStream(body, range), {
    status: 206,
    headers,
  });
}

async function _blobSize(
  st: ServeState,
  name: string,
  digest: string,
): Promise<number> {
  try {
    return (await st.t.blobHead(st.ref(name), digest)).size;
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new ApiError(404, "BLOB_UNKNOWN", `Cannot find blob "${digest}" in "${name}"`);
    }
    throw err;
  }
}

/**
 * `DELETE /v2/<name>/blobs/<digest>`.
 *
 * @param st the registry's state
 * @param route the parsed route
 * @returns 202
 * @throws {ApiError} for an unknown blob, or when deletes are refused
 */
export async function blobDelete(
  st: ServeState,
  route: Route & { kind: "blob" },
): Promise<Response> {
  st.checkWrite("delete");
  const d = digestParam(route.digest);
  await st.requireRepo(route.name);
  try {
    await st.t.blobDelete(st.ref(route.name), d.value);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new ApiError(404, "BLOB_UNKNOWN", `Cannot find blob "${d.value}" in "${route.name}"`);
    }
    throw err;
  }
  return new Response(null, { status: 202, headers: { "Content-Length": "0" } });
}

/**
 * Distribution-spec error responses: the `{"errors":[{code,message,detail}]}`
 * body, its status, and the exception the handler throws to produce one.
 *
 * @module
 */

/** The error codes of the distribution spec (§1.8), plus `UNKNOWN` for 5xx answers. */
export type SpecErrorCode =
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS"
  /** Not a spec code: distribution's code for internal (5xx) errors. */
  | "UNKNOWN";

/** One entry of an error body. */
export interface SpecErrorEntry {
  /** Spec error code. */
  code: SpecErrorCode;
  /** Human message. */
  message: string;
  /** Free-form JSON detail. */
  detail?: unknown;
}

/**
 * An error that the registry handler turns into an HTTP error response.
 * Thrown inside the handler only; it never leaves {@link RegistryHandler.fetch}.
 */
export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Body entries (at least one). */
  readonly entries: SpecErrorEntry[];
  /** Extra response headers (`Range`, `WWW-Authenticate`, …). */
  readonly headers: Record<string, string>;

  /**
   * Creates an API error answered with the spec's JSON error body.
   * @param status HTTP status
   * @param code spec error code of the first entry
   * @param message human message of the first entry
   * @param options detail, extra entries and extra headers
   */
  constructor(
    status: number,
    code: SpecErrorCode,
    message: string,
    options: { detail?: unknown; more?: SpecErrorEntry[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    const first: SpecErrorEntry = { code, message };
    if (options.detail !== undefined) first.detail = options.detail;
    this.entries = [first, ...(options.more ?? [])];
    this.headers = options.headers ?? {};
  }
}

/**
 * Builds an error response with a JSON body and `Content-Type: application/json`.
 *
 * @param status HTTP status
 * @param entries the error entries
 * @param headers extra headers
 * @param head true for a HEAD request (no body, but the same headers)
 * @returns the response
 */
export function errorResponse(
  status: number,
  entries: SpecErrorEntry[],
  headers: Record<string, string> = {},
  head = false,
): Response {
  const body = new TextEncoder().encode(
    JSON.stringify({
      errors: entries.map((e) => ({ code: e.code, message: e.message, detail: e.detail ?? null })),
    }),
  );
  const h = new Headers(headers);
  h.set("Content-Type", "application/json");
  h.set("Content-Length", String(body.byteLength));
  return new Response(head ? null : body, { status, headers: h });
}

/**
 * Turns an {@link ApiError} into its response.
 *
 * @param err the error
 * @param head true for a HEAD request
 * @returns the response
 */
export function apiErrorResponse(err: ApiError, head = false): Response {
  return errorResponse(err.status, err.entries, err.headers, head);
}

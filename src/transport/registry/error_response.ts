/**
 * Decoding of registry error answers into typed errors. Bodies are decoded
 * tolerantly: JSON `{"errors":[…]}` when it parses, anything else (HTML,
 * plain text, nothing) is ignored and the HTTP status decides.
 *
 * @module
 */
import {
  ErrorCode,
  type ErrorCodeValue,
  NotFoundError,
  OciError,
  RegistryError,
  type RegistryErrorEntry,
} from "../../errors.ts";
import { utf8Text } from "../../utf8_text.ts";

/** Most bytes of an error body that are read. */
export const ERROR_BODY_LIMIT = 64 * 1024;

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  411: "Length Required",
  413: "Content Too Large",
  416: "Range Not Satisfiable",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * Decodes the OCI error list of an error body.
 *
 * @param body the body bytes (possibly truncated)
 * @returns the entries that have a string `code`; empty when the body is not such JSON
 *
 * @example HTML bodies decode to nothing
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeErrorBody } from "./error_response.ts";
 * assert.deepEqual(decodeErrorBody(new TextEncoder().encode("<html>oops</html>")), []);
 * ```
 */
export function decodeErrorBody(body: Uint8Array): RegistryErrorEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(utf8Text(body));
  } catch {
    return [];
  }
  if (typeof json !== "object" || json === null) return [];
  const list = (json as { errors?: unknown }).errors;
  if (!Array.isArray(list)) return [];
  const out: RegistryErrorEntry[] = [];
  for (const e of list) {
    if (typeof e !== "object" || e === null) continue;
    const r = e as Record<string, unknown>;
    if (typeof r.code !== "string") continue;
    const entry: RegistryErrorEntry = { code: r.code.slice(0, 100) };
    if (typeof r.message === "string") entry.message = r.message.slice(0, 500);
    if (r.detail !== undefined) entry.detail = r.detail;
    out.push(entry);
  }
  return out;
}

/** What {@link registryError} needs to know. */
export interface ErrorInfo {
  /** The action, e.g. `get manifest`. */
  action: string;
  /** The subject, e.g. `localhost:5000/a:b`. */
  subject: string;
  /** HTTP status. */
  status: number;
  /** Status text, when the server sent one. */
  statusText?: string | undefined;
  /** HTTP method. */
  method: string;
  /** Request URL. */
  url: string;
  /** Body bytes (possibly truncated). */
  body?: Uint8Array | undefined;
  /** Registry host name, for the login hint. */
  registry: string;
}

/**
 * Builds the typed error of a failed registry request. 404 gives a
 * {@link NotFoundError} whose `cause` is the {@link RegistryError}; 401/403
 * give code `UNAUTHORIZED` with a login hint; 429 gives `RATE_LIMIT`.
 *
 * @param info request, answer and what was being done
 * @returns the error to throw
 */
export function registryError(info: ErrorInfo): OciError {
  const errors = info.body ? decodeErrorBody(info.body) : [];
  const text = info.statusText || STATUS_TEXT[info.status] || "";
  let detail = `registry returned ${info.status}${text ? ` ${text}` : ""}`;
  if (errors.length > 0) {
    detail += ` (${
      errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join("; ")
    })`;
  }
  let code: ErrorCodeValue = ErrorCode.REGISTRY;
  if (info.status === 401 || info.status === 403) {
    code = ErrorCode.UNAUTHORIZED;
    detail += `; log in with "ocictl registry login ${info.registry}" and try again`;
  } else if (info.status === 429) {
    code = ErrorCode.RATE_LIMIT;
    detail += "; wait and try again";
  }
  const message = `Cannot ${info.action} "${info.subject}": ${detail}`;
  const err = new RegistryError(
    message,
    { status: info.status, method: info.method, url: info.url, errors },
    { code },
  );
  if (info.status === 404) return new NotFoundError(message, { cause: err });
  return err;
}

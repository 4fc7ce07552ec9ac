/**
 * The typed error of a registry request that got no answer (loaded by the
 * first such failure).
 *
 * @module
 */
import { ErrorCode, RegistryError } from "../../errors.ts";

/** The request that failed, as {@link networkError} names it. */
export interface FailedRequest {
  /** What was being done (`get manifest`). */
  action: string;
  /** What it was done to (`localhost:5000/a:b`). */
  subject: string;
  /** HTTP method. */
  method: string;
  /** Request URL. */
  url: URL;
}

/**
 * A {@link RegistryError} (status 0) for a request the network failed, with
 * a hint when the failure says the registry speaks plain http or its
 * certificate is not trusted.
 *
 * @param registry the registry's name, for the hint
 * @param hostname the registry's `host[:port]`, for the message
 * @param req the request
 * @param err what the fetch threw
 * @returns the error to throw
 * @throws never
 */
export function networkError(
  registry: string,
  hostname: string,
  req: FailedRequest,
  err: unknown,
): RegistryError {
  const cause = err instanceof Error && err.cause !== undefined ? String(err.cause) : String(err);
  let detail = `cannot reach "${hostname}" (${cause})`;
  if (/InvalidContentType|corrupt message|wrong version number/i.test(cause)) {
    detail +=
      `; the registry answers plain http: run "ocictl registry set --tls disabled ${registry}"`;
  } else if (/certificate|UnknownIssuer/i.test(cause)) {
    detail += `; the TLS certificate is not trusted`;
  }
  return new RegistryError(
    `Cannot ${req.action} "${req.subject}": ${detail}`,
    { status: 0, method: req.method, url: req.url.href },
    { cause: err, code: ErrorCode.REGISTRY },
  );
}

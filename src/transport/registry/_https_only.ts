/**
 * Recognises a TLS listener's answer to plain http (Go says "Client sent an
 * HTTP request to an HTTPS server"), loaded only when a plain http request is
 * answered 400.
 *
 * @module
 */
import { RegistryError } from "../../errors.ts";
import { readUpTo } from "../../read_capped.ts";
import { ERROR_BODY_LIMIT } from "./error_response.ts";

/**
 * A 400 answer to plain http may come from a TLS listener: that becomes a
 * typed error with the fix; any other 400 is handed back unchanged (its body
 * re-wrapped).
 *
 * @param res the 400 response
 * @param url the request URL (http)
 * @param method the request method
 * @param registry the registry name, for the hint
 * @returns an equivalent response when the server is not https-only
 * @throws {RegistryError} when the server answers https only
 */
export async function checkHttpsOnly(
  res: Response,
  url: URL,
  method: string,
  registry: string,
): Promise<Response> {
  const body = res.body ? await readUpTo(res.body, ERROR_BODY_LIMIT) : null;
  const text = body ? new TextDecoder().decode(body.subarray(0, 4096)) : "";
  if (/HTTP request to an HTTPS server/i.test(text)) {
    throw new RegistryError(
      `Cannot connect to "${url.host}" over plain http: the registry answers https only; run "ocictl registry set --tls enabled ${registry}"`,
      { status: 400, method, url: url.href },
    );
  }
  const copy = new Response(body as BodyInit | null, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  Object.defineProperty(copy, "url", { value: res.url || url.href });
  return copy;
}

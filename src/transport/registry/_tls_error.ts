/**
 * Typed errors for TLS failures of the registry fetch seam (`deno_fetch.ts`),
 * loaded only when a request fails.
 *
 * @module
 */
import { RegistryError } from "../../errors.ts";

/**
 * Turns a TLS failure that retrying cannot fix into a {@link RegistryError}
 * with the command that fixes it (the transport does not retry typed errors).
 *
 * @param err what fetch threw
 * @param url the request URL
 * @param method the request method
 * @param registry the registry name, for the hint
 * @returns the typed error, or `undefined` for other failures
 * @throws never
 */
export function classifyTlsError(
  err: unknown,
  url: URL,
  method: string,
  registry: string,
): RegistryError | undefined {
  if (url.protocol !== "https:" || !(err instanceof Error) || err instanceof RegistryError) {
    return undefined;
  }
  const text = `${err.message} ${
    err.cause instanceof Error ? err.cause.message : String(err.cause ?? "")
  }`;
  const info = { status: 0, method, url: url.href };
  if (
    /InvalidContentType|corrupt message|wrong version number|packet length too long/i.test(text)
  ) {
    return new RegistryError(
      `Cannot connect to "${url.host}" over https: the registry answers plain http; run "ocictl registry set --tls disabled ${registry}"`,
      info,
      { cause: err },
    );
  }
  const alert = /fatal alert: (BadCertificate|CertificateRequired|UnknownCA|AccessDenied)/i.exec(
    text,
  );
  if (alert) {
    return new RegistryError(
      `Cannot connect to "${url.host}": the registry refused the TLS client certificate (${
        alert[1]
      }); set the one it accepts with "ocictl registry set --client-cert \"$(cat client.pem)\" --client-key \"$(cat client.key)\" ${registry}"`,
      info,
      { cause: err },
    );
  }
  if (
    /UnknownIssuer|certificate|CertNotValid|NotValidForName|BadSignature|self.signed/i.test(text)
  ) {
    return new RegistryError(
      `Cannot verify the TLS certificate of "${url.host}" (${
        _firstLine(text)
      }); trust its CA with "ocictl registry set --cacert \"$(cat ca.pem)\" ${registry}" or skip verification with "--tls insecure"`,
      info,
      { cause: err },
    );
  }
  return undefined;
}

function _firstLine(text: string): string {
  const m = /(invalid peer certificate[^)\n]*|certificate[^)\n]*)/i.exec(text);
  return (m?.[1] ?? text).trim().slice(0, 200);
}

/**
 * The certificates a TLS server presents, read with one `node:tls` handshake
 * that skips verification (part of the network seam of `tls: insecure`
 * hosts; see `_pinned_tls.ts`). Imported only on that path: `node:tls`
 * starts Deno's Node compatibility layer.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import tls from "node:tls";

/** Where to read the presented chain from. */
export interface PresentedQuery {
  /** Host name or IP address (an IPv6 address without brackets). */
  hostname: string;
  /** TCP port. */
  port: number;
  /** Give up after this many milliseconds. */
  timeoutMs: number;
}

/**
 * Connects once, completes the TLS handshake without verifying anything and
 * returns every certificate the server presented (leaf first, each once) as
 * PEM; the connection is closed before the promise settles.
 *
 * @param query host, port and time limit
 * @returns the presented certificates, leaf first
 * @throws {Error} when the connection or handshake fails or times out, or
 *   the server presents no certificate
 */
export function presentedCertificates(query: PresentedQuery): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const ip = /^[\d.]+$/.test(query.hostname) || query.hostname.includes(":");
    const socket = tls.connect({
      host: query.hostname,
      port: query.port,
      rejectUnauthorized: false,
      ...(ip ? {} : { servername: query.hostname }),
    });
    const timer = setTimeout(() => {
      socket.destroy(new Error(`no TLS handshake within ${query.timeoutMs} ms`));
    }, query.timeoutMs);
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const pems: string[] = [];
      const seen = new Set<string>();
      let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      while (cert?.raw !== undefined && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        pems.push(_pem(cert.raw));
        cert = cert.issuerCertificate;
      }
      socket.destroy();
      if (pems.length === 0) reject(new Error("the server presented no certificate"));
      else resolve(pems);
    });
  });
}

function _pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

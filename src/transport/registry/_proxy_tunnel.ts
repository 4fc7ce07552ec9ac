/**
 * HTTP proxies for the `node:http(s)` requests of the network seam: an
 * `https` target is reached through a `CONNECT` tunnel (TLS is then
 * negotiated with the registry itself, end to end), an `http` target by
 * sending the absolute URL to the proxy. Credentials in the proxy URL
 * become `Proxy-Authorization: Basic`.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";

/** Longest proxy answer to a `CONNECT` read before giving up. */
const CONNECT_HEAD_LIMIT = 16 * 1024;

/**
 * The `Proxy-Authorization` value of a proxy URL with credentials.
 *
 * @param proxy proxy URL
 * @returns the header value, or undefined without credentials
 * @throws never
 */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === "" && proxy.password === "") return undefined;
  const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  const bytes = new TextEncoder().encode(creds);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * The port of a proxy URL, defaulted by its scheme.
 *
 * @param proxy proxy URL
 * @returns the port
 * @throws never
 */
export function proxyPort(proxy: URL): number {
  return proxy.port !== "" ? Number(proxy.port) : proxy.protocol === "https:" ? 443 : 80;
}

/**
 * Opens a `CONNECT` tunnel through an HTTP proxy to `target`'s host and
 * negotiates TLS with the target over it.
 *
 * @param proxy proxy URL (`http://`)
 * @param target the https URL to reach
 * @param tlsOptions `servername` is set here; certificates, CAs, verification
 * @returns the TLS socket, connected
 * @throws {Error} when the proxy refuses (its status line is in the message) or the connection fails
 */
export function openTunnel(
  proxy: URL,
  target: URL,
  tlsOptions: tls.ConnectionOptions,
): Promise<tls.TLSSocket> {
  const authority = `${target.hostname}:${target.port || "443"}`;
  return new Promise((resolve, reject) => {
    const sock = net.connect(proxyPort(proxy), proxy.hostname);
    let head = "";
    const fail = (err: Error) => {
      sock.destroy();
      reject(err);
    };
    sock.once("error", fail);
    sock.once("connect", () => {
      const auth = proxyAuthorization(proxy);
      sock.write(
        `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n` +
          (auth === undefined ? "" : `Proxy-Authorization: ${auth}\r\n`) + "\r\n",
      );
    });
    const onData = (chunk: Uint8Array) => {
      head += new TextDecoder().decode(chunk);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > CONNECT_HEAD_LIMIT) {
          fail(new Error("the proxy answer to CONNECT is too long"));
        }
        return;
      }
      sock.off("data", onData);
      const status = head.slice(0, head.indexOf("\r\n"));
      if (!/^HTTP\/1\.[01] 2\d\d\b/.test(status)) {
        fail(new Error(`the proxy refused CONNECT ${authority}: ${status}`));
        return;
      }
      sock.off("error", fail);
      const secure = tls.connect({
        ...tlsOptions,
        socket: sock,
        servername: net.isIP(target.hostname) ? undefined : target.hostname,
      });
      secure.once("secureConnect", () => resolve(secure));
      secure.once("error", (err) => {
        secure.destroy();
        reject(err);
      });
    };
    sock.on("data", onData);
  });
}

/**
 * Pinned clients for `tls: insecure` hosts, part of the network seam
 * (deno_fetch.ts). Deno's fetch cannot skip certificate checks for one
 * client, and the `node:https` path that can holds 135–280 MiB RSS on a
 * large pull. So, once per host and process:
 *
 * 1. one `node:tls` handshake without verification reads the certificates
 *    the server presents (`_tls_presented.ts`, imported only then);
 * 2. a `Deno.connectTls` handshake with those certificates as extra trust
 *    anchors checks that Deno's verifier (rustls) accepts the server with
 *    them;
 * 3. if it does, a `Deno.createHttpClient({ caCerts })` with them serves
 *    every later request to that host through Deno's native fetch.
 *
 * rustls still checks the host name, the validity dates and the key usage,
 * so some certificates cannot be pinned and the host stays on `node:https`:
 * a certificate for another name, an expired one, a leaf whose CA the
 * server does not send, and a self-signed certificate marked as a CA
 * (`CaUsedAsEndEntity`: what a bare `openssl req -x509` makes). A pinned
 * client never trusts more than `tls: insecure` already does: it accepts
 * only the certificates that host presented, for that host alone.
 *
 * @module
 */
import type { RegistryLogger } from "./http.ts";
import type { PresentedQuery } from "./_tls_presented.ts";

/** Reads the certificates a server presents (PEM, leaf first). */
export type PresentedProbe = (query: PresentedQuery) => Promise<string[]>;

/** Options of {@link PinnedClients}. */
export interface PinnedClientsOptions {
  /** Where to report which path a host takes. */
  logger?: RegistryLogger | undefined;
  /** How the presented certificates are read. @default {@link probeOnThread} */
  probe?: PresentedProbe | undefined;
  /** Time limit of each handshake. @default 30000 */
  timeoutMs?: number | undefined;
}

/**
 * Tells whether an error (or its cause) is a certificate verification
 * failure from rustls or from a TLS stack's usual words.
 *
 * @param err what fetch or `Deno.connectTls` threw
 * @returns true for a refused certificate
 */
export function isCertificateError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const text = `${err.message} ${err.cause instanceof Error ? err.cause.message : ""}`;
  return /invalid peer certificate|UnknownIssuer|CertNotValid|NotValidForName|certificate/i
    .test(text);
}

/**
 * The pinned Deno HTTP clients of a fetch seam, one per `host:port`,
 * decided on first use and kept for the process (or until
 * {@link PinnedClients.unpin}).
 */
export class PinnedClients {
  #decided = new Map<string, Promise<Deno.HttpClient | undefined>>();
  #logger: RegistryLogger | undefined;
  #probe: PresentedProbe;
  #timeoutMs: number;
  #closed = false;

  /**
   * Creates an empty cache; nothing is contacted until {@link clientFor}.
   *
   * @param options logger, probe and handshake time limit
   */
  constructor(options: PinnedClientsOptions = {}) {
    this.#logger = options.logger;
    this.#probe = options.probe ?? probeOnThread;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * The pinned client for an https URL's host, pinning it on first use.
   *
   * @param url the request URL
   * @returns the client, or `undefined` when the host must use `node:https`
   *   (remembered when its certificate cannot be pinned; a probe that could
   *   not reach the server is not, so the next request tries again)
   * @throws never
   */
  clientFor(url: URL): Promise<Deno.HttpClient | undefined> {
    const key = url.host.toLowerCase();
    let entry = this.#decided.get(key);
    if (entry === undefined) {
      entry = this.#pin(url, key);
      this.#decided.set(key, entry);
    }
    return entry;
  }

  /**
   * Sends the host to `node:https` for the rest of the process (its
   * certificate changed after it was pinned).
   *
   * @param url a URL of the host
   * @param reason what the pinned client reported, for the debug log
   * @returns nothing
   */
  unpin(url: URL, reason: string): void {
    const key = url.host.toLowerCase();
    const entry = this.#decided.get(key);
    this.#decided.set(key, Promise.resolve(undefined));
    void entry?.then((c) => c?.close());
    this.#logger?.debug?.("tls insecure: the pinned certificate was refused; using node:https", {
      host: url.host,
      reason,
    });
  }

  /**
   * Closes every pinned client.
   *
   * @returns nothing
   */
  close(): void {
    this.#closed = true;
    for (const entry of this.#decided.values()) void entry.then((c) => c?.close());
    this.#decided.clear();
  }

  async #pin(url: URL, key: string): Promise<Deno.HttpClient | undefined> {
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = Number(url.port || 443);
    const log = (path: string, data: Record<string, unknown>) =>
      this.#logger?.debug?.(`tls insecure: ${path}`, { host: url.host, ...data });
    const started = performance.now();
    let pems: string[];
    try {
      pems = await this.#probe({ hostname, port, timeoutMs: this.#timeoutMs });
    } catch (err) {
      this.#decided.delete(key);
      log("cannot read the presented certificates; using node:https", { reason: _msg(err) });
      return undefined;
    }
    try {
      await _handshake(hostname, port, pems, this.#timeoutMs);
    } catch (err) {
      // Remembered whatever the reason: node:tls reached the server, so this is
      // about what rustls accepts (certificate, protocol version, ciphers).
      log("the presented certificates cannot be pinned; using node:https", {
        reason: _msg(err),
        ms: Math.round(performance.now() - started),
      });
      return undefined;
    }
    if (this.#closed) return undefined;
    log("pinned the presented certificates; using Deno's fetch", {
      certificates: pems.length,
      ms: Math.round(performance.now() - started),
    });
    return Deno.createHttpClient({ caCerts: pems, http2: false });
  }
}

/**
 * Reads the presented certificates with `node:tls`, imported on first use.
 * On the calling thread: measured on loopback pulls of 4×64 and 1×256 MiB,
 * a short-lived worker for the handshake peaked 0–4 MiB higher (its isolate
 * overlaps the download's start) and took 70–160 ms against 55 ms.
 *
 * @param query host, port and time limit
 * @returns the presented certificates, leaf first
 * @throws {Error} when the handshake fails
 */
export async function probeOnThread(query: PresentedQuery): Promise<string[]> {
  return (await import("./_tls_presented.ts")).presentedCertificates(query);
}

/**
 * One verified handshake with the pinned certificates as trust anchors,
 * within a time limit (the connection is closed when it runs out).
 */
async function _handshake(
  hostname: string,
  port: number,
  caCerts: string[],
  timeoutMs: number,
): Promise<void> {
  let conn: Deno.TlsConn | undefined;
  let late = false;
  const close = () => {
    try {
      conn?.close();
    } catch {
      // already closed
    }
  };
  const timer = setTimeout(() => {
    late = true;
    close();
  }, timeoutMs);
  try {
    conn = await Deno.connectTls({ hostname, port, caCerts });
    if (late) throw new Error(`no TLS handshake within ${timeoutMs} ms`);
    await conn.handshake();
  } catch (err) {
    throw late ? new Error(`no TLS handshake within ${timeoutMs} ms`, { cause: err }) : err;
  } finally {
    clearTimeout(timer);
    close();
  }
}

function _msg(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0]!.slice(0, 200);
}

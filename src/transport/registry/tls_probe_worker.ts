/**
 * Worker that reads the certificates a TLS server presents
 * (`_tls_presented.ts`), so the Node compatibility layer that `node:tls`
 * needs is loaded in an isolate that ends right after, not in the main one
 * that goes on to stream blobs (measured on loopback: a 256 MiB download
 * peaked at 81–100 MiB RSS with the handshake in a worker, 101–135 MiB with
 * it on the main thread). One request per worker: `{ hostname, port,
 * timeoutMs }` in, a {@link ProbeReply} out.
 *
 * @module
 */
import { presentedCertificates, type PresentedQuery } from "./_tls_presented.ts";

/** The worker's answer. */
export type ProbeReply =
  | { ok: true; pems: string[] }
  | { ok: false; message: string };

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<PresentedQuery>) => void) | null;
  postMessage(reply: ProbeReply): void;
};

scope.onmessage = (e) => {
  presentedCertificates(e.data).then(
    (pems) => scope.postMessage({ ok: true, pems }),
    (err: unknown) =>
      scope.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
};

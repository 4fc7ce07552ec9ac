/**
 * The network seam of `ocictl serve`: binds the registry handler to a TCP
 * port with `Deno.serve` (plain HTTP or TLS) and shuts it down gracefully.
 *
 * @module
 */
import { errorResponse } from "./errors_body.ts";
import { createRegistryHandler, type RegistryHandlerOptions } from "./handler.ts";

/** Options of {@link startRegistryServer}. */
export interface RegistryServerOptions extends RegistryHandlerOptions {
  /** Address to bind, e.g. `127.0.0.1`. */
  hostname: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** PEM certificate and key to serve HTTPS. */
  tls?: { cert: string; key: string } | undefined;
  /** Aborting it shuts the server down like {@link RegistryServer.shutdown}. */
  signal?: AbortSignal | undefined;
}

/** A running registry server. */
export interface RegistryServer {
  /** The bound address (the real port when 0 was asked). */
  addr: { hostname: string; port: number };
  /** Settles once the server has stopped and uploads have finished. */
  finished: Promise<void>;
  /**
   * Stops accepting connections, lets requests in flight (uploads) finish,
   * then releases the handler.
   * @returns nothing
   */
  shutdown(): Promise<void>;
}

/**
 * Starts the registry on a TCP port.
 *
 * @param options handler options plus hostname, port, TLS and abort signal
 * @returns the running server
 * @throws {Deno.errors.AddrInUse} when the port is taken
 *
 * @example Start on a free port and stop
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { startRegistryServer } from "./server.ts";
 * const dir = await Deno.makeTempDir();
 * const srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
 * const res = await fetch(`http://127.0.0.1:${srv.addr.port}/v2/`);
 * equal(res.status, 200);
 * await res.body?.cancel();
 * await srv.shutdown();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function startRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const handler = createRegistryHandler(options);
  const log = options.log ?? (() => {});
  const onError = (err: unknown): Response => {
    log(`Cannot answer request: ${err instanceof Error ? err.message : String(err)}`);
    return errorResponse(500, [{ code: "UNKNOWN", message: "Cannot answer: internal error" }]);
  };
  let draining = false;
  const serveOne = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Promise<Response> => {
    if (!draining) return handler.fetch(req, { client: info.remoteAddr.hostname });
    return Promise.resolve(
      errorResponse(503, [{ code: "UNKNOWN", message: "Cannot answer: the server is stopping" }], {
        "Retry-After": "1",
        "Connection": "close",
      }),
    );
  };
  const base = { hostname: options.hostname, port: options.port, onListen() {}, onError };
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = options.tls === undefined
      ? Deno.serve(base, serveOne)
      : Deno.serve({ ...base, cert: options.tls.cert, key: options.tls.key }, serveOne);
  } catch (err) {
    return Promise.reject(err);
  }
  const finished = server.finished.then(() => handler.close());
  let stopping: Promise<void> | undefined;
  // Deno's server.shutdown() cuts request bodies still being read, so the
  // requests in flight are drained first (new ones get 503), then it stops.
  const shutdown = () => {
    stopping ??= (async () => {
      draining = true;
      await handler.close();
      await server.shutdown();
      await finished;
    })();
    return stopping;
  };
  options.signal?.addEventListener("abort", () => void shutdown(), { once: true });
  if (options.signal?.aborted) void shutdown();
  const addr = { hostname: server.addr.hostname, port: server.addr.port };
  return Promise.resolve({ addr, finished, shutdown });
}

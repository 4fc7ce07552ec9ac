/**
 * Small HTTP servers for registry tests, all on 127.0.0.1: a generic server
 * and a fault-injecting proxy in front of another server.
 *
 * @module
 */

/** A running test server. */
export interface TestServer {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Shuts the server down. */
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 with a free port.
 *
 * @param handler request handler
 * @returns the server
 */
export function serve(handler: (req: Request) => Response | Promise<Response>): TestServer {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    handler,
  );
  const host = `127.0.0.1:${server.addr.port}`;
  return {
    host,
    origin: `http://${host}`,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}

/**
 * A fault hook: return a response to answer instead of the upstream, a body
 * to forward instead of the request's, or undefined to forward as is.
 */
export type Before = (
  req: Request,
  url: URL,
) =>
  | Response
  | { body: Uint8Array }
  | undefined
  | Promise<Response | { body: Uint8Array } | undefined>;
/** A hook that may replace the upstream's answer. */
export type After = (req: Request, url: URL, res: Response) => Response | Promise<Response>;

/** A proxy with its request log. */
export interface TestProxy extends TestServer {
  /** Requests seen (`METHOD path?query` plus selected headers). */
  log: { method: string; path: string; range: string | null; ifMatch: string | null }[];
  /** Replaces the hooks. */
  set(hooks: { before?: Before | undefined; after?: After | undefined }): void;
}

/**
 * Starts a proxy in front of `upstream` (an `http://host:port` origin). It
 * rewrites absolute `Location` and `Link` URLs of the upstream to itself.
 *
 * @param upstream origin of the upstream server
 * @param rewrite maps a request path to the upstream's (e.g. strips a prefix)
 * @returns the proxy
 */
export function startProxy(
  upstream: string,
  rewrite: (path: string) => string = (p) => p,
): TestProxy {
  let before: Before | undefined;
  let after: After | undefined;
  const log: TestProxy["log"] = [];
  let selfOrigin = "";
  const server = serve(async (req) => {
    const url = new URL(req.url);
    log.push({
      method: req.method,
      path: url.pathname + url.search,
      range: req.headers.get("range"),
      ifMatch: req.headers.get("if-match"),
    });
    const early = await before?.(req, url);
    if (early instanceof Response) {
      await req.body?.cancel();
      return early;
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    if (early) headers.delete("content-length");
    const init: RequestInit & { duplex?: string } = {
      method: req.method,
      headers,
      redirect: "manual",
    };
    if (early) {
      init.body = early.body as BodyInit;
    } else if (req.body) {
      init.body = req.body;
      init.duplex = "half";
    }
    const up = await fetch(upstream + rewrite(url.pathname) + url.search, init);
    const outHeaders = new Headers(up.headers);
    for (const name of ["location", "link"]) {
      const v = outHeaders.get(name);
      if (v) outHeaders.set(name, v.replaceAll(upstream, selfOrigin));
    }
    const res = new Response(req.method === "HEAD" ? null : up.body, {
      status: up.status,
      statusText: up.statusText,
      headers: outHeaders,
    });
    if (req.method === "HEAD") await up.body?.cancel();
    return after ? await after(req, url, res) : res;
  });
  selfOrigin = server.origin;
  return {
    ...server,
    log,
    set(hooks) {
      before = hooks.before;
      after = hooks.after;
    },
  };
}

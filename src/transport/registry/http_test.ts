import assert from "node:assert/strict";
import { RegistryError } from "../../errors.ts";
import { RegistryAuth } from "./auth.ts";
import { resolveHost } from "./host_config.ts";
import { RegistryHttp } from "./http.ts";
import { SOURCE_BODY, SourceBodyError, TAKES_SOURCE_BODY } from "./wire_headers.ts";
import { bytesSource } from "../../../tests/_byte_source.ts";

/** An in-process registry handler used as fetch (no sockets). */
function handlerFetch(handler: (req: Request) => Response): typeof fetch {
  return (input, init) => Promise.resolve(handler(new Request(input, init)));
}

function client(handler: (req: Request) => Response, warnings: string[] = []): RegistryHttp {
  return over(handlerFetch(handler), warnings);
}

/** A RegistryHttp over `f` (auth included), with no clock or sleep of its own. */
function over(f: typeof fetch, warnings: string[] = []): RegistryHttp {
  return new RegistryHttp({
    fetch: f,
    auth: new RegistryAuth({ fetch: f, now: () => 0, userAgent: "t" }),
    userAgent: "t",
    now: () => 0,
    sleep: () => Promise.resolve(),
    logger: { warn: (m) => warnings.push(m) },
  });
}

const host = resolveHost([], "reg.example");
const req = (path: string) => ({
  method: "GET",
  url: new URL(`https://reg.example${path}`),
  action: "get thing",
  subject: "reg.example/a",
});

Deno.test("RegistryHttp refuses a redirect from https to http", async () => {
  const http = client(() =>
    new Response(null, { status: 302, headers: { location: "http://reg.example/elsewhere" } })
  );
  await assert.rejects(
    http.request(host, req("/v2/a/blobs/x")),
    (e: unknown) => e instanceof RegistryError && e.code === "REGISTRY",
  );
});

Deno.test("RegistryHttp stops after too many redirects", async () => {
  let n = 0;
  const http = client(() =>
    new Response(null, { status: 307, headers: { location: `/v2/hop/${n++}` } })
  );
  await assert.rejects(http.request(host, req("/v2/a")), RegistryError);
  assert.equal(n, 11);
});

Deno.test("RegistryHttp logs each Warning header once", async () => {
  const warnings: string[] = [];
  const http = client(
    () => new Response("{}", { headers: { warning: '299 - "deprecated repo"' } }),
    warnings,
  );
  for (let i = 0; i < 2; i++) await (await http.request(host, req("/v2/"))).body?.cancel();
  assert.deepEqual(warnings, ["Registry warning: deprecated repo"]);
});

Deno.test("RegistryHttp does not retry a streamed body", async () => {
  let calls = 0;
  const http = client(() => {
    calls++;
    return new Response(null, { status: 503 });
  });
  await assert.rejects(
    http.request(host, {
      ...req("/v2/a/blobs/uploads/x"),
      method: "PUT",
      body: ReadableStream.from([new Uint8Array(3)]),
    }),
    (e: unknown) => e instanceof RegistryError && e.status === 503,
  );
  assert.equal(calls, 1);
});

Deno.test("RegistryHttp sends one User-Agent, its own, whatever the caller's spelling", async () => {
  const seen: string[][] = [];
  const http = new RegistryHttp({
    fetch: (_input, init) => {
      // the request headers are a plain record: no Headers object is built
      const h = init?.headers as Record<string, string>;
      assert.ok(!(h instanceof Headers));
      seen.push(Object.entries(h).map(([k, v]) => `${k}: ${v}`));
      return Promise.resolve(new Response("ok"));
    },
    auth: new RegistryAuth({ fetch, now: () => 0, userAgent: "t" }),
    userAgent: "ocictl/test",
    now: () => 0,
    sleep: () => Promise.resolve(),
  });
  const res = await http.request(host, {
    ...req("/v2/"),
    headers: { "user-agent": "caller/1", Accept: "application/json" },
  });
  await res.body?.cancel();
  assert.deepEqual(seen, [["Accept: application/json", "User-Agent: ocictl/test"]]);
});

const sourceBody = (bytes: Uint8Array) => ({
  source: bytesSource(bytes),
  length: bytes.byteLength,
});

/** A PUT of a byte source body. */
const putSource = (body: ReturnType<typeof sourceBody>) => ({
  method: "PUT",
  url: new URL("https://reg.example/v2/a/blobs/uploads/1?digest=sha256:00"),
  action: "push blob",
  subject: "reg.example/a",
  body,
});

Deno.test("RegistryHttp hands a byte source body as it is to a fetch that takes them, as a stream to any other", async () => {
  const seen: { marked: unknown; body: unknown }[] = [];
  const plain: typeof fetch = async (_input, init) => {
    seen.push({ marked: (init as Record<symbol, unknown>)[SOURCE_BODY], body: init?.body });
    return new Response(await new Response(init?.body ?? null).bytes(), { status: 201 });
  };
  const marked = Object.assign(
    ((_input, init) => {
      seen.push({ marked: (init as Record<symbol, unknown>)[SOURCE_BODY], body: init?.body });
      return Promise.resolve(new Response(null, { status: 201 }));
    }) as typeof fetch,
    { [TAKES_SOURCE_BODY]: true },
  );
  for (const f of [plain, marked]) {
    const res = await over(f).request(host, putSource(sourceBody(new Uint8Array([1, 2, 3]))));
    if (f === plain) assert.deepEqual(await res.bytes(), new Uint8Array([1, 2, 3]));
  }
  assert.equal(seen[0]!.marked, undefined);
  assert.ok(seen[0]!.body instanceof ReadableStream);
  assert.equal(seen[1]!.body, undefined);
  assert.equal((seen[1]!.marked as { length: number }).length, 3);
});

Deno.test("RegistryHttp passes a byte source body's own failure through, not as the registry's", async () => {
  const boom = new SourceBodyError("the body's source failed", 3, 10, { cause: new Error("up") });
  const f = Object.assign((() => Promise.reject(boom)) as typeof fetch, {
    [TAKES_SOURCE_BODY]: true,
  });
  await assert.rejects(
    over(f).request(host, putSource(sourceBody(new Uint8Array(10)))),
    (e: unknown) => e === boom,
  );
});

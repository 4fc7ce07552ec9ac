import assert from "node:assert/strict";
import { RegistryError } from "../../errors.ts";
import { createDenoFetch } from "./deno_fetch.ts";

function serve(
  handler: (req: Request) => Response,
): { server: Deno.HttpServer<Deno.NetAddr>; host: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return { server, host: `127.0.0.1:${server.addr.port}` };
}

Deno.test("createDenoFetch() reports an https-only listener and passes other 400s through", async () => {
  const { server, host } = serve((req) =>
    new URL(req.url).pathname === "/tls"
      ? new Response("Client sent an HTTP request to an HTTPS server.\n", { status: 400 })
      : new Response("other problem", { status: 400 })
  );
  const seam = createDenoFetch({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    await assert.rejects(seam.fetch(`http://${host}/tls`), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.equal(e.status, 400);
      return true;
    });
    const res = await seam.fetch(`http://${host}/other`);
    assert.equal(res.status, 400);
    assert.equal(await res.text(), "other problem");
  } finally {
    seam.close();
    await server.shutdown();
  }
});

Deno.test("createDenoFetch() sends requests through HTTP_PROXY but not to loopback", async () => {
  const proxy = serve((req) => new Response(`proxy ${req.url}`));
  const direct = serve(() => new Response("direct"));
  const seam = createDenoFetch({ hosts: [], env: { HTTP_PROXY: `http://${proxy.host}` } });
  try {
    const res = await seam.fetch("http://proxied.example/v2/");
    assert.equal(await res.text(), "proxy http://proxied.example/v2/");
    const local = await seam.fetch(`http://${direct.host}/v2/`);
    assert.equal(await local.text(), "direct");
  } finally {
    seam.close();
    await proxy.server.shutdown();
    await direct.server.shutdown();
  }
});

Deno.test("createDenoFetch() with a proxy variable set keeps loopback short exchanges on its own connection", async () => {
  const proxy = serve((req) => new Response(`proxy ${req.url}`));
  const direct = serve(() => new Response("direct"));
  const seam = createDenoFetch({ hosts: [], env: { "http_proxy": `http://${proxy.host}` } });
  try {
    await _countingFetch(async (calls) => {
      const local = await seam.fetch(`http://${direct.host}/v2/`, { redirect: "manual" });
      assert.equal(await local.text(), "direct");
      assert.deepEqual(calls, [], "loopback is never proxied: the wire fetch takes it");
      const proxied = await seam.fetch("http://proxied.example/v2/", { redirect: "manual" });
      assert.equal(await proxied.text(), "proxy http://proxied.example/v2/");
      assert.deepEqual(calls, ["GET /v2/"], "a proxied exchange goes through Deno's fetch");
    });
  } finally {
    seam.close();
    await proxy.server.shutdown();
    await direct.server.shutdown();
  }
});

Deno.test("createDenoFetch() refuses requests after close and a bad proxy variable", async () => {
  const seam = createDenoFetch({ hosts: [], env: { HTTP_PROXY: "ftp://p.example" } });
  await assert.rejects(seam.fetch("http://r.example/v2/"), { code: "CONFIG" });
  seam.close();
  await assert.rejects(seam.fetch("http://r.example/v2/"), TypeError);
});

/** Runs `fn` with `globalThis.fetch` counting its calls (and still fetching). */
async function _countingFetch(fn: (calls: string[]) => Promise<void>): Promise<void> {
  const real = globalThis.fetch;
  const calls: string[] = [];
  globalThis.fetch = (input, init) => {
    calls.push(
      `${init?.method ?? "GET"} ${new URL(input instanceof Request ? input.url : input).pathname}`,
    );
    return real(input, init);
  };
  try {
    await fn(calls);
  } finally {
    globalThis.fetch = real;
  }
}

Deno.test("createDenoFetch() sends short exchanges over its own kept-alive connection, blob downloads through fetch", async () => {
  const ports: number[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req, info) => {
      ports.push(info.remoteAddr.port);
      const body = req.body ? await req.text() : "";
      return new Response(req.method === "HEAD" ? null : `${req.method} ${body}`, {
        headers: {
          "docker-content-digest": "sha256:abc",
          "x-agent": req.headers.get("user-agent") ?? "",
        },
      });
    },
  );
  const host = `127.0.0.1:${server.addr.port}`;
  const seam = createDenoFetch({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    await _countingFetch(async (calls) => {
      const manual = { redirect: "manual" } as const;
      const get = await seam.fetch(`http://${host}/v2/a/manifests/v1`, {
        ...manual,
        headers: { "User-Agent": "probe/1" },
      });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get("x-agent"), "probe/1");
      assert.equal(await get.text(), "GET ");
      const head = await seam.fetch(`http://${host}/v2/a/manifests/v1`, {
        ...manual,
        method: "HEAD",
      });
      assert.equal(head.headers.get("docker-content-digest"), "sha256:abc");
      assert.equal(head.body, null);
      const put = await seam.fetch(`http://${host}/v2/a/manifests/v2`, {
        ...manual,
        method: "PUT",
        body: new TextEncoder().encode("{}"),
      });
      assert.equal(await put.text(), "PUT {}");
      assert.deepEqual(calls, [], "no short exchange goes through Deno's fetch");
      assert.equal(new Set(ports).size, 1, "one connection, kept alive");
      const blob = await seam.fetch(`http://${host}/v2/a/blobs/sha256:abc`, manual);
      assert.equal(await blob.text(), "GET ");
      const followed = await seam.fetch(`http://${host}/v2/`);
      await followed.body?.cancel();
      assert.deepEqual(calls, ["GET /v2/a/blobs/sha256:abc", "GET /v2/"]);
    });
  } finally {
    seam.close();
    await server.shutdown();
  }
});

Deno.test('createDenoFetch() fails a short exchange with redirect "error" on a redirect, as fetch does', async () => {
  const { server, host } = serve(() =>
    new Response(null, { status: 307, headers: { location: "/elsewhere" } })
  );
  const seam = createDenoFetch({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    await assert.rejects(
      seam.fetch(`http://${host}/token`, { redirect: "error" }),
      (e: unknown) => e instanceof TypeError && /307/.test(e.message),
    );
    const manual = await seam.fetch(`http://${host}/v2/`, { redirect: "manual" });
    assert.equal(manual.status, 307);
    assert.equal(manual.headers.get("location"), "/elsewhere");
  } finally {
    seam.close();
    await server.shutdown();
  }
});

Deno.test("createDenoFetch() decodes a short exchange the server gzips although asked not to, and refuses other codings", async () => {
  const { gzipSync } = await import("node:zlib");
  const json = JSON.stringify({ name: "a", tags: ["v1", "v2"] });
  const packed = new Uint8Array(gzipSync(new TextEncoder().encode(json)));
  const seen: string[] = [];
  const { server, host } = serve((req) => {
    seen.push(req.headers.get("accept-encoding") ?? "");
    const br = new URL(req.url).pathname === "/br";
    return new Response(br ? "x" : packed, {
      headers: { "content-encoding": br ? "br" : "gzip" },
    });
  });
  const seam = createDenoFetch({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    const res = await seam.fetch(`http://${host}/v2/a/tags/list`, { redirect: "manual" });
    assert.equal(await res.text(), json);
    assert.equal(res.headers.get("content-encoding"), "gzip");
    await assert.rejects(
      seam.fetch(`http://${host}/br`, { redirect: "manual" }),
      (e: unknown) => e instanceof TypeError && /Content-Encoding "br"/.test(e.message),
    );
    assert.deepEqual(seen, ["identity", "identity"]);
  } finally {
    seam.close();
    await server.shutdown();
  }
});

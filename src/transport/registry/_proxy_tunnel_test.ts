import assert from "node:assert/strict";
import { createDenoFetch } from "./deno_fetch.ts";
import { proxyAuthorization } from "./_proxy_tunnel.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();

async function _selfSigned(dir: string): Promise<{ cert: string; key: string }> {
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${dir}/key.pem`,
      "-out",
      `${dir}/cert.pem`,
      "-subj",
      "/CN=secure.example",
      "-days",
      "1",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  return {
    cert: await Deno.readTextFile(`${dir}/cert.pem`),
    key: await Deno.readTextFile(`${dir}/key.pem`),
  };
}

/** A proxy on 127.0.0.1: CONNECT tunnels to `tlsPort`; absolute-form requests are answered here. */
function _proxy(tlsPort: number) {
  const seen: string[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const done = (async () => {
    for await (const c of listener) {
      conns.push(c);
      (async () => {
        let head = "";
        const buf = new Uint8Array(65536);
        let rest = new Uint8Array();
        while (!head.includes("\r\n\r\n")) {
          const n = await c.read(buf);
          if (n === null) return;
          const text = dec.decode(buf.subarray(0, n));
          const end = (head + text).indexOf("\r\n\r\n");
          if (end >= 0) {
            rest = buf.slice(
              enc.encode((head + text).slice(0, end + 4)).length - enc.encode(head).length,
              n,
            );
          }
          head += text;
        }
        const lines = head.slice(0, head.indexOf("\r\n\r\n")).split("\r\n");
        seen.push(lines.join("|").toLowerCase());
        if (lines[0]?.startsWith("CONNECT ")) {
          const up = await Deno.connect({ hostname: "127.0.0.1", port: tlsPort });
          conns.push(up);
          await c.write(enc.encode("HTTP/1.1 200 Connection established\r\n\r\n"));
          c.readable.pipeTo(up.writable).catch(() => {});
          up.readable.pipeTo(c.writable).catch(() => {});
          return;
        }
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        let got = rest.length;
        while (got < length) {
          const n = await c.read(buf);
          if (n === null) break;
          got += n;
        }
        const body = `proxied ${got}`;
        await c.write(
          enc.encode(
            `HTTP/1.1 201 Created\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          ),
        );
        c.close();
      })().catch(() => {});
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    seen,
    async close() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // closed already
        }
      }
      await done.catch(() => {});
    },
  };
}

Deno.test("proxyAuthorization() encodes the proxy URL's credentials", () => {
  assert.equal(proxyAuthorization(new URL("http://u%40x:p@proxy:3128")), `Basic ${btoa("u@x:p")}`);
  assert.equal(proxyAuthorization(new URL("http://proxy:3128")), undefined);
});

Deno.test("node:http(s) requests honour HTTP(S)_PROXY: a tls-insecure host through CONNECT, length uploads by absolute URL; NO_PROXY bypasses", async () => {
  const dir = await Deno.makeTempDir();
  const { cert, key } = await _selfSigned(dir);
  const uploads: string[] = [];
  const target = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    async (req) => {
      const body = new Uint8Array(await req.arrayBuffer());
      uploads.push(
        `${req.method} ${new URL(req.url).pathname} ${
          req.headers.get("content-length")
        } ${body.length}`,
      );
      return new Response("secure ok");
    },
  );
  const proxy = _proxy(target.addr.port);
  const env = {
    HTTPS_PROXY: `http://me:secret@127.0.0.1:${proxy.port}`,
    HTTP_PROXY: `http://127.0.0.1:${proxy.port}`,
  };
  const seam = createDenoFetch({
    hosts: [{ name: "secure.example", tls: "insecure" }, {
      name: "plain.example",
      tls: "disabled",
    }],
    env,
  });
  try {
    const ping = await seam.fetch("https://secure.example/v2/");
    assert.equal(await ping.text(), "secure ok");
    assert.ok(
      proxy.seen.some((s) => s.startsWith("connect secure.example:443")),
      proxy.seen.join("\n"),
    );
    assert.ok(
      proxy.seen.some((s) =>
        s.includes(`proxy-authorization: basic ${btoa("me:secret").toLowerCase()}`)
      ),
    );
    const put = await seam.fetch("https://secure.example/v2/a/blobs/uploads/x", {
      method: "PUT",
      headers: { "Content-Length": "5" },
      body: ReadableStream.from([enc.encode("hello")]),
    });
    await put.body?.cancel();
    assert.ok(uploads.includes("PUT /v2/a/blobs/uploads/x 5 5"), uploads.join("\n"));
    const plain = await seam.fetch("http://plain.example/v2/a/blobs/uploads/y", {
      method: "PATCH",
      headers: { "Content-Length": "3" },
      body: ReadableStream.from([enc.encode("abc")]),
    });
    assert.equal(await plain.text(), "proxied 3");
    assert.ok(
      proxy.seen.some((s) =>
        s.startsWith("patch http://plain.example/v2/a/blobs/uploads/y http/1.1") &&
        s.includes("content-length: 3")
      ),
      proxy.seen.join("\n"),
    );
    const bypass = createDenoFetch({
      hosts: [{ name: "secure.example", tls: "insecure" }],
      env: { ...env, NO_PROXY: "secure.example" },
    });
    const before = proxy.seen.length;
    await assert.rejects(bypass.fetch("https://secure.example/v2/"));
    assert.equal(proxy.seen.length, before, "NO_PROXY host went through the proxy");
    bypass.close();
  } finally {
    seam.close();
    await proxy.close();
    await target.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { digestOf } from "../types/digest.ts";
import { startRegistryServer } from "./server.ts";

Deno.test("startRegistryServer() serves on a free port and stops on shutdown()", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-srv-" });
  try {
    const srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    const res = await fetch(`http://127.0.0.1:${srv.addr.port}/v2/`);
    equal(res.status, 200);
    equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    await res.body?.cancel();
    await srv.shutdown();
    await srv.finished;
    await rejects(fetch(`http://127.0.0.1:${srv.addr.port}/v2/`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startRegistryServer() stops when its signal aborts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-srv-" });
  try {
    const ac = new AbortController();
    const srv = await startRegistryServer({
      dir,
      hostname: "127.0.0.1",
      port: 0,
      signal: ac.signal,
    });
    ac.abort();
    await srv.finished;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startRegistryServer() rejects a port already in use", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-srv-" });
  const first = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
  try {
    await rejects(
      startRegistryServer({ dir, hostname: "127.0.0.1", port: first.addr.port }),
      Deno.errors.AddrInUse,
    );
  } finally {
    await first.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startRegistryServer() serves HTTPS with the given certificate", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-srv-" });
  try {
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
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    equal(out.code, 0, "install openssl");
    const cert = await Deno.readTextFile(`${dir}/cert.pem`);
    const key = await Deno.readTextFile(`${dir}/key.pem`);
    const srv = await startRegistryServer({
      dir: `${dir}/data`,
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert, key },
    });
    const client = Deno.createHttpClient({ caCerts: [cert] });
    try {
      const res = await fetch(`https://127.0.0.1:${srv.addr.port}/v2/`, { client });
      equal(res.status, 200);
      await res.body?.cancel();
    } finally {
      client.close();
      await srv.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startRegistryServer() shutdown lets an upload in flight finish", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-srv-" });
  try {
    const srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    const base = `http://127.0.0.1:${srv.addr.port}`;
    const post = await fetch(`${base}/v2/up/repo/blobs/uploads/`, { method: "POST" });
    await post.body?.cancel();
    const location = new URL(post.headers.get("location") ?? "", base);
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(new TextEncoder().encode("first "));
          return;
        }
        await gate;
        c.enqueue(new TextEncoder().encode("second"));
        c.close();
      },
    });
    const patch = fetch(location, { method: "PATCH", body });
    await new Promise((r) => setTimeout(r, 50));
    let stopped = false;
    const stopping = srv.shutdown().then(() => stopped = true);
    await new Promise((r) => setTimeout(r, 50));
    equal(stopped, false);
    const during = await fetch(`${base}/v2/`);
    equal(during.status, 503);
    await during.body?.cancel();
    release();
    const res = await patch;
    equal(res.status, 202);
    equal(res.headers.get("range"), "0-11");
    await res.body?.cancel();
    await stopping;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startRegistryServer() never sends a whole tampered blob over HTTP", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-srv-" });
  const logs: string[] = [];
  const srv = await startRegistryServer({
    dir,
    hostname: "127.0.0.1",
    port: 0,
    log: (l) => logs.push(l),
  });
  try {
    const base = `http://127.0.0.1:${srv.addr.port}`;
    const data = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => (i * 7) % 256);
    const digest = await digestOf(data);
    const put = await fetch(`${base}/v2/t/r/blobs/uploads/?digest=${digest}`, {
      method: "POST",
      body: data,
    });
    await put.body?.cancel();
    equal(put.status, 201);
    const good = await fetch(`${base}/v2/t/r/blobs/${digest}`);
    deepEqual(new Uint8Array(await good.arrayBuffer()), data);
    const tampered = data.slice();
    tampered[tampered.length - 10] = (tampered[tampered.length - 10]! + 1) % 256;
    await Deno.writeFile(`${dir}/t/r/blobs/sha256/${digest.slice(7)}`, tampered);
    const res = await fetch(`${base}/v2/t/r/blobs/${digest}`);
    equal(res.status, 200);
    equal(res.headers.get("content-length"), String(data.byteLength));
    let received = 0;
    await rejects(async () => {
      for await (const chunk of res.body!) received += chunk.byteLength;
    });
    ok(received < data.byteLength, `received ${received} of ${data.byteLength}`);
    ok(logs.some((l) => l.includes(digest)));
  } finally {
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { hasOpenssl, selfSigned } from "../../../tests/registry/_tls_certs.ts";
import { isCertificateError, PinnedClients, probeOnThread } from "./_pinned_tls.ts";

Deno.test("PinnedClients: a failed probe sends the request to node:https and is tried again", async () => {
  const logs: string[] = [];
  let probes = 0;
  const pins = new PinnedClients({
    logger: { debug: (m) => logs.push(m) },
    probe: () => {
      probes++;
      return Promise.reject(new Error("connection refused"));
    },
  });
  const url = new URL("https://127.0.0.1:1/v2/");
  assert.equal(await pins.clientFor(url), undefined);
  assert.equal(await pins.clientFor(url), undefined);
  assert.equal(probes, 2);
  assert.match(logs[0]!, /cannot read the presented certificates; using node:https/);
  pins.close();
});

Deno.test({
  name: "PinnedClients: one probe per host, the same client for every request, none after unpin",
  ignore: !hasOpenssl,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-pin-" });
    const cert = await selfSigned(dir, { name: "leaf", san: "IP:127.0.0.1" });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, ...cert, onListen() {} },
      () => new Response("ok"),
    );
    let probes = 0;
    const pins = new PinnedClients({
      probe: (q) => {
        probes++;
        return probeOnThread(q);
      },
    });
    try {
      const url = new URL(`https://127.0.0.1:${server.addr.port}/v2/`);
      const [a, b] = await Promise.all([pins.clientFor(url), pins.clientFor(url)]);
      assert.ok(a !== undefined);
      assert.equal(a, b);
      assert.equal(probes, 1);
      const res = await fetch(url, { client: a });
      assert.equal(await res.text(), "ok");
      pins.unpin(url, "test");
      assert.equal(await pins.clientFor(url), undefined);
      assert.equal(probes, 1);
    } finally {
      pins.close();
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("isCertificateError() reads rustls's refusals, not other network errors", () => {
  const refused = new TypeError("fetch failed", {
    cause: new Error("invalid peer certificate: UnknownIssuer"),
  });
  assert.equal(isCertificateError(refused), true);
  assert.equal(isCertificateError(new TypeError("connection refused")), false);
  assert.equal(isCertificateError("certificate"), false);
});

Deno.test({
  name: "PinnedClients: a server that never completes the checked handshake stays on node:https",
  ignore: !hasOpenssl,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-pin-" });
    const { cert } = await selfSigned(dir, { name: "leaf", san: "IP:127.0.0.1" });
    await Deno.remove(dir, { recursive: true });
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      for await (const c of listener) held.push(c);
    })();
    const logs: string[] = [];
    let probes = 0;
    const pins = new PinnedClients({
      logger: { debug: (m, data) => logs.push(`${m} ${String(data?.reason)}`) },
      probe: () => {
        probes++;
        return Promise.resolve([cert]);
      },
      timeoutMs: 200,
    });
    try {
      const url = new URL(`https://127.0.0.1:${listener.addr.port}/v2/`);
      assert.equal(await pins.clientFor(url), undefined);
      assert.equal(await pins.clientFor(url), undefined);
      assert.equal(probes, 1);
      assert.equal(logs.length, 1);
      assert.match(logs[0]!, /cannot be pinned; using node:https no TLS handshake within 200 ms/);
    } finally {
      pins.close();
      listener.close();
      await accepting.catch(() => {});
      for (const c of held) c.close();
    }
  },
});

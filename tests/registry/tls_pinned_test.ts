/**
 * `tls: insecure` through a pinned Deno client: `ocictl serve` over https
 * with certificates made by openssl, driven through the CLI and through the
 * fetch seam. Which path a host took is read from the `-v debug` log.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { withLayout } from "../cli/_layout.ts";
import { DigestMismatchError, ErrorCode, RegistryError } from "../../src/errors.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { createDenoFetch } from "../../src/transport/registry/deno_fetch.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { parseRef } from "../../src/types/ref.ts";
import { hasDistribution, startDistribution } from "./_distribution.ts";
import { randomBytes } from "./_image.ts";
import { hasOpenssl, makePki, selfSigned, type TestCert } from "./_tls_certs.ts";

const PINNED = /tls insecure: pinned the presented certificates/;
const REFUSED = /tls insecure: the pinned certificate was refused/;
const UNPINNABLE = /tls insecure: the presented certificates cannot be pinned/;

async function withServe(
  cert: TestCert,
  fn: (host: string, data: string) => Promise<void>,
  port = 0,
): Promise<void> {
  const data = await Deno.makeTempDir({ prefix: "ocictl-tls-pin-" });
  const srv = await startRegistryServer({ dir: data, hostname: "127.0.0.1", port, tls: cert });
  try {
    await fn(`127.0.0.1:${srv.addr.port}`, data);
  } finally {
    await srv.shutdown();
    await Deno.remove(data, { recursive: true });
  }
}

async function withCerts<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-tls-certs-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Pushes and pulls a sample image and a 5 MiB blob; returns the pull's stderr. */
async function pushPull(host: string): Promise<string> {
  const flags = ["--host", `reg=${host},tls=insecure`, "-v", "debug"];
  let stderr = "";
  await withLayout(async (layout) => {
    const push = await runCli([...flags, "image", "copy", `${layout.base}:v1`, `${host}/pin:v1`]);
    assert.equal(push.code, 0, push.stderr);
    const pull = await runCli([
      ...flags,
      "image",
      "copy",
      `${host}/pin:v1`,
      `ocidir://${layout.dir}/back:v1`,
    ]);
    assert.equal(pull.code, 0, pull.stderr);
    const digest = await runCli(["image", "digest", `ocidir://${layout.dir}/back:v1`]);
    assert.equal(digest.stdout.trim(), layout.sample.index.digest);
    const data = randomBytes(5 * 1024 * 1024 + 3, 11);
    const put = await runCli([...flags, "blob", "put", `${host}/pin`], { stdin: data });
    assert.equal(put.code, 0, put.stderr);
    const get = await runCli([...flags, "blob", "get", `${host}/pin`, put.stdout.trim()]);
    assert.equal(get.code, 0, get.stderr);
    assert.deepEqual(get.stdoutBytes, data);
    stderr = pull.stderr + get.stderr;
  });
  return stderr;
}

Deno.test({
  name: "tls insecure pins a self-signed server certificate and pulls through Deno's fetch",
  ignore: !hasOpenssl,
  fn: () =>
    withCerts(async (dir) => {
      const cert = await selfSigned(dir, { name: "leaf", san: "IP:127.0.0.1" });
      await withServe(cert, async (host) => {
        const log = await pushPull(host);
        assert.match(log, PINNED);
        assert.doesNotMatch(log, UNPINNABLE);
      });
    }),
});

Deno.test({
  name: "tls insecure pins a private CA the server sends with its leaf",
  ignore: !hasOpenssl,
  fn: () =>
    withCerts(async (dir) => {
      const pki = await makePki(dir);
      await withServe({ cert: pki.cert + pki.ca, key: pki.key }, async (host) => {
        assert.match(await pushPull(host), PINNED);
      });
    }),
});

Deno.test({
  name: "tls insecure falls back to node:https for certificates the pin cannot verify",
  ignore: !hasOpenssl,
  fn: () =>
    withCerts(async (dir) => {
      const pki = await makePki(dir);
      const cases: [string, TestCert, RegExp][] = [
        [
          "another host name",
          await selfSigned(dir, { name: "other", san: "DNS:other.example" }),
          /not valid for name/,
        ],
        [
          "a CA certificate as the server's (openssl req -x509)",
          await selfSigned(dir, { name: "ca", san: "IP:127.0.0.1", ca: true }),
          /CaUsedAsEndEntity/,
        ],
        ["a leaf without its CA", { cert: pki.cert, key: pki.key }, /UnknownIssuer/],
        [
          "an expired certificate",
          await selfSigned(dir, { name: "old", san: "IP:127.0.0.1", expired: true }),
          /Expired/,
        ],
      ];
      for (const [what, cert, reason] of cases) {
        await withServe(cert, async (host) => {
          const log = await pushPull(host);
          assert.match(log, UNPINNABLE, what);
          assert.match(log, reason, what);
          assert.doesNotMatch(log, PINNED, what);
        });
      }
    }),
});

Deno.test({
  name: "tls insecure through a pinned client still ends a corrupt blob in DIGEST_MISMATCH",
  ignore: !hasOpenssl || !hasDistribution,
  fn: () =>
    withCerts(async (dir) => {
      // docker-registry serves stored bytes without checking them (ocictl serve would cut the stream).
      const d = await startDistribution({
        tls: await selfSigned(dir, { name: "leaf", san: "IP:127.0.0.1" }),
      });
      try {
        const flags = ["--host", `reg=${d.host},tls=insecure`, "-v", "debug"];
        const data = randomBytes(3 * 1024 * 1024, 12);
        const put = await runCli([...flags, "blob", "put", `${d.host}/bad`], { stdin: data });
        assert.equal(put.code, 0, put.stderr);
        const digest = put.stdout.trim();
        const hex = digest.slice("sha256:".length);
        const file = `${d.dir}/data/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
        const bytes = await Deno.readFile(file);
        bytes[bytes.length >> 1]! ^= 0xff;
        await Deno.writeFile(file, bytes);
        const get = await runCli([...flags, "blob", "get", `${d.host}/bad`, digest]);
        assert.equal(get.code, 1);
        assert.match(get.stderr, PINNED);
        assert.match(get.stderr, /expected digest/);
        const hosts = [{ name: d.host, tls: "insecure" as const }];
        const seam = createDenoFetch({ hosts });
        const t = new RegistryTransport({ hosts, fetch: seam.fetch });
        try {
          const blob = await t.blobGet(parseRef(`${d.host}/bad`), digest, { size: data.length });
          await assert.rejects(new Response(blob.body).arrayBuffer(), (err: unknown) => {
            assert.ok(err instanceof DigestMismatchError);
            assert.equal(err.code, ErrorCode.DIGEST_MISMATCH);
            return true;
          });
        } finally {
          await t.close();
          seam.close();
        }
      } finally {
        await d.stop();
      }
    }),
});

Deno.test({
  name: "a certificate that changes after pinning moves the host to node:https, or fails typed",
  ignore: !hasOpenssl,
  fn: () =>
    withCerts(async (dir) => {
      const first = await selfSigned(dir, { name: "first", san: "IP:127.0.0.1" });
      const second = await selfSigned(dir, { name: "second", san: "IP:127.0.0.1" });
      const logs: string[][] = [[], []];
      const seams: ReturnType<typeof createDenoFetch>[] = [];
      let port = 0;
      try {
        await withServe(first, async (host) => {
          port = Number(host.split(":")[1]);
          for (const log of logs) {
            const seam = createDenoFetch({
              hosts: [{ name: host, tls: "insecure" }],
              logger: { debug: (m) => log.push(m) },
            });
            seams.push(seam);
            const res = await seam.fetch(`https://${host}/v2/`);
            assert.equal(res.status, 200);
            await res.body?.cancel();
            assert.ok(log.some((l) => PINNED.test(l)), log.join("\n"));
          }
        });
        await withServe(second, async (host) => {
          const [replaying, streaming] = seams as [typeof seams[0], typeof seams[0]];
          // A request without a body is sent again over node:https, and so is every later one.
          for (let i = 0; i < 2; i++) {
            const res = await replaying.fetch(`https://${host}/v2/`);
            assert.equal(res.status, 200);
            await res.body?.cancel();
          }
          assert.equal(logs[0]!.filter((l) => REFUSED.test(l)).length, 1, logs[0]!.join("\n"));
          // A streamed body cannot be sent again: a typed error says what happened.
          const upload = streaming.fetch(`https://${host}/v2/pin/blobs/uploads/`, {
            method: "POST",
            body: ReadableStream.from([new Uint8Array([1, 2, 3])]),
          });
          await assert.rejects(upload, (err: unknown) => {
            assert.ok(err instanceof RegistryError);
            assert.equal(err.code, ErrorCode.REGISTRY);
            assert.match(err.message, /certificate changed .*run the command again/);
            return true;
          });
          assert.ok(logs[1]!.some((l) => REFUSED.test(l)), logs[1]!.join("\n"));
        }, port);
      } finally {
        for (const seam of seams) seam.close();
      }
    }),
});

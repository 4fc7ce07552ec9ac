/**
 * TLS modes end to end: docker-registry served over https with a throwaway
 * CA made by openssl, and over plain http, driven through the CLI.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { digestOf } from "../../src/types/digest.ts";
import { parseRef } from "../../src/types/ref.ts";
import { createDenoFetch } from "../../src/transport/registry/deno_fetch.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { randomBytes } from "./_image.ts";
import { type Distribution, hasDistribution, startDistribution } from "./_distribution.ts";
import { hasOpenssl, makeClientCert, makePki, type TestPki } from "./_tls_certs.ts";
import { digestAt } from "../cli/_layout.ts";
import { assertSameBlobs, buildImage, counting, registryPuts } from "../cli/_raw_image.ts";

const ignore = !hasDistribution || !hasOpenssl;

async function withTlsRegistry(
  fn: (d: Distribution, pki: TestPki, env: Record<string, string>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-tls-" });
  try {
    const pki = await makePki(dir);
    const d = await startDistribution({ tls: { cert: pki.cert, key: pki.key } });
    try {
      await fn(d, pki, { OCICTL_CONFIG: `${dir}/config.json` });
    } finally {
      await d.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Registries over https that require a client certificate, one throwaway PKI. */
interface Mtls {
  dir: string;
  pki: TestPki;
  env: Record<string, string>;
  /** Starts another such registry (stopped at the end). */
  start(): Promise<Distribution>;
  /** `registry set` with the CA and the client certificate for `host`. */
  trust(host: string): Promise<void>;
}

async function withMtls(fn: (m: Mtls) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-mtls-" });
  const started: Distribution[] = [];
  try {
    const pki = await makePki(dir);
    const client = await makeClientCert(dir);
    const env = { OCICTL_CONFIG: `${dir}/config.json` };
    await fn({
      dir,
      pki,
      env,
      start: async () => {
        const d = await startDistribution({
          tls: { cert: pki.cert, key: pki.key, clientCa: pki.ca },
        });
        started.push(d);
        return d;
      },
      trust: async (host) => {
        const set = await runCli([
          "registry",
          "set",
          "--cacert",
          pki.ca,
          "--client-cert",
          client.cert,
          "--client-key",
          client.key,
          host,
        ], { env });
        assert.equal(set.code, 0, set.stderr);
      },
    });
  } finally {
    // every registry is stopped and the directory removed, whatever fails
    await Promise.allSettled(started.map((d) => d.stop()));
    await Deno.remove(dir, { recursive: true });
  }
}

async function roundTrip(
  host: string,
  env: Record<string, string>,
  extra: string[] = [],
  size = 300_000,
) {
  const data = randomBytes(size, 7);
  const put = await runCli([...extra, "blob", "put", `${host}/tls/test`], { env, stdin: data });
  assert.equal(put.code, 0, put.stderr);
  const digest = put.stdout.trim();
  const got = await runCli([...extra, "blob", "get", `${host}/tls/test`, digest], { env });
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(got.stdoutBytes, data);
}

Deno.test({
  name: "tls enabled without the CA fails with a certificate error and stores nothing",
  ignore,
  fn: () =>
    withTlsRegistry(async (d, _pki, env) => {
      const r = await runCli(["blob", "put", `${d.host}/tls/test`], { env, stdin: "x" });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--cacert/);
      const head = await runCli([
        "--host",
        `reg=${d.host},tls=insecure`,
        "blob",
        "head",
        `${d.host}/tls/test`,
        await digestOf(new TextEncoder().encode("x")),
      ], { env });
      assert.equal(head.code, 1, "the blob must not exist");
      assert.match(head.stderr, /not found|404/i);
      const ping = await runCli(["registry", "set", "--hostname", d.host, d.host], { env });
      assert.equal(ping.code, 1);
    }),
});

Deno.test({
  name: "registry set --cacert trusts the registry's CA for every verb",
  ignore,
  fn: () =>
    withTlsRegistry(async (d, pki, env) => {
      const set = await runCli(["registry", "set", "--cacert", pki.ca, d.host], { env });
      assert.equal(set.code, 0, set.stderr);
      await roundTrip(d.host, env);
      const cfg = await runCli(["registry", "config", d.host], { env });
      assert.equal((JSON.parse(cfg.stdout) as { regcert: string }).regcert, pki.ca);
    }),
});

Deno.test({
  name:
    "registry set --client-cert/--client-key reaches a registry that requires one, for every verb",
  ignore,
  fn: () =>
    withMtls(async ({ dir, pki, env, start, trust }) => {
      const d = await start();
      // the CA alone is not enough: the registry wants a client certificate
      const caOnly = { OCICTL_CONFIG: `${dir}/ca-only.json` };
      const refused = await runCli(["registry", "set", "--cacert", pki.ca, d.host], {
        env: caOnly,
      });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /refused the TLS client certificate .*--client-cert/);
      await trust(d.host);
      // the manifest and tag requests (wire fetch), the upload of known size
      // (node:https) and the blob download all present it
      await roundTrip(d.host, env);
      const image = await runCli(["image", "create", `${d.host}/tls/img:v1`], { env });
      assert.equal(image.code, 0, image.stderr);
      const ls = await runCli(["tag", "ls", `${d.host}/tls/img`], { env });
      assert.equal(ls.code, 0, ls.stderr);
      assert.equal(ls.stdout, "v1\n");
    }),
});

Deno.test({
  name: "tls insecure skips verification (config file and --host)",
  ignore,
  fn: () =>
    withTlsRegistry(async (d, _pki, env) => {
      await roundTrip(d.host, env, ["--host", `reg=${d.host},tls=insecure`]);
      const set = await runCli(["registry", "set", "--tls", "insecure", d.host], { env });
      assert.equal(set.code, 0, set.stderr);
      await roundTrip(d.host, env);
      // Larger than two 8 MiB windows: the insecure path reads blobs in ranges.
      await roundTrip(d.host, env, [], 17 * 1024 * 1024 + 5);
      await roundTrip(d.host, env, [], 0);
      const ls = await runCli(["tag", "ls", `${d.host}/tls/test`], { env });
      assert.equal(ls.code, 1); // no tags: the repository exists only through blobs
    }),
});

Deno.test({
  name: "tls disabled against an https registry fails with the --tls enabled hint",
  ignore,
  fn: () =>
    withTlsRegistry(async (d, _pki, env) => {
      const r = await runCli(["--host", `reg=${d.host},tls=disabled`, "tag", "ls", `${d.host}/a`], {
        env,
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--tls enabled/);
    }),
});

Deno.test({
  name: "tls enabled against a plain-http registry gives the --tls disabled hint",
  ignore: !hasDistribution,
  fn: async () => {
    const d = await startDistribution();
    const dir = await Deno.makeTempDir();
    try {
      const env = { OCICTL_CONFIG: `${dir}/config.json` };
      const r = await runCli(["tag", "ls", `${d.host}/a`], { env });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`registry set --tls disabled ${d.host.replace(/\./g, "\\.")}`),
      );
    } finally {
      await d.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "an upload of known size (node:https with Content-Length) trusts the host's regcert",
  ignore,
  fn: () =>
    withTlsRegistry(async (d, pki) => {
      const hosts = [{ name: d.host, regcert: pki.ca }];
      const seam = createDenoFetch({ hosts });
      const t = new RegistryTransport({ hosts, fetch: seam.fetch });
      try {
        const data = randomBytes(3 * 1024 * 1024 + 3, 9);
        const digest = await digestOf(data);
        const ref = parseRef(`${d.host}/tls/len`);
        const desc = await t.blobPut(ref, ReadableStream.from([data]), {
          digest,
          size: data.byteLength,
        });
        assert.equal(desc.size, data.byteLength);
        assert.equal((await t.blobHead(ref, digest)).size, data.byteLength);
      } finally {
        await t.close();
        seam.close();
      }
    }),
});

Deno.test({
  name:
    "image copy over https with the registry's CA and a client certificate: large layers up, then down into a layout from byte sources, byte for byte",
  ignore,
  fn: () =>
    withMtls(async ({ dir, env, start, trust }) => {
      const d = await start();
      await trust(d.host);
      const built = await buildImage(`${dir}/src`);
      const up = await runCli(["image", "copy", `ocidir://${dir}/src:v1`, `${d.host}/tls/big:v1`], {
        env,
      });
      assert.equal(up.code, 0, up.stderr);
      const c = counting();
      const down = await runCli(
        ["image", "copy", `${d.host}/tls/big:v1`, `ocidir://${dir}/dst:v1`],
        { env, transports: c.factory },
      );
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(c.counts().slice(1), [3, 3], "config and layers, from byte sources");
      assert.equal(await digestAt(`ocidir://${dir}/dst:v1`), built.index);
      await assertSameBlobs(`${dir}/src`, `${dir}/dst`, built.blobs);
      // registry → registry: each blob read from a byte source and sent on with its length
      const d2 = await start();
      await trust(d2.host);
      const puts = registryPuts();
      const across = await runCli(
        ["image", "copy", `${d.host}/tls/big:v1`, `${d2.host}/tls/copy:v1`],
        { env, transports: puts.factory },
      );
      assert.equal(across.code, 0, across.stderr);
      assert.deepEqual(puts.sourced, [true, true, true], "config and layers, from byte sources");
      const back = await runCli(
        ["image", "copy", `${d2.host}/tls/copy:v1`, `ocidir://${dir}/back:v1`],
        { env },
      );
      assert.equal(back.code, 0, back.stderr);
      assert.equal(await digestAt(`ocidir://${dir}/back:v1`), built.index);
      await assertSameBlobs(`${dir}/src`, `${dir}/back`, built.blobs);
    }),
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  Client,
  ConfiguredRegistryTransport,
  createTransportFactory,
  DEFAULT_USER_AGENT,
} from "./client.ts";
import { memoryIo } from "./config/_memory_io_test_helper.ts";
import { ConfigError, DigestMismatchError, NotFoundError, UsageError } from "./errors.ts";
import { buildSampleImages } from "./sample/sample_images.ts";
import { startRegistryServer } from "./serve/server.ts";
import { MemoryTransport } from "./transport/memory/memory_transport.ts";
import { OciDirTransport } from "./transport/ocidir/ocidir_transport.ts";
import { OciFileTransport } from "./transport/ocifile/ocifile_transport.ts";
import {
  isRawBlobSource,
  isRawBlobTarget,
  isRepoLister,
  type Transport,
} from "./transport/transport.ts";
import { digestOf } from "./types/digest.ts";
import { parseRef } from "./types/ref.ts";

const MANIFEST = new TextEncoder().encode(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
);

function fakeRegistry(
  seen: Request[],
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const req = new Request(input, init);
    seen.push(req);
    await req.body?.cancel();
    const digest = "sha256:" + createHash("sha256").update(MANIFEST).digest("hex");
    return new Response(req.method === "HEAD" ? null : MANIFEST, {
      headers: {
        "content-type": "application/vnd.oci.image.index.v1+json",
        "docker-content-digest": digest,
        "content-length": String(MANIFEST.byteLength),
      },
    });
  };
}

Deno.test("createTransportFactory() serves reg with hosts from the config file and --host", async () => {
  const seen: Request[] = [];
  const responses: string[] = [];
  let fetchHosts: string[] = [];
  let closed = 0;
  const io = memoryIo({
    "/cfg/config.json": JSON.stringify({
      hosts: { "r.example": { tls: "disabled", user: "cfg" } },
    }),
  }, { OCICTL_CONFIG: "/cfg/config.json" });
  const factory = createTransportFactory({
    registry: {
      configIo: () => io,
      certsDir: "/none",
      fetch: (hosts) => {
        fetchHosts = hosts.map((h) => h.name);
        return { fetch: fakeRegistry(seen) as typeof fetch, close: () => void closed++ };
      },
    },
  });
  const client = new Client({
    transports: factory,
    settings: {
      env: io.env,
      hostFlags: ["reg=other.example:5000,tls=disabled"],
      onResponse: (_res, method) => void responses.push(method),
    },
  });
  const head = await client.manifestHead(parseRef("r.example/a/b:v1"));
  assert.equal(head.size, MANIFEST.byteLength);
  await client.manifestHead(parseRef("other.example:5000/c:v1"));
  assert.deepEqual(fetchHosts.sort(), ["other.example:5000", "r.example"]);
  assert.equal(seen[0]?.url, "http://r.example/v2/a/b/manifests/v1");
  assert.equal(seen[0]?.headers.get("user-agent"), DEFAULT_USER_AGENT);
  assert.match(DEFAULT_USER_AGENT, /^ocictl\/\d+\.\d+\.\d+/);
  assert.equal(seen[1]?.url, "http://other.example:5000/v2/c/manifests/v1");
  assert.deepEqual(responses, ["HEAD", "HEAD"]);
  await client.close();
  assert.equal(closed, 1);
});

Deno.test("ConfiguredRegistryTransport fails every call on a bad --host and cancels upload bodies", async () => {
  const t = createTransportFactory({
    registry: { configIo: () => memoryIo(), certsDir: "/none" },
  })("reg", { env: {}, hostFlags: ["reg=x,tls=sometimes"], userAgent: "ua" });
  await assert.rejects(t.manifestHead(parseRef("x/a:v1")), UsageError);
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) });
  await assert.rejects(t.blobPut(parseRef("x/a"), body), UsageError);
  assert.ok(cancelled);
  await t.close();
});

Deno.test("ConfiguredRegistryTransport refuses a malformed config file with ConfigError", async () => {
  const io = memoryIo({ "/c.json": "{ nope" }, { OCICTL_CONFIG: "/c.json" });
  const t = new ConfiguredRegistryTransport({ env: io.env, hostFlags: [] }, {
    configIo: () => io,
    certsDir: "/none",
  });
  await assert.rejects(t.tagList(parseRef("r.example/a")), ConfigError);
  await assert.rejects(t.resolved(), ConfigError);
  await t.close();
});

Deno.test("Client hands its settings to the factory and keeps ocidir working", async () => {
  const got: unknown[] = [];
  const settings = { env: { A: "1" }, hostFlags: [] };
  const client = new Client({
    transports: (scheme, s) => {
      got.push(s);
      return createTransportFactory()(scheme, s);
    },
    settings,
  });
  assert.equal(client.transport(parseRef("ocidir://x")).scheme, "ocidir");
  assert.deepEqual(got, [settings]);
  await client.close();
});

Deno.test("Client uses one transport per scheme and closes it", async () => {
  let created = 0;
  let closed = 0;
  const client = new Client({
    transports: () => {
      created++;
      const t = new MemoryTransport();
      const close = t.close.bind(t);
      t.close = () => {
        closed++;
        return close();
      };
      return t;
    },
  });
  const ref = parseRef("ocidir://x");
  client.transport(ref);
  client.transport(ref);
  assert.equal(created, 1);
  await client.close();
  assert.equal(closed, 1);
});

Deno.test("Client.resolvePlatform() picks the platform entry of an index", async () => {
  const memory = new MemoryTransport();
  const client = new Client({ transports: () => memory });
  const repo = parseRef("ocidir://repo");
  const sample = await buildSampleImages(memory, repo);
  const r = await client.resolvePlatform(sample.refs.index, {
    platform: { os: "linux", architecture: "arm64", variant: "v8" },
  });
  assert.equal(r.manifest.digest, sample.images[1]?.manifest.digest);
  assert.equal(r.ref.digest, r.manifest.digest);
  const single = await client.resolvePlatform(sample.refs.single, {
    platform: { os: "linux", architecture: "arm64" },
  });
  assert.equal(single.manifest.digest, sample.single.manifest.digest);
  await assert.rejects(
    client.resolvePlatform(sample.refs.index, {
      platform: { os: "windows", architecture: "amd64" },
    }),
    NotFoundError,
  );
  await client.close();
});

function _abilities(t: Transport): Record<string, boolean> {
  return {
    rawSource: isRawBlobSource(t),
    rawTarget: isRawBlobTarget(t),
    repoLister: isRepoLister(t),
    ping: typeof (t as { ping?: unknown }).ping === "function",
  };
}

Deno.test("createTransportFactory() gives ocidir and ocifile the abilities of their transports", async () => {
  const factory = createTransportFactory();
  const dir = factory("ocidir");
  const file = factory("ocifile");
  assert.equal(dir.scheme, "ocidir");
  assert.equal(file.scheme, "ocifile");
  // The wrappers are created before the modules load: a new optional ability
  // on a transport must be forwarded by its wrapper too.
  assert.deepEqual(_abilities(dir), _abilities(new OciDirTransport()));
  assert.deepEqual(_abilities(file), _abilities(new OciFileTransport()));
  await dir.close();
  await file.close();
});

Deno.test("createTransportFactory() ocidir transport loads on first call and stores through it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-client-" });
  try {
    const t = createTransportFactory()("ocidir");
    const repo = parseRef(`ocidir://${tmp}/layout`);
    const config = new TextEncoder().encode("{}");
    const cd = await t.blobPut(repo, ReadableStream.from([config]), {
      digest: await digestOf(config),
      size: config.byteLength,
    });
    const bad = new TextEncoder().encode("{ }");
    await assert.rejects(
      t.blobPut(repo, ReadableStream.from([bad]), { digest: await digestOf(config) }),
      DigestMismatchError,
    );
    const raw = new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: cd.digest,
        size: cd.size,
      },
      layers: [],
    }));
    await t.manifestPut(parseRef(`ocidir://${tmp}/layout:v1`), raw);
    assert.deepEqual(await t.tagList(repo), ["v1"]);
    const m = await t.manifestGet(parseRef(`ocidir://${tmp}/layout:v1`));
    assert.equal(m.digest, await digestOf(raw));
    if (isRawBlobTarget(t)) assert.equal(t.canPutRaw(repo), true);
    await t.close();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a lazy transport closed before any call loads nothing and can close twice", async () => {
  const factory = createTransportFactory();
  for (const scheme of ["ocidir", "ocifile", "reg"] as const) {
    const t = factory(scheme, { env: {}, hostFlags: [] });
    await t.close();
    await t.close();
  }
});

Deno.test("a registry transport watched with onResponse still takes byte sources (the seam's marker is kept)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl_client_" });
  const srv = await startRegistryServer({ dir: `${dir}/serve`, hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${srv.addr.port}`;
  const seen: string[] = [];
  const t = createTransportFactory()("reg", {
    env: { OCICTL_CONFIG: `${dir}/config.json` },
    hostFlags: [`reg=${host},tls=disabled`],
    onResponse: (_res, method) => seen.push(method),
  });
  try {
    await assert.rejects(t.tagList(parseRef(`${host}/a`)), NotFoundError);
    assert.deepEqual(seen, ["GET"]);
    assert.equal((t as { takesByteSources?: boolean }).takesByteSources, true);
  } finally {
    await t.close();
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import {
  DigestMismatchError,
  InvalidDigestError,
  NotFoundError,
  RegistryError,
  SizeLimitError,
} from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef } from "../../src/types/ref.ts";
import type { HostConfig } from "../../src/transport/registry/host_config.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { buildImage, collect, randomBytes } from "./_image.ts";
import { serve, type TestServer } from "./_servers.ts";

type Handler = (req: Request, url: URL) => Response | Promise<Response>;

async function withFake(
  handler: Handler,
  fn: (s: TestServer, t: RegistryTransport, seen: string[]) => Promise<void>,
  host: Partial<HostConfig> = {},
): Promise<void> {
  const seen: string[] = [];
  const s = serve(async (req) => {
    const url = new URL(req.url);
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    const res = await handler(req, url);
    await req.body?.cancel().catch(() => {});
    return res;
  });
  const t = new RegistryTransport({
    hosts: [{ name: s.host, tls: "disabled", ...host }],
    sleep: () => Promise.resolve(),
  });
  try {
    await fn(s, t, seen);
  } finally {
    await s.close();
  }
}

const html = (status: number) =>
  new Response("<html><body><h1>Oops</h1></body></html>", {
    status,
    headers: { "content-type": "text/html" },
  });
const img = await buildImage(61);
const manifestHeaders = (digest = img.digest) => ({
  "content-type": MediaType.OCI_MANIFEST,
  "docker-content-digest": digest,
});

Deno.test("HTML answers give typed errors: 200 on a list, 404 and 500 on a manifest", async () => {
  await withFake((_req, url) => {
    if (url.pathname.endsWith("/tags/list")) return html(200);
    if (url.pathname.endsWith("/manifests/missing")) return html(404);
    return html(500);
  }, async (s, t) => {
    await assert.rejects(
      t.tagList(parseRef(`${s.host}/a:x`)),
      (e: unknown) => e instanceof RegistryError && e.code === "REGISTRY",
    );
    await assert.rejects(t.manifestGet(parseRef(`${s.host}/a:missing`)), NotFoundError);
    await assert.rejects(
      t.manifestGet(parseRef(`${s.host}/a:broken`)),
      (e: unknown) => e instanceof RegistryError && e.status === 500 && e.errors.length === 0,
    );
  });
});

Deno.test("manifestGet() refuses manifests over 8 MiB, announced or streamed", async () => {
  const big = randomBytes(9 * 1024 * 1024, 1);
  await withFake((_req, url) => {
    const body = url.pathname.endsWith("/streamed")
      ? ReadableStream.from([big.subarray(0, 5_000_000), big.subarray(5_000_000)])
      : big;
    return new Response(body as BodyInit, { headers: { "content-type": MediaType.OCI_MANIFEST } });
  }, async (s, t) => {
    await assert.rejects(t.manifestGet(parseRef(`${s.host}/a:fixed`)), SizeLimitError);
    await assert.rejects(t.manifestGet(parseRef(`${s.host}/a:streamed`)), SizeLimitError);
  });
});

Deno.test("manifestPut() refuses manifests over 4 MiB before sending anything", async () => {
  await withFake(() => new Response(null, { status: 201 }), async (s, t, seen) => {
    const raw = new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [],
      annotations: { pad: "x".repeat(4 * 1024 * 1024) },
    }));
    await assert.rejects(t.manifestPut(parseRef(`${s.host}/a:x`), raw), SizeLimitError);
    assert.deepEqual(seen, []);
  });
});

Deno.test("tagList() stops endless, looping and cross-host Link headers with typed errors", async () => {
  let page = 0;
  await withFake((_req, url) => {
    const kind = url.pathname.split("/")[2];
    const headers: Record<string, string> = {};
    if (kind === "loop") headers.link = `<${url.pathname}?n=1>; rel="next"`;
    if (kind === "endless") headers.link = `<${url.pathname}?page=${++page}>; rel="next"`;
    if (kind === "away") headers.link = `<http://127.0.0.2:1/v2/away/tags/list>; rel="next"`;
    return Response.json({ name: kind, tags: [`t${page}`] }, { headers });
  }, async (s, t, seen) => {
    for (const kind of ["loop", "endless", "away"]) {
      await assert.rejects(
        t.tagList(parseRef(`${s.host}/${kind}:x`)),
        (e: unknown) => e instanceof RegistryError && e.code === "REGISTRY",
        kind,
      );
    }
    assert.ok(seen.length <= 2 * 1000 + 10);
  });
});

Deno.test("invalid or mismatching digest headers are typed errors", async () => {
  await withFake(async (req, url) => {
    const tag = url.pathname.split("/").pop();
    if (req.method === "PUT") {
      return new Response(null, {
        status: 201,
        headers: { "docker-content-digest": await digestOf(new Uint8Array(1)) },
      });
    }
    const digest = tag === "invalid" ? "sha256:nothex" : await digestOf(new Uint8Array(2));
    return new Response(req.method === "HEAD" ? null : img.manifest as BodyInit, {
      headers: manifestHeaders(digest),
    });
  }, async (s, t) => {
    await assert.rejects(t.manifestGet(parseRef(`${s.host}/a:invalid`)), InvalidDigestError);
    await assert.rejects(t.manifestHead(parseRef(`${s.host}/a:invalid`)), InvalidDigestError);
    await assert.rejects(t.manifestGet(parseRef(`${s.host}/a:other`)), DigestMismatchError);
    await assert.rejects(
      t.manifestPut(parseRef(`${s.host}/a:p`), img.manifest),
      DigestMismatchError,
    );
  });
});

Deno.test("manifestHead() falls back to GET when HEAD has no digest header", async () => {
  await withFake((req) => {
    if (req.method === "HEAD") {
      return new Response(null, { headers: { "content-type": MediaType.OCI_MANIFEST } });
    }
    return new Response(img.manifest as BodyInit, {
      headers: { "content-type": MediaType.OCI_MANIFEST },
    });
  }, async (s, t, seen) => {
    const d = await t.manifestHead(parseRef(`${s.host}/a:v1`));
    assert.equal(d.digest, img.digest);
    assert.deepEqual(seen, ["HEAD /v2/a/manifests/v1", "GET /v2/a/manifests/v1"]);
  });
});

Deno.test("GET and HEAD send every manifest media type in Accept", async () => {
  const accepts: string[] = [];
  await withFake((req) => {
    accepts.push(req.headers.get("accept") ?? "");
    return new Response(req.method === "HEAD" ? null : img.manifest as BodyInit, {
      headers: { ...manifestHeaders(), "content-length": String(img.manifest.byteLength) },
    });
  }, async (s, t) => {
    await t.manifestHead(parseRef(`${s.host}/a:v1`));
    await t.manifestGet(parseRef(`${s.host}/a:v1`));
    for (const a of accepts) {
      for (
        const mt of [
          MediaType.OCI_INDEX,
          MediaType.OCI_MANIFEST,
          MediaType.DOCKER_MANIFEST_LIST,
          MediaType.DOCKER_MANIFEST,
        ]
      ) {
        assert.ok(a.includes(mt), mt);
      }
    }
    assert.equal(accepts.length, 2);
  });
});

Deno.test("credentials are not sent across a redirect to another host", async () => {
  const bytes = randomBytes(1000, 9);
  const digest = await digestOf(bytes);
  const storageAuth: (string | null)[] = [];
  const storage = serve((req) => {
    storageAuth.push(req.headers.get("authorization"));
    return new Response(bytes as BodyInit);
  });
  try {
    await withFake((req) => {
      if (req.headers.get("authorization") !== `Basic ${btoa("u:p")}`) {
        return new Response(null, {
          status: 401,
          headers: { "www-authenticate": 'Basic realm="r"' },
        });
      }
      return new Response(null, { status: 307, headers: { location: `${storage.origin}/blob` } });
    }, async (s, t) => {
      const r = await t.blobGet(parseRef(`${s.host}/a:x`), digest);
      assert.deepEqual(await collect(r.body), bytes);
      assert.deepEqual(storageAuth, [null]);
    }, { user: "u", pass: "p" });
  } finally {
    await storage.close();
  }
});

Deno.test("a plain-http registry reached over https gives a typed error", async () => {
  await withFake(() => new Response("{}"), async (s) => {
    const t = new RegistryTransport({
      hosts: [{ name: s.host, tls: "enabled" }],
      sleep: () => Promise.resolve(),
    });
    await assert.rejects(
      t.ping(parseRef(`${s.host}/a:x`)),
      (e: unknown) => e instanceof RegistryError && e.code === "REGISTRY" && e.status === 0,
    );
  });
});

Deno.test("referrerList() filters client-side when OCI-Filters-Applied is absent", async () => {
  const subject = img.digest;
  const entry = async (artifactType: string, seed: number) => ({
    mediaType: MediaType.OCI_MANIFEST,
    digest: await digestOf(new Uint8Array([seed])),
    size: 1,
    artifactType,
  });
  const manifests = [await entry("a/sig", 1), await entry("a/sbom", 2)];
  await withFake((_req, url) => {
    assert.ok(url.pathname.endsWith(`/referrers/${subject}`));
    return Response.json({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests,
    }, { headers: { "content-type": MediaType.OCI_INDEX } });
  }, async (s, t, seen) => {
    const got = await t.referrerList(parseRef(`${s.host}/a@${subject}`), {
      artifactType: "a/sbom",
    });
    assert.deepEqual(got.map((d) => d.artifactType), ["a/sbom"]);
    assert.equal(seen[0], `GET /v2/a/referrers/${subject}?artifactType=a%2Fsbom`);
  });
});

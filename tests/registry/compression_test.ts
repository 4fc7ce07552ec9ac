/**
 * Transport compression (P27): blob GETs ask for `identity`, and a body sent
 * gzipped anyway is verified by its decoded bytes, not its Content-Length.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { RegistryError, SizeMismatchError } from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { parseRef } from "../../src/types/ref.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { collect } from "./_image.ts";
import { serve, type TestServer } from "./_servers.ts";

/** Compressible content (so gzip changes the length a lot). */
const BLOB = new TextEncoder().encode("ocictl compression test line\n".repeat(20000));
const DIGEST = await digestOf(BLOB);

/** A registry serving one blob; gzips it when asked, or always. */
function startGzipRegistry(always: boolean): TestServer & { asked: string[] } {
  const asked: string[] = [];
  const gz = new Uint8Array(gzipSync(BLOB));
  const server = serve((req) => {
    const url = new URL(req.url);
    if (!url.pathname.endsWith(`/blobs/${DIGEST}`)) return new Response("no", { status: 404 });
    const ae = req.headers.get("accept-encoding") ?? "";
    asked.push(ae);
    const zip = always || /gzip/.test(ae);
    const body = zip ? gz : BLOB;
    const headers: Record<string, string> = {
      "content-length": String(body.byteLength),
      "docker-content-digest": DIGEST,
    };
    if (zip) headers["content-encoding"] = "gzip";
    return new Response(req.method === "HEAD" ? null : body, { headers });
  });
  return { ...server, asked };
}

async function withGzip(
  always: boolean,
  fn: (s: TestServer & { asked: string[] }, t: RegistryTransport) => Promise<void>,
): Promise<void> {
  const s = startGzipRegistry(always);
  const t = new RegistryTransport({ hosts: [{ name: s.host, tls: "disabled" }] });
  try {
    await fn(s, t);
  } finally {
    await t.close();
    await s.close();
  }
}

Deno.test("blobGet() and blobHead() ask for Accept-Encoding: identity", async () => {
  await withGzip(false, async (s, t) => {
    const ref = parseRef(`${s.host}/repo/gz`);
    const head = await t.blobHead(ref, DIGEST);
    assert.equal(head.size, BLOB.byteLength);
    const r = await t.blobGet(ref, DIGEST);
    assert.equal(r.descriptor.size, BLOB.byteLength);
    assert.deepEqual(await collect(r.body), BLOB);
    assert.deepEqual(s.asked, ["identity", "identity"]);
  });
});

Deno.test("blobGet() of a body gzipped anyway verifies the decoded bytes", async () => {
  await withGzip(true, async (s, t) => {
    const ref = parseRef(`${s.host}/repo/gz`);
    const r = await t.blobGet(ref, DIGEST);
    assert.deepEqual(await collect(r.body), BLOB);
    const sized = await t.blobGet(ref, DIGEST, { size: BLOB.byteLength });
    assert.deepEqual(await collect(sized.body), BLOB);
  });
});

Deno.test("blobGet() of a gzipped body with a wrong expected size fails with SizeMismatchError", async () => {
  await withGzip(true, async (s, t) => {
    const r = await t.blobGet(parseRef(`${s.host}/repo/gz`), DIGEST, { size: BLOB.length + 1 });
    await assert.rejects(
      collect(r.body),
      (err: unknown) => err instanceof SizeMismatchError && err.code === "SIZE_MISMATCH",
    );
  });
});

Deno.test("blobHead() of a gzipped answer refuses its Content-Length", async () => {
  await withGzip(true, async (s, t) => {
    await assert.rejects(
      t.blobHead(parseRef(`${s.host}/repo/gz`), DIGEST),
      (err: unknown) => err instanceof RegistryError && err.code === "REGISTRY",
    );
  });
});

Deno.test("blobGet() of a body claiming gzip that does not decode fails with a typed error", async () => {
  const s = serve(() =>
    new Response(BLOB, { headers: { "content-encoding": "gzip", "docker-content-digest": DIGEST } })
  );
  const t = new RegistryTransport({ hosts: [{ name: s.host, tls: "disabled" }] });
  try {
    const r = await t.blobGet(parseRef(`${s.host}/repo/gz`), DIGEST);
    await assert.rejects(
      collect(r.body),
      (err: unknown) => err instanceof RegistryError && err.code === "REGISTRY",
    );
  } finally {
    await t.close();
    await s.close();
  }
});

/**
 * Blob uploads of a known size carry `Content-Length` (through the network
 * seam's `node:http` path), proven against a registry that answers 411 to
 * chunked bodies.
 */
import assert from "node:assert/strict";
import { RegistryError, SizeMismatchError } from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { createHasher } from "../../src/types/hasher.ts";
import { parseRef } from "../../src/types/ref.ts";
import { createDenoFetch } from "../../src/transport/registry/deno_fetch.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { randomBytes, streamOf } from "./_image.ts";
import { serve, type TestServer } from "./_servers.ts";

/** A registry that stores blobs only when the body has a Content-Length. */
interface LengthRegistry extends TestServer {
  /** Committed blobs: digest → size. */
  blobs: Map<string, number>;
  /** `METHOD content-length` of every body request. */
  seen: string[];
}

function startLengthRegistry(): LengthRegistry {
  const blobs = new Map<string, number>();
  const seen: string[] = [];
  const partial = new Map<string, { hasher: ReturnType<typeof createHasher>; n: number }>();
  let next = 0;
  const server = serve(async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (req.method === "HEAD" && /\/blobs\/sha256:/.test(path)) {
      const d = path.split("/blobs/")[1] ?? "";
      const size = blobs.get(d);
      return new Response(null, {
        status: size === undefined ? 404 : 200,
        headers: size === undefined ? {} : { "content-length": String(size) },
      });
    }
    if (req.method === "POST" && path.endsWith("/blobs/uploads/")) {
      const id = `u${next++}`;
      partial.set(id, { hasher: createHasher(), n: 0 });
      await req.body?.cancel();
      return new Response(null, {
        status: 202,
        headers: { location: `${path}${id}`, "content-length": "0" },
      });
    }
    const m = /\/blobs\/uploads\/(u\d+)$/.exec(path);
    const session = m ? partial.get(m[1] ?? "") : undefined;
    if (m && session && (req.method === "PATCH" || req.method === "PUT")) {
      const cl = req.headers.get("content-length");
      seen.push(`${req.method} ${cl ?? "none"}`);
      if (cl === null) {
        await req.body?.cancel();
        return new Response("length required", { status: 411 });
      }
      let got = 0;
      try {
        for await (const chunk of req.body ?? ReadableStream.from([])) {
          session.hasher.update(chunk);
          got += chunk.byteLength;
        }
      } catch {
        partial.delete(m[1] ?? "");
        return new Response("broken body", { status: 400 });
      }
      session.n += got;
      if (got !== Number(cl)) return new Response("bad length", { status: 400 });
      if (req.method === "PATCH") {
        return new Response(null, { status: 202, headers: { location: path } });
      }
      const digest = session.hasher.digest();
      if (digest !== url.searchParams.get("digest")) {
        return new Response("digest", { status: 400 });
      }
      blobs.set(digest, session.n);
      return new Response(null, { status: 201, headers: { "docker-content-digest": digest } });
    }
    await req.body?.cancel();
    return new Response("not found", { status: 404 });
  });
  return { ...server, blobs, seen };
}

async function withSeam(
  fn: (r: LengthRegistry, t: RegistryTransport) => Promise<void>,
  seam = true,
): Promise<void> {
  const r = startLengthRegistry();
  const hosts = [{ name: r.host, tls: "disabled" as const }];
  const f = seam ? createDenoFetch({ hosts }) : undefined;
  const t = new RegistryTransport({
    hosts,
    ...(f ? { fetch: f.fetch } : {}),
    sleep: () => Promise.resolve(),
  });
  try {
    await fn(r, t);
  } finally {
    await t.close();
    f?.close();
    await r.close();
  }
}

const SIZE = 8 * 1024 * 1024;

Deno.test("blobPut() sends an 8 MiB stream of known size with Content-Length", async () => {
  await withSeam(async (r, t) => {
    const bytes = randomBytes(SIZE, 3);
    const digest = await digestOf(bytes);
    const ref = parseRef(`${r.host}/len/a`);
    const desc = await t.blobPut(ref, streamOf(bytes), { digest, size: SIZE });
    assert.equal(desc.digest, digest);
    assert.equal(desc.size, SIZE);
    assert.equal(r.blobs.get(digest), SIZE);
    assert.deepEqual(r.seen, [`PUT ${SIZE}`]);
  });
});

Deno.test("blobPut() with a size and no digest PATCHes with Content-Length", async () => {
  await withSeam(async (r, t) => {
    const bytes = randomBytes(3 * 1024 * 1024, 4);
    const ref = parseRef(`${r.host}/len/b`);
    const desc = await t.blobPut(ref, streamOf(bytes), { size: bytes.byteLength });
    assert.equal(desc.digest, await digestOf(bytes));
    assert.equal(r.blobs.get(desc.digest), bytes.byteLength);
    assert.deepEqual(r.seen, [`PATCH ${bytes.byteLength}`, "PUT 0"]);
  });
});

Deno.test("blobPut() through plain fetch is chunked and refused with 411", async () => {
  await withSeam(async (r, t) => {
    const bytes = randomBytes(2 * 1024 * 1024, 5);
    const digest = await digestOf(bytes);
    await assert.rejects(
      t.blobPut(parseRef(`${r.host}/len/c`), streamOf(bytes), {
        digest,
        size: bytes.byteLength,
      }),
      (err: unknown) => err instanceof RegistryError && err.status === 411,
    );
    assert.equal(r.blobs.size, 0);
  }, false);
});

Deno.test("blobPut() with a stream shorter than its size fails and commits nothing", async () => {
  await withSeam(async (r, t) => {
    const bytes = randomBytes(2 * 1024 * 1024, 6);
    const digest = await digestOf(bytes);
    await assert.rejects(
      t.blobPut(parseRef(`${r.host}/len/d`), streamOf(bytes.subarray(0, SIZE / 8)), {
        digest,
        size: bytes.byteLength,
      }),
      (err: unknown) => err instanceof SizeMismatchError && err.code === "SIZE_MISMATCH",
    );
    assert.equal(r.blobs.size, 0);
  });
});

Deno.test("blobPut() with a stream longer than its size fails and commits nothing", async () => {
  await withSeam(async (r, t) => {
    const bytes = randomBytes(3 * 1024 * 1024, 7);
    const digest = await digestOf(bytes.subarray(0, 2 * 1024 * 1024));
    await assert.rejects(
      t.blobPut(parseRef(`${r.host}/len/e`), streamOf(bytes), {
        digest,
        size: 2 * 1024 * 1024,
      }),
      (err: unknown) => err instanceof SizeMismatchError && err.code === "SIZE_MISMATCH",
    );
    assert.equal(r.blobs.size, 0);
  });
});

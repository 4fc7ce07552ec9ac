/**
 * Repositories named like a route word (`blobs`, `manifests`, `tags`,
 * `referrers`, `uploads`) work through the registry client against `serve`:
 * blob push, HEAD and GET, manifest push and pull, tag list, referrers, catalog.
 */
import assert from "node:assert/strict";
import { startRegistryServer } from "../../src/serve/server.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef } from "../../src/types/ref.ts";
import { buildImage } from "../registry/_image.ts";

Deno.test("serve: repositories named blobs, manifests, tags, referrers and uploads work through the registry client", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-words-" });
  const server = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${server.addr.port}`;
  const t = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
  try {
    const img = await buildImage(7);
    const names = ["blobs", "manifests", "tags", "referrers", "uploads", "blobs/x", "team/uploads"];
    for (const name of names) {
      const ref = parseRef(`${host}/${name}:v1`);
      for (const b of img.blobs) {
        await t.blobPut(ref, ReadableStream.from([b.bytes]), {
          digest: b.digest,
          size: b.bytes.length,
        });
        const head = await t.blobHead(ref, b.digest);
        assert.equal(head.size, b.bytes.length, name);
        const got = await t.blobGet(ref, b.digest);
        assert.deepEqual(new Uint8Array(await new Response(got.body).arrayBuffer()), b.bytes);
      }
      await t.manifestPut(ref, img.manifest, { mediaType: MediaType.OCI_MANIFEST });
      assert.equal((await t.manifestHead(ref)).digest, img.digest, name);
      assert.equal((await t.manifestGet(ref)).digest, img.digest, name);
      assert.deepEqual(await t.tagList(ref), ["v1"], name);
      assert.deepEqual(await t.referrerList(parseRef(`${host}/${name}@${img.digest}`)), [], name);
    }
    const catalog = await t.repoList(parseRef(`${host}/x`));
    assert.deepEqual(catalog, [...names].sort());
  } finally {
    await t.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

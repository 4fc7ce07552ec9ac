import assert from "node:assert/strict";
import { Client, createTransportFactory } from "./client.ts";
import { NotFoundError, UnsupportedError } from "./errors.ts";
import { buildSampleImages } from "./sample/sample_images.ts";
import { MemoryTransport } from "./transport/memory/memory_transport.ts";
import { parseRef } from "./types/ref.ts";

Deno.test("Client throws UnsupportedError for registries by default", () => {
  const client = new Client();
  assert.throws(
    () => client.transport(parseRef("localhost:5000/a")),
    (e: unknown) => e instanceof UnsupportedError && e.message.includes("localhost:5000"),
  );
  assert.equal(createTransportFactory()("ocidir").scheme, "ocidir");
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

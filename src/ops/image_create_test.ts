import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { UsageError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRef } from "../types/ref.ts";
import { createImage, parseCreated } from "./image_create.ts";

Deno.test("createImage() pushes a config with platform, labels and created time, no layers", async () => {
  const memory = new MemoryTransport();
  const client = new Client({ transports: () => memory });
  try {
    const ref = parseRef("example.com/a:scratch");
    const r = await createImage(client, ref, {
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
      labels: { a: "b" },
      annotations: { x: "y" },
      created: new Date("2024-01-02T03:04:05Z"),
    });
    const j = r.manifest.json as unknown as { layers: unknown[]; annotations: unknown };
    assert.deepEqual(j.layers, []);
    assert.deepEqual(j.annotations, { x: "y" });
    const cfg = await new Response((await client.blobGet(ref, r.config.digest)).body).json();
    assert.deepEqual(cfg, {
      created: "2024-01-02T03:04:05.000Z",
      architecture: "arm64",
      os: "linux",
      variant: "v8",
      config: { Labels: { a: "b" } },
      rootfs: { type: "layers", diff_ids: [] },
    });
    assert.equal((await client.manifestHead(ref)).digest, r.manifest.digest);
    const d = await createImage(client, parseRef("example.com/a:d"), {
      platform: { os: "linux", architecture: "amd64" },
      mediaType: MediaType.DOCKER_MANIFEST,
      byDigest: true,
    });
    assert.equal(d.config.mediaType, MediaType.DOCKER_CONFIG);
    assert.equal(d.ref.digest, d.manifest.digest);
    assert.deepEqual(await client.tagList(ref), ["scratch"]);
  } finally {
    await client.close();
  }
});

Deno.test("createImage() rejects a bad media type and annotations on Docker, writing nothing", async () => {
  const memory = new MemoryTransport();
  const client = new Client({ transports: () => memory });
  try {
    const ref = parseRef("example.com/a:x");
    const p = { os: "linux", architecture: "amd64" };
    await assert.rejects(createImage(client, ref, { platform: p, mediaType: "a/b" }), UsageError);
    await assert.rejects(
      createImage(client, ref, {
        platform: p,
        mediaType: MediaType.DOCKER_MANIFEST,
        annotations: { a: "b" },
      }),
      (err: unknown) => err instanceof UsageError && err.code === "USAGE",
    );
    await assert.rejects(client.tagList(ref), { code: "NOT_FOUND" });
  } finally {
    await client.close();
  }
});

Deno.test("parseCreated() takes now from the clock and refuses non-RFC 3339 times", () => {
  const now = new Date("2030-05-05T00:00:00Z");
  assert.equal(parseCreated("now", () => now), now);
  assert.equal(
    parseCreated("2024-01-02T03:04:05+02:00", () => now).toISOString(),
    "2024-01-02T01:04:05.000Z",
  );
  for (const v of ["yesterday", "2024-01-02", "2024-13-02T00:00:00Z"]) {
    assert.throws(() => parseCreated(v, () => now), { code: "USAGE" }, v);
  }
});

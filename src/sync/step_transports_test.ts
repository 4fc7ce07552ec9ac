import assert from "node:assert/strict";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { buildSampleImages } from "../sample/sample_images.ts";
import { parseRef, withDigest } from "../types/ref.ts";
import { CountingTransport } from "../../tests/ops/_counting_transport.ts";
import { loadSyncConfig } from "./config.ts";
import { type StepClientSettings, StepTransports } from "./step_transports.ts";

Deno.test("StepTransports makes one client per distinct settings, caches where a step asks, closes all", async () => {
  const { config } = loadSyncConfig(`defaults: {userAgent: fleet/1}
sync:
  - {source: a.example/x, target: b.example/x, type: image}
  - {source: a.example/x, target: b.example/y, type: image, blobLimit: 4096}
  - {source: a.example/x, target: b.example/z, type: image, cacheCount: 5, cacheTime: 1m}
`);
  const inner = new CountingTransport(new MemoryTransport());
  const repo = parseRef("a.example/x");
  const sample = await buildSampleImages(inner, repo);
  inner.reset();
  const made: StepClientSettings[] = [];
  let closed = 0;
  const clients = new StepTransports((s) => {
    made.push(s);
    return {
      transport: () => inner,
      close: () => {
        closed++;
        return Promise.resolve();
      },
    };
  });
  const [plain, limited, cached] = config.sync;
  const child = withDigest(repo, sample.images[0]!.manifest.digest);
  for (const step of [plain!, limited!, cached!, cached!, plain!]) {
    await clients.transport(child, step).manifestGet(child);
  }
  assert.deepEqual(made, [
    { userAgent: "fleet/1", skipDockerConfig: false, blobLimit: 0 },
    { userAgent: "fleet/1", skipDockerConfig: false, blobLimit: 4096 },
  ]);
  // The cached step reads the digest once; the others read it every time.
  assert.equal(inner.counts.manifestGet, 4);
  await clients.close();
  assert.equal(closed, 2);
});

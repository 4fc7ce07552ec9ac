import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { Client } from "../client.ts";
import { buildLayer } from "../sample/layer_builder.ts";
import { pushBlobBytes, pushManifestJson } from "../sample/push_content.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { MediaType } from "../types/media_type.ts";
import { parseRef, withTag } from "../types/ref.ts";
import { applyMod } from "./apply_mod.ts";
import { COLLECT_EVERY } from "./layer_phase.ts";
import { parseModFlag } from "./mod_step.ts";

Deno.test("applyMod() calls collect once per COLLECT_EVERY bytes of a rewritten layer, same digest", async () => {
  const memory = new MemoryTransport();
  const client = new Client({ transports: () => memory });
  try {
    const content = new Uint8Array(3 * COLLECT_EVERY + 12345);
    for (let at = 0; at < content.byteLength; at += 65536) {
      crypto.getRandomValues(content.subarray(at, Math.min(content.byteLength, at + 65536)));
    }
    const layer = await buildLayer([{ path: "big.bin", type: "file", content }]);
    const tarSize = gunzipSync(layer.bytes).byteLength;
    const src = parseRef("example.com/big:v1");
    await pushBlobBytes(memory, src, layer.bytes, layer.descriptor.mediaType);
    const config = new TextEncoder().encode(JSON.stringify({
      architecture: "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [layer.diffId] },
    }));
    const cfg = await pushBlobBytes(memory, src, config, MediaType.OCI_CONFIG);
    await pushManifestJson(memory, src, {
      schemaVersion: 2,
      mediaType: MediaType.OCI_MANIFEST,
      config: cfg,
      layers: [layer.descriptor],
    }, MediaType.OCI_MANIFEST);
    const steps = parseModFlag("layer-time", "set=2021-01-01T00:00:00Z");
    let calls = 0;
    const counted = await applyMod(client, src, steps, {
      target: withTag(src, "a"),
      collect: () => calls++,
    });
    const plain = await applyMod(client, src, steps, { target: withTag(src, "b") });
    assert.equal(calls, Math.floor(tarSize / COLLECT_EVERY));
    assert.ok(calls >= 3);
    assert.equal(counted.digest, plain.digest);
    assert.notEqual(counted.digest, (await client.manifestHead(src)).digest);
  } finally {
    await client.close();
  }
});

/**
 * A writer process for the concurrent-writers drill:
 * `deno run -A _tag_writer.ts LAYOUT PREFIX COUNT` tags COUNT small images
 * `PREFIX-0` … into the layout through the engine, sharing one config blob
 * with the other writers.
 *
 * @module
 */
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef } from "../../src/types/ref.ts";

const enc = new TextEncoder();

/**
 * Writes the tags.
 *
 * @param layout layout directory
 * @param prefix tag prefix
 * @param count how many tags
 * @returns nothing
 */
export async function writeTags(layout: string, prefix: string, count: number): Promise<void> {
  const t = new OciDirTransport();
  try {
    const config = enc.encode('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}}');
    for (let i = 0; i < count; i++) {
      const layer = enc.encode(`${prefix}-${i}`);
      for (const b of [config, layer]) {
        await t.blobPut(parseRef(`ocidir://${layout}`), ReadableStream.from([b]));
      }
      const [configDigest, layerDigest] = [await digestOf(config), await digestOf(layer)];
      const manifest = enc.encode(JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OCI_MANIFEST,
        config: { mediaType: MediaType.OCI_CONFIG, digest: configDigest, size: config.length },
        layers: [{ mediaType: MediaType.OCI_LAYER, digest: layerDigest, size: layer.length }],
      }));
      await t.manifestPut(parseRef(`ocidir://${layout}:${prefix}-${i}`), manifest);
    }
  } finally {
    await t.close();
  }
}

if (import.meta.main) {
  const [layout = "", prefix = "w", count = "1"] = Deno.args;
  await writeTags(layout, prefix, Number(count));
}

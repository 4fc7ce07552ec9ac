/**
 * Test helper for `image mod`: checks that an image is consistent after a
 * modification (every layer present with its digest and size, compression
 * as its media type says, diff_ids the digests of the uncompressed layers,
 * one history entry per layer, index children with their platforms).
 *
 * @module
 */
import assert from "node:assert/strict";
import { detectCompression, openDecompressed } from "../../src/archive/compression.ts";
import { Client } from "../../src/client.ts";
import { createHasher } from "../../src/types/hasher.ts";
import { isImage, isIndex } from "../../src/types/manifest.ts";
import { type Ref, withDigest } from "../../src/types/ref.ts";

const COMPRESSION: Record<string, string> = {
  "application/vnd.oci.image.layer.v1.tar": "none",
  "application/vnd.oci.image.layer.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd": "zstd",
  "application/vnd.docker.image.rootfs.diff.tar": "none",
  "application/vnd.docker.image.rootfs.diff.tar.gzip": "gzip",
  "application/vnd.docker.image.rootfs.diff.tar.zstd": "zstd",
};

/** What the check saw of one image. */
export interface CheckedImage {
  /** Platform (`os/arch[/variant]`) from the config. */
  platform: string;
  /** Layer media types. */
  layerTypes: string[];
  /** The config. */
  config: Record<string, unknown>;
}

/**
 * Checks an image (every child of an index) and returns what it saw.
 *
 * @param ref the image
 * @param hostFlags `--host` values for registries
 * @returns one entry per image
 */
export async function checkConsistent(
  ref: Ref,
  hostFlags: string[] = [],
): Promise<CheckedImage[]> {
  const client = new Client({ settings: { env: {}, hostFlags } });
  try {
    const out: CheckedImage[] = [];
    const visit = async (r: Ref, platform?: string): Promise<void> => {
      const m = await client.manifestGet(r);
      if (isIndex(m)) {
        for (const d of m.json.manifests) {
          const p = d.platform;
          await visit(
            withDigest(r, d.digest),
            p === undefined
              ? undefined
              : [p.os, p.architecture, p.variant].filter(Boolean).join("/"),
          );
        }
        return;
      }
      assert.ok(isImage(m));
      const c = await client.blobGet(r, m.json.config.digest, { size: m.json.config.size });
      const config = JSON.parse(await new Response(c.body).text());
      const diffIds: string[] = config.rootfs.diff_ids;
      const history: { empty_layer?: boolean }[] = config.history ?? [];
      assert.equal(diffIds.length, m.json.layers.length, "one diff_id per layer");
      if (config.history !== undefined) {
        assert.equal(history.filter((h) => !h.empty_layer).length, m.json.layers.length);
      }
      for (const [i, l] of m.json.layers.entries()) {
        const blob = await client.blobGet(r, l.digest, { size: l.size });
        const [a, b] = blob.body.tee();
        const head = new Uint8Array(await new Response(a).arrayBuffer()).subarray(0, 4);
        assert.equal(detectCompression(head), COMPRESSION[l.mediaType], `layer ${i} compression`);
        const plain = await openDecompressed(b);
        const h = createHasher(diffIds[i]!.startsWith("sha512:") ? "sha512" : "sha256");
        for await (const chunk of plain.body) h.update(chunk);
        assert.equal(h.digest(), diffIds[i], `layer ${i} diff_id`);
      }
      const own = [config.os, config.architecture, config.variant].filter(Boolean).join("/");
      if (platform !== undefined) assert.equal(own, platform, "index platform follows the config");
      out.push({ platform: own, layerTypes: m.json.layers.map((l) => l.mediaType), config });
    };
    await visit(ref);
    return out;
  } finally {
    await client.close();
  }
}

/**
 * Copies a directory tree (a fixture layout into a temp directory).
 *
 * @param from source directory
 * @param to target directory (created)
 * @returns when copied
 */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}

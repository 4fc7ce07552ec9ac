/**
 * Child process of the ocidir concurrency test: pushes one small image under
 * each of `<count>` tags `<prefix>-<n>` into the layout `<dir>`.
 *
 * Usage: deno run -A tests/_ocidir_writer.ts <dir> <prefix> <count>
 *
 * @module
 */
import { OciDirTransport } from "../src/transport/ocidir/ocidir_transport.ts";
import type { Ref } from "../src/types/ref.ts";
import { imageManifest } from "./registry/_image.ts";

const [dir, prefix, countText] = Deno.args;
if (dir === undefined || prefix === undefined || countText === undefined) {
  throw new Error("usage: _ocidir_writer.ts <dir> <prefix> <count>");
}
const enc = new TextEncoder();
const t = new OciDirTransport();
const ref = (tag: string): Ref => ({
  scheme: "ocidir",
  registry: "",
  repository: "",
  path: dir,
  tag,
  digest: "",
});
const config = enc.encode(JSON.stringify({
  architecture: "amd64",
  os: "linux",
  rootfs: { type: "layers", diff_ids: [] },
}));
await t.blobPut(ref(""), ReadableStream.from([config]));
for (let i = 0; i < Number(countText); i++) {
  const tag = `${prefix}-${i}`;
  const layer = enc.encode(`layer ${tag}`);
  await t.blobPut(ref(""), ReadableStream.from([layer]));
  const raw = await imageManifest(config, [layer]);
  await t.manifestPut(ref(tag), raw);
}
await t.close();

/**
 * Fixtures of the registry browser tests: a served directory with the sample
 * images (`team/app`), a repository whose tag, annotations, labels and file
 * names hold markup (`evil/app`, with an older image tagged `old`), and a started server with the browser.
 *
 * @module
 */
import { denoFileSystem } from "../../transport/ocidir/file_system.ts";
import { OciDirTransport } from "../../transport/ocidir/ocidir_transport.ts";
import { buildLayer } from "../../sample/layer_builder.ts";
import {
  buildSampleImages,
  pushBlobBytes,
  pushManifestJson,
  type SampleSet,
} from "../../sample/sample_images.ts";
import { MediaType } from "../../types/media_type.ts";
import type { Ref } from "../../types/ref.ts";
import { encodeJson } from "../../types/manifest.ts";

/** Markup that must never reach a page unescaped. */
export const XSS = `<script>alert("x")</script>`;

/** What {@link makeUiFixture} wrote. */
export interface UiFixture {
  /** The served directory. */
  dir: string;
  /** The samples pushed to `team/app`. */
  sample: SampleSet;
  /** Digest of the `evil/app` image (tagged {@link EVIL_TAG}). */
  evilDigest: string;
  /** Digest of its layer (one file named with markup). */
  evilLayer: string;
  /** Digest of the `evil/app` image config. */
  evilConfig: string;
  /** Removes the directory. */
  cleanup(): Promise<void>;
}

/** Tag of the `evil/app` image, written into index.json as-is. */
export const EVIL_TAG = `v1${XSS}`;

function _ref(dir: string, repo: string, tag = ""): Ref {
  return {
    scheme: "ocidir",
    registry: "",
    repository: "",
    path: `${dir}/${repo}`,
    tag,
    digest: "",
  };
}

/**
 * Writes the fixture repositories into a new temporary directory.
 *
 * @returns the fixture
 */
export async function makeUiFixture(): Promise<UiFixture> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-ui-" });
  const t = new OciDirTransport({ fs: denoFileSystem });
  const sample = await buildSampleImages(t, _ref(dir, "team/app"));
  const evil = _ref(dir, "evil/app", "plain");
  const layer = await buildLayer([
    { path: "etc/", type: "dir" },
    { path: `etc/${XSS}`, type: "file", content: "hi\n" },
    { path: "etc/link", type: "symlink", linkname: XSS },
  ]);
  await pushBlobBytes(t, evil, layer.bytes, layer.descriptor.mediaType);
  const config = await pushBlobBytes(
    t,
    evil,
    encodeJson({
      created: "2025-02-03T04:05:06Z",
      architecture: "amd64",
      os: "linux",
      config: { Env: [`X=${XSS}`], Cmd: [XSS], Labels: { [XSS]: XSS } },
      rootfs: { type: "layers", diff_ids: [layer.diffId] },
      history: [{ created: "2025-02-03T04:05:06Z", created_by: XSS }],
    }),
    MediaType.OCI_CONFIG,
  );
  const image = await pushManifestJson(t, evil, {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config,
    layers: [layer.descriptor],
    annotations: { [XSS]: XSS },
  }, MediaType.OCI_MANIFEST);
  const oldConfig = await pushBlobBytes(
    t,
    evil,
    encodeJson({
      created: "2020-01-01T00:00:00Z",
      architecture: "arm64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [layer.diffId] },
    }),
    MediaType.OCI_CONFIG,
  );
  await pushManifestJson(t, { ...evil, tag: "old" }, {
    schemaVersion: 2,
    mediaType: MediaType.OCI_MANIFEST,
    config: oldConfig,
    layers: [layer.descriptor],
  }, MediaType.OCI_MANIFEST);
  // A tag no registry would accept, as a hand-edited layout may hold.
  const indexPath = `${dir}/evil/app/index.json`;
  const index = JSON.parse(await Deno.readTextFile(indexPath)) as {
    manifests: { annotations?: Record<string, string> }[];
  };
  index.manifests.push({
    ...image,
    annotations: { "org.opencontainers.image.ref.name": EVIL_TAG },
  });
  await Deno.writeTextFile(indexPath, JSON.stringify(index));
  return {
    dir,
    sample,
    evilDigest: image.digest,
    evilLayer: layer.descriptor.digest,
    evilConfig: config.digest,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

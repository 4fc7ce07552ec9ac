/**
 * skopeo against `ocictl serve`: a two-platform OCI image built here is
 * copied into the server and back out, and every digest is unchanged.
 *
 * @module
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { startRegistryServer } from "../../src/serve/server.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { jsonBytes } from "./_client.ts";

async function skopeo(args: string[]): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("skopeo", {
      args,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new Error("install skopeo to run this test");
    throw err;
  }
  const stderr = new TextDecoder().decode(out.stderr);
  equal(out.code, 0, `skopeo ${args.join(" ")} failed: ${stderr}`);
}

async function writeBlob(
  layout: string,
  bytes: Uint8Array,
): Promise<{ digest: string; size: number }> {
  const digest = await digestOf(bytes);
  await Deno.writeFile(`${layout}/blobs/sha256/${digest.slice(7)}`, bytes);
  return { digest, size: bytes.length };
}

/** Writes an OCI layout with an index of two platform images tagged `v1`. */
async function writeLayout(layout: string): Promise<{ index: string; blobs: string[] }> {
  await Deno.mkdir(`${layout}/blobs/sha256`, { recursive: true });
  await Deno.writeTextFile(`${layout}/oci-layout`, JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const blobs: string[] = [];
  const children = [];
  for (const architecture of ["amd64", "arm64"]) {
    // an empty tar archive (two zero blocks), gzipped; both platforms share it
    const layer = await writeBlob(layout, new Uint8Array(gzipSync(new Uint8Array(1024))));
    const config = await writeBlob(
      layout,
      jsonBytes({
        architecture,
        os: "linux",
        rootfs: { type: "layers", diff_ids: [await digestOf(new Uint8Array(1024))] },
        config: { Env: [`ARCH=${architecture}`] },
      }),
    );
    const manifest = await writeBlob(
      layout,
      jsonBytes({
        schemaVersion: 2,
        mediaType: MediaType.OCI_MANIFEST,
        config: { mediaType: MediaType.OCI_CONFIG, ...config },
        layers: [{ mediaType: MediaType.OCI_LAYER_GZIP, ...layer }],
      }),
    );
    blobs.push(layer.digest, config.digest, manifest.digest);
    children.push({
      mediaType: MediaType.OCI_MANIFEST,
      ...manifest,
      platform: { os: "linux", architecture },
    });
  }
  const index = await writeBlob(
    layout,
    jsonBytes({ schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: children }),
  );
  await Deno.writeTextFile(
    `${layout}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OCI_INDEX,
      manifests: [{
        mediaType: MediaType.OCI_INDEX,
        ...index,
        annotations: { "org.opencontainers.image.ref.name": "v1" },
      }],
    }),
  );
  return { index: index.digest, blobs: [...new Set(blobs)] };
}

Deno.test("skopeo copies a two-platform image into serve and back with unchanged digests", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocictl-serve-skopeo-" });
  const srv = await startRegistryServer({
    dir: `${root}/registry`,
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const built = await writeLayout(`${root}/src`);
    const remote = `docker://127.0.0.1:${srv.addr.port}/interop/image:v1`;
    await skopeo(["copy", "--all", "--dest-tls-verify=false", `oci:${root}/src:v1`, remote]);
    await skopeo(["copy", "--all", "--src-tls-verify=false", remote, `oci:${root}/dst:v1`]);

    const dst = JSON.parse(await Deno.readTextFile(`${root}/dst/index.json`)) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    const entry = dst.manifests.find((m) =>
      m.annotations?.["org.opencontainers.image.ref.name"] === "v1"
    );
    equal(entry?.digest, built.index);
    for (const d of [built.index, ...built.blobs]) {
      const hex = d.slice(7);
      const a = await Deno.readFile(`${root}/src/blobs/sha256/${hex}`);
      const b = await Deno.readFile(`${root}/dst/blobs/sha256/${hex}`);
      deepEqual(b, a);
      ok((await Deno.stat(`${root}/registry/interop/image/blobs/sha256/${hex}`)).isFile);
    }
    const served = JSON.parse(
      await Deno.readTextFile(`${root}/registry/interop/image/index.json`),
    ) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    ok(
      served.manifests.some((m) =>
        m.digest === built.index && m.annotations?.["org.opencontainers.image.ref.name"] === "v1"
      ),
    );
  } finally {
    await srv.shutdown();
    await Deno.remove(root, { recursive: true });
  }
});

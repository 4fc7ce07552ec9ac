/**
 * Fixture of the `image mod` memory benchmark: an OCI layout holding one
 * single-platform image whose only layer is a big gzip tar of random
 * (incompressible) files, plus the same tar as a plain file for
 * `--layer-add tar=…`. Everything streams: the tar is packed with
 * modern-tar, teed to the plain file and through gzip into the blob, hashed
 * on the way, so building a 1 GiB layer needs little memory.
 *
 * The layer holds `etc/motd` (for `--layer-strip-file`), `data/nested.tar`
 * (a small tar, for `--file-tar-time`) and `data/part-N.bin` files of random
 * bytes making up the size asked for. Entries carry user and group names, so
 * `--reproducible` changes every header.
 *
 * @module
 */
import { createTarPacker, packTar } from "modern-tar";
import { createHash } from "node:crypto";
import { MIB, writeImageLayout } from "./_common.ts";

/** The tag of the fixture image. */
export const FIXTURE_TAG = "big";

/** Path of the small file `--layer-strip-file` removes. */
export const FIXTURE_STRIP_PATH = "/etc/motd";

/** Path of the nested tar `--file-tar-time` rewrites. */
export const FIXTURE_NESTED_TAR = "/data/nested.tar";

/** Size of each random file in the layer. */
const PART = 64 * MIB;

/** What {@link buildModFixture} made. */
export interface ModFixture {
  /** The layout directory. */
  layout: string;
  /** `ocidir://…:big`. */
  ref: string;
  /** The plain tar (the layer's content), for `--layer-add tar=…`. */
  tar: string;
  /** Size of the plain tar in bytes. */
  tarBytes: number;
  /** Size of the gzip layer in bytes. */
  layerBytes: number;
}

async function _writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let w = 0; w < bytes.byteLength;) w += await file.write(bytes.subarray(w));
}

/** Streams `size` random bytes, 1 MiB at a time. */
function _randomBody(size: number): ReadableStream<Uint8Array> {
  let left = size;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const n = Math.min(MIB, left);
      const chunk = new Uint8Array(n);
      for (let off = 0; off < n; off += 65536) {
        crypto.getRandomValues(chunk.subarray(off, Math.min(n, off + 65536)));
      }
      controller.enqueue(chunk);
      left -= n;
      if (left === 0) controller.close();
    },
  }, { highWaterMark: 0 });
}

/** Packs the layer's tar as a stream. */
function _packLayer(sizeMiB: number): ReadableStream<Uint8Array> {
  const { readable, controller } = createTarPacker();
  const common = { mtime: new Date("2024-01-01T00:00:00Z"), uid: 1000, gid: 1000 };
  const names = { uname: "builder", gname: "builder" };
  const fill = async () => {
    const small = async (name: string, body: Uint8Array) => {
      const w = controller.add({ ...common, ...names, name, size: body.byteLength, mode: 0o644 });
      await ReadableStream.from([body]).pipeTo(w);
    };
    const dir = async (name: string) => {
      const w = controller.add({
        ...common,
        ...names,
        name,
        size: 0,
        mode: 0o755,
        type: "directory",
      });
      await w.close();
    };
    await dir("etc/");
    await small("etc/motd", new TextEncoder().encode("hello\n"));
    await dir("data/");
    const nested = await packTar([
      { header: { name: "inner.txt", size: 3, mtime: common.mtime }, body: "abc" },
    ]);
    await small("data/nested.tar", nested);
    for (let i = 0, left = sizeMiB * MIB; left > 0; i++) {
      const size = Math.min(PART, left);
      const w = controller.add({ ...common, ...names, name: `data/part-${i}.bin`, size });
      await _randomBody(size).pipeTo(w);
      left -= size;
    }
    controller.finalize();
  };
  fill().catch((err) => controller.error(err));
  return readable;
}

/**
 * Builds the fixture layout under `dir` (created when missing).
 *
 * @param dir an empty or missing directory
 * @param sizeMiB total size of the random files in the layer
 * @returns the layout, its reference and the plain tar
 * @throws {Error} when a file cannot be written
 */
export async function buildModFixture(dir: string, sizeMiB: number): Promise<ModFixture> {
  const layout = `${dir}/layout`;
  const blobs = `${layout}/blobs/sha256`;
  await Deno.mkdir(blobs, { recursive: true });
  const tarPath = `${dir}/layer.tar`;
  const tmp = `${blobs}/.layer.tmp`;
  const diffHash = createHash("sha256");
  const blobHash = createHash("sha256");
  let tarBytes = 0;
  let layerBytes = 0;
  const [forTar, forGzip] = _packLayer(sizeMiB).tee();
  const tarFile = await Deno.open(tarPath, { write: true, create: true, truncate: true });
  const blobFile = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    await Promise.all([
      forTar.pipeTo(
        new WritableStream({
          async write(chunk) {
            diffHash.update(chunk);
            tarBytes += chunk.byteLength;
            await _writeAll(tarFile, chunk);
          },
        }),
      ),
      forGzip.pipeThrough(new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>)
        .pipeTo(
          new WritableStream({
            async write(chunk) {
              blobHash.update(chunk);
              layerBytes += chunk.byteLength;
              await _writeAll(blobFile, chunk);
            },
          }),
        ),
    ]);
  } finally {
    tarFile.close();
    blobFile.close();
  }
  const layerDigest = `sha256:${blobHash.digest("hex")}`;
  await Deno.rename(tmp, `${blobs}/${layerDigest.slice(7)}`);
  await writeImageLayout(layout, FIXTURE_TAG, [{
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: layerDigest,
    size: layerBytes,
    diffId: `sha256:${diffHash.digest("hex")}`,
  }], {
    created: "2024-01-01T00:00:00Z",
    history: [{ created: "2024-01-01T00:00:00Z", created_by: "mod_rss fixture" }],
  });
  return { layout, ref: `ocidir://${layout}:${FIXTURE_TAG}`, tar: tarPath, tarBytes, layerBytes };
}

if (import.meta.main) {
  const [dir, size] = Deno.args;
  if (dir === undefined) {
    Deno.stderr.writeSync(new TextEncoder().encode("usage: mod_fixture.ts DIR [SIZE_MIB]\n"));
    Deno.exit(2);
  }
  const f = await buildModFixture(dir, Number(size ?? 1024));
  Deno.stdout.writeSync(new TextEncoder().encode(`${JSON.stringify(f)}\n`));
}

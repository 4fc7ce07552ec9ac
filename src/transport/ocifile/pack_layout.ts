/**
 * Packs an OCI layout directory into a tar stream: `oci-layout`,
 * `index.json` and every `blobs/<alg>/<hex>` file, each streamed from disk.
 *
 * @module
 */
import { createTarPacker, type TarHeader } from "modern-tar";
import { NotFoundError } from "../../errors.ts";
import type { FileSystem } from "../ocidir/file_system.ts";

const HEX = /^[a-f0-9]+$/;
const MTIME = new Date(0);

async function _add(
  controller: ReturnType<typeof createTarPacker>["controller"],
  header: TarHeader,
  body?: ReadableStream<Uint8Array>,
): Promise<void> {
  const sink = controller.add({ mtime: MTIME, uid: 0, gid: 0, uname: "", gname: "", ...header });
  if (body === undefined) {
    await sink.close();
    return;
  }
  await body.pipeTo(sink);
}

/**
 * Packs a layout directory into a tar.
 *
 * @param fs the file-system seam
 * @param dir the layout directory
 * @returns the tar bytes (errors when a file cannot be read)
 * @throws {NotFoundError} from the stream when `index.json` is missing
 */
export function packLayout(fs: FileSystem, dir: string): ReadableStream<Uint8Array> {
  const { readable, controller } = createTarPacker();
  (async () => {
    const file = async (name: string): Promise<void> => {
      const info = await fs.stat(`${dir}/${name}`);
      if (info === undefined || !info.isFile) {
        throw new NotFoundError(`Cannot pack "${dir}": "${name}" is missing`);
      }
      await _add(
        controller,
        { name, type: "file", size: info.size, mode: 0o644 },
        await fs.open(`${dir}/${name}`),
      );
    };
    await file("oci-layout");
    await file("index.json");
    await _add(controller, { name: "blobs/", type: "directory", size: 0, mode: 0o755 });
    const algs = (await fs.readDir(`${dir}/blobs`).catch(() => [] as string[])).sort();
    for (const alg of algs) {
      if (alg !== "sha256" && alg !== "sha512") continue;
      await _add(controller, { name: `blobs/${alg}/`, type: "directory", size: 0, mode: 0o755 });
      const names = (await fs.readDir(`${dir}/blobs/${alg}`)).filter((n) => HEX.test(n)).sort();
      for (const n of names) await file(`blobs/${alg}/${n}`);
    }
    controller.finalize();
  })().catch((err) => controller.error(err));
  return readable;
}

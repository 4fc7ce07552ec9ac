// deno-lint-ignore-file no-console
/**
 * `deno task demo`: builds the multi-platform sample image with the engine,
 * writes it to an OCI layout and inspects it with the real `ocictl` CLI.
 * Needs no network. `deno task demo --keep DIR` leaves the layout in DIR.
 *
 * @module
 */
import { buildSampleImages } from "../src/sample/sample_images.ts";
import { OciDirTransport } from "../src/transport/ocidir/ocidir_transport.ts";
import { parseRef } from "../src/types/ref.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/**
 * Runs one ocictl command as a child process, echoing it and its output.
 *
 * @param args ocictl arguments
 * @returns stdout text
 */
async function ocictl(...args: string[]): Promise<string> {
  console.log(`\n$ ocictl ${args.join(" ")}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  await Deno.stdout.write(out.stdout);
  if (!out.success) throw new Error(`ocictl ${args.join(" ")} exited with ${out.code}`);
  return text;
}

const keepIdx = Deno.args.indexOf("--keep");
const keep = keepIdx >= 0 ? Deno.args[keepIdx + 1] : undefined;
const root = keep ?? await Deno.makeTempDir({ prefix: "ocictl-demo-" });
const layout = `${root}/sample`;
try {
  console.log(`Building the sample images into ${layout} (OCI layout) …`);
  const oci = new OciDirTransport();
  const set = await buildSampleImages(oci, parseRef(`ocidir://${layout}`));
  await oci.close();
  console.log(`pushed ${set.manifests.length} manifests and ${set.blobs.length} blobs`);

  await ocictl("tag", "ls", `ocidir://${layout}`);
  await ocictl("manifest", "get", `ocidir://${layout}:v1`);
  await ocictl("manifest", "get", `ocidir://${layout}:v1`, "--platform", "linux/arm64");
  await ocictl("image", "inspect", `ocidir://${layout}:v1`, "--platform", "linux/arm64");
  const digest = (await ocictl("image", "digest", `ocidir://${layout}:v1`)).trim();
  if (digest !== set.index.digest) {
    throw new Error(`ocictl printed ${digest}, the engine pushed ${set.index.digest}`);
  }
  console.log("\ndemo finished: every command succeeded");
} finally {
  if (!keep) await Deno.remove(root, { recursive: true });
}

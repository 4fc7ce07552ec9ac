// deno-lint-ignore-file no-console
/**
 * `deno task demo`: builds the multi-platform sample image with the engine,
 * writes it to an OCI layout and inspects it with the real `ocictl` CLI, then
 * starts `ocictl serve` on a free loopback port, pushes the image into it,
 * lists tags and referrers through the registry, mirrors it to another
 * repository with `ocictl sync` (a regsync config) and copies it back out.
 * Needs no network. `deno task demo --keep DIR` leaves the files in DIR.
 *
 * @module
 */
import { buildSampleImages } from "../src/sample/sample_images.ts";
import { OciDirTransport } from "../src/transport/ocidir/ocidir_transport.ts";
import { parseRef } from "../src/types/ref.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
/** `--host` flags for the demo registry (plain http on loopback). */
const hostFlags: string[] = [];

/**
 * Starts `ocictl serve` on a free loopback port.
 *
 * @param dir storage directory
 * @returns the registry host and a stop function
 */
async function startServe(dir: string): Promise<{ host: string; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, "serve", "--dir", dir, "--addr", "127.0.0.1:0"],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    line += value;
  }
  const host = /^https?:\/\/(\S+)/.exec(line)?.[1];
  if (!host) {
    child.kill("SIGTERM");
    throw new Error(`ocictl serve did not start: ${JSON.stringify(line)}`);
  }
  return {
    host,
    stop: async () => {
      child.kill("SIGTERM");
      await reader.cancel().catch(() => {});
      const status = await child.status;
      if (status.code !== 0) throw new Error(`ocictl serve exited with ${status.code}`);
    },
  };
}

/**
 * Runs one ocictl command as a child process, echoing it and its output.
 *
 * @param args ocictl arguments
 * @returns stdout text
 */
async function ocictl(...args: string[]): Promise<string> {
  console.log(`\n$ ocictl ${args.join(" ")}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...hostFlags, ...args],
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

  console.log(`\nStarting "ocictl serve --dir ${root}/registry --addr 127.0.0.1:0" …`);
  const serve = await startServe(`${root}/registry`);
  try {
    console.log(`registry listening on ${serve.host}`);
    hostFlags.push("--host", `reg=${serve.host},tls=disabled`);
    const remote = `${serve.host}/demo/sample`;
    await ocictl("image", "copy", "--referrers", `ocidir://${layout}:v1`, `${remote}:v1`);
    await ocictl("tag", "ls", remote);
    await ocictl("artifact", "list", `${remote}:v1`);
    const mirror = `${serve.host}/demo/mirror`;
    const syncFile = `${root}/regsync.yml`;
    const syncYaml = `version: 1
creds:
  - registry: ${serve.host}
    tls: disabled
sync:
  - source: ${remote}
    target: ${mirror}
    type: repository
    referrers: true
    tags:
      allow: ["v.*"]
`;
    await Deno.writeTextFile(syncFile, syncYaml);
    console.log(`\n${syncFile}:\n${syncYaml.trimEnd()}`);
    await ocictl("sync", "check", "-c", syncFile);
    await ocictl("sync", "once", "-c", syncFile);
    await ocictl("tag", "ls", mirror);
    const mirrored = (await ocictl("image", "digest", `${mirror}:v1`)).trim();
    if (mirrored !== set.index.digest) {
      throw new Error(`sync changed the digest: ${mirrored} != ${set.index.digest}`);
    }
    await ocictl("image", "copy", "--referrers", `${remote}:v1`, `ocidir://${root}/copy:v1`);
    const back = (await ocictl("image", "digest", `ocidir://${root}/copy:v1`)).trim();
    if (back !== set.index.digest) {
      throw new Error(`the round trip changed the digest: ${back} != ${set.index.digest}`);
    }
  } finally {
    await serve.stop();
  }
  console.log("registry stopped");

  console.log("\ndemo finished: every command succeeded");
} finally {
  if (!keep) await Deno.remove(root, { recursive: true });
}

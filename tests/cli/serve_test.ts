import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseInterval, parseListenAddr } from "../../plugins/serve.ts";
import { UsageError } from "../../src/errors.ts";
import { buildSampleImages } from "../../src/sample/sample_images.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { parseRef } from "../../src/types/ref.ts";
import { isImage } from "../../src/types/manifest.ts";
import { runCli } from "../cli_harness.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

Deno.test("parseListenAddr() reads host:port, [ipv6]:port and :port", () => {
  assert.deepEqual(parseListenAddr("127.0.0.1:5000"), { hostname: "127.0.0.1", port: 5000 });
  assert.deepEqual(parseListenAddr("[::1]:0"), { hostname: "::1", port: 0 });
  assert.deepEqual(parseListenAddr(":8080"), { hostname: "127.0.0.1", port: 8080 });
  for (const bad of ["", "5000", "host", "h:p", "1.2.3.4:70000", "[::1]", "a:b:1"]) {
    assert.throws(() => parseListenAddr(bad), UsageError, bad);
  }
});

Deno.test("parseInterval() reads Go-style durations", () => {
  assert.equal(parseInterval("1h30m"), 5_400_000);
  assert.equal(parseInterval("90s"), 90_000);
  assert.equal(parseInterval("250ms"), 250);
  for (const bad of ["", "0s", "1d", "h", "5"]) assert.throws(() => parseInterval(bad), UsageError);
});

Deno.test("serve bad flags exit 2 with one line and start nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases = [
      ["serve"],
      ["serve", "--dir", dir, "--addr", "nope"],
      ["serve", "--dir", dir, "--addr", "127.0.0.1:0", "--tls-cert", `${dir}/c.pem`],
      ["serve", "--dir", dir, "--addr", "127.0.0.1:0", "--auth", `${dir}/missing`],
      ["serve", "--dir", dir, "--addr", "127.0.0.1:0", "--gc-interval", "soon"],
      ["serve", "gc"],
    ];
    for (const args of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.equal(r.stdout, "");
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve refuses an htpasswd file without bcrypt hashes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/htpasswd`, "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");
    const r = await runCli([
      "serve",
      "--dir",
      dir,
      "--addr",
      "127.0.0.1:0",
      "--auth",
      `${dir}/htpasswd`,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^ocictl: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Reads serve's first stdout line (its URL) and returns `127.0.0.1:<port>`. */
async function _servedHost(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let line = "";
  for (let i = 0; i < 50 && !line.includes("\n"); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    line += value;
  }
  const m = /^http:\/\/(127\.0\.0\.1:\d+)\n/.exec(line);
  assert.ok(m, `unexpected first line: ${JSON.stringify(line)}`);
  return m[1] as string;
}

async function serveRoundTrip(extra: string[]): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-cli-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, "serve", "--dir", dir, "--addr", "127.0.0.1:0", ...extra],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const host = await _servedHost(reader);
    const transport = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
    const set = await buildSampleImages(transport, parseRef(`${host}/team/sample`));
    const tags = await transport.tagList(parseRef(`${host}/team/sample`));
    assert.ok(tags.includes("v1") && tags.includes("docker") && tags.includes("single"));
    const referrers = await transport.referrerList(
      parseRef(`${host}/team/sample@${set.index.digest}`),
    );
    assert.deepEqual(referrers.map((d) => d.digest), [set.artifact.digest]);
    // Every blob reads back whole and verified, twice (the second GET of a
    // checked file is served from its remembered identity unless told not to).
    const manifest = await transport.manifestGet(parseRef(`${host}/team/sample:single`));
    assert.ok(isImage(manifest));
    for (const d of [manifest.json.config, ...manifest.json.layers]) {
      for (let i = 0; i < 2; i++) {
        const blob = await transport.blobGet(parseRef(`${host}/team/sample`), d.digest);
        assert.equal((await new Response(blob.body).arrayBuffer()).byteLength, d.size);
      }
    }
    await transport.close();
    const index = JSON.parse(await Deno.readTextFile(`${dir}/team/sample/index.json`));
    assert.ok(Array.isArray(index.manifests) && index.manifests.length > 0);
  } finally {
    child.kill("SIGTERM");
    await reader.cancel().catch(() => {});
    const status = await child.status;
    await child.stderr.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
    assert.equal(status.code, 0);
  }
}

Deno.test("ocictl serve prints its address, stores pushes as layouts and stops cleanly on SIGTERM", async () => {
  await serveRoundTrip([]);
});

Deno.test("ocictl serve --verify-every-read serves the same content, hashing every GET", async () => {
  await serveRoundTrip(["--verify-every-read"]);
});

/** Starts `serve -v debug` with these `deno run` permissions; GETs `/v2/`; stops it; returns stderr. */
async function _serveDebugLog(permissions: string[]): Promise<{ status: number; log: string }> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-alloc-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...permissions,
      "--quiet",
      MAIN,
      "-v",
      "debug",
      "serve",
      "--dir",
      dir,
      "--addr",
      "127.0.0.1:0",
    ],
    env: { OCICTL_CONFIG: `${dir}/config.json`, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = new Response(child.stderr).arrayBuffer();
  let status = -1;
  let log = "";
  try {
    const host = await _servedHost(reader);
    status = await fetch(`http://${host}/v2/`).then(async (
      r,
    ) => (await r.body?.cancel(), r.status));
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone: its exit status says why
    }
    await reader.cancel().catch(() => {});
    log = new TextDecoder().decode(await stderr);
    const code = (await child.status).code;
    await Deno.remove(dir, { recursive: true });
    assert.equal(code, 0, log);
  }
  return { status, log };
}

Deno.test({
  name: "ocictl serve tunes glibc's allocator when it may load libc (the binary's --allow-ffi)",
  ignore: !Deno.build.target.endsWith("-linux-gnu"),
  async fn() {
    const { status, log } = await _serveDebugLog(["-A"]);
    assert.equal(status, 200);
    assert.match(log, /msg="allocator tuned for serving"/);
  },
});

Deno.test("ocictl serve without --allow-ffi serves untuned, with no prompt and no error", async () => {
  const { status, log } = await _serveDebugLog([
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--allow-sys",
    "--allow-run",
  ]);
  assert.equal(status, 200);
  const reason = Deno.build.target.endsWith("-linux-gnu")
    ? 'reason="no FFI permission \\(--allow-ffi\\)"'
    : 'reason="not a glibc build';
  assert.match(log, new RegExp(`msg="allocator not tuned" ${reason}`));
  assert.doesNotMatch(log, /level=(warn|error)/);
});

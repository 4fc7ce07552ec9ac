/**
 * `image copy` through the raw blob path (large layers): ocidir → serve →
 * ocidir, ocidir → ocidir and serve → serve, byte for byte, and a corrupted
 * source layer that fails the copy without writing anything under its digest.
 * Then a registry that sends its blob GETs to a storage host (redirects,
 * credentials kept from the storage host), which changes a layer or breaks
 * the connection halfway, into a layout and into another registry.
 */
import assert from "node:assert/strict";
import { runCli, type RunCliResult } from "../cli_harness.ts";
import { digestAt, lineCount } from "./_layout.ts";
import { assertSameBlobs, buildImage, type Built, counting, registryPuts } from "./_raw_image.ts";
import { NotFoundError } from "../../src/errors.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { blobPath } from "../../src/transport/ocidir/layout.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { parseRef } from "../../src/types/ref.ts";
import { pathExists, strayBlobFiles } from "../_files.ts";

interface Ctx {
  tmp: string;
  host: string;
  env: Record<string, string>;
  hostFlags: string[];
}

async function withServe(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "ocictl_cp_raw_" });
  const srv = await startRegistryServer({ dir: `${tmp}/serve`, hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${srv.addr.port}`;
  try {
    await fn({
      tmp,
      host,
      env: { OCICTL_CONFIG: `${tmp}/config.json` },
      hostFlags: ["--host", `reg=${host},tls=disabled`],
    });
  } finally {
    await srv.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("image copy moves large layers raw ocidir → serve → ocidir, byte for byte", async () => {
  await withServe(async ({ tmp, host, env, hostFlags }) => {
    const built = await buildImage(`${tmp}/src`);
    const c = counting();
    const repo = `${host}/raw/app`;
    const up = await runCli(
      [...hostFlags, "image", "copy", `ocidir://${tmp}/src:v1`, `${repo}:v1`],
      {
        env,
        transports: c.factory,
      },
    );
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout, `${repo}:v1\n`);
    assert.equal(c.counts()[0], built.layers.length, "both layers were read raw");
    const rt = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
    try {
      assert.equal((await rt.manifestHead(parseRef(`${repo}:v1`))).digest, built.index);
      for (const d of built.blobs.slice(0, 3)) {
        const got = await rt.blobGet(parseRef(repo), d);
        assert.deepEqual(
          new Uint8Array(await new Response(got.body).arrayBuffer()),
          await Deno.readFile(blobPath(`${tmp}/src`, d)),
        );
      }
    } finally {
      await rt.close();
    }
    const down = await runCli(
      [...hostFlags, "image", "copy", `${repo}:v1`, `ocidir://${tmp}/dst:v1`],
      { env, transports: c.factory },
    );
    assert.equal(down.code, 0, down.stderr);
    // from a registry into a layout, read through byte sources: the config too
    assert.deepEqual(
      c.counts().slice(1),
      [built.layers.length + 1, built.layers.length + 1],
      "both layers and the config were written raw, from byte sources",
    );
    assert.equal(await digestAt(`ocidir://${tmp}/dst:v1`), built.index);
    await assertSameBlobs(`${tmp}/src`, `${tmp}/dst`, built.blobs);
  });
});

Deno.test("image copy moves large layers raw between two layouts, byte for byte", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "ocictl_cp_raw_" });
  try {
    const built = await buildImage(`${tmp}/src`);
    const c = counting();
    const r = await runCli(["image", "copy", `ocidir://${tmp}/src:v1`, `ocidir://${tmp}/dst:v1`], {
      transports: c.factory,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    // a layout offers no byte sources: its files are piped and hashed on the worker
    assert.deepEqual(c.counts(), [built.layers.length, built.layers.length, 0]);
    assert.equal(await digestAt(`ocidir://${tmp}/dst:v1`), built.index);
    await assertSameBlobs(`${tmp}/src`, `${tmp}/dst`, built.blobs);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("image copy of a corrupted large layer fails with one error line and writes nothing under its digest", async () => {
  await withServe(async ({ tmp, host, env, hostFlags }) => {
    const built = await buildImage(`${tmp}/src`);
    const layer = built.layers[1] ?? "";
    const path = blobPath(`${tmp}/src`, layer);
    const bytes = await Deno.readFile(path);
    bytes[bytes.byteLength >> 1] = (bytes[bytes.byteLength >> 1] ?? 0) ^ 0x01;
    await Deno.writeFile(path, bytes);

    const local = await runCli([
      "image",
      "copy",
      `ocidir://${tmp}/src:v1`,
      `ocidir://${tmp}/dst:v1`,
    ]);
    assert.notEqual(local.code, 0);
    assert.equal(local.stdout, "");
    assert.equal(lineCount(local.stderr), 1, local.stderr);
    assert.ok(local.stderr.includes(layer), local.stderr);
    assert.equal(await pathExists(blobPath(`${tmp}/dst`, layer)), false);
    assert.equal(await pathExists(blobPath(`${tmp}/dst`, built.index)), false);
    assert.deepEqual(await strayBlobFiles(`${tmp}/dst`), []);

    const repo = `${host}/raw/bad`;
    const remote = await runCli(
      [...hostFlags, "image", "copy", `ocidir://${tmp}/src:v1`, `${repo}:v1`],
      { env },
    );
    assert.notEqual(remote.code, 0);
    assert.equal(lineCount(remote.stderr), 1, remote.stderr);
    assert.ok(remote.stderr.includes(layer), remote.stderr);
    const rt = new RegistryTransport({ hosts: [{ name: host, tls: "disabled" }] });
    try {
      await assert.rejects(rt.blobHead(parseRef(repo), layer), NotFoundError);
      await assert.rejects(rt.manifestHead(parseRef(`${repo}:v1`)), NotFoundError);
    } finally {
      await rt.close();
    }
  });
});

Deno.test("image copy between two registries moves every blob raw through byte sources, byte for byte", async () => {
  await withServe(async ({ tmp, host, env, hostFlags }) => {
    await withServe(async (other) => {
      const host2 = other.host;
      const built = await buildImage(`${tmp}/src`);
      const flags = [...hostFlags, ...other.hostFlags];
      const up = await runCli(
        [...flags, "image", "copy", `ocidir://${tmp}/src:v1`, `${host}/a:v1`],
        { env },
      );
      assert.equal(up.code, 0, up.stderr);
      const { factory, sourced } = registryPuts();
      const across = await runCli(
        [...flags, "image", "copy", `${host}/a:v1`, `${host2}/b:v1`],
        { env, transports: factory },
      );
      assert.equal(across.code, 0, across.stderr);
      assert.deepEqual(
        sourced,
        [true, true, true],
        "both layers and the config, from byte sources",
      );
      await assertCopiedBack(`${host2}/b:v1`, { tmp, built, flags, env });
    });
  });
});

/**
 * Copies `ref` into a new layout `dst` under `tmp` and checks that it holds
 * the built image, byte for byte.
 */
async function assertCopiedBack(
  ref: string,
  c: { tmp: string; built: Built; flags: string[]; env: Record<string, string> },
): Promise<void> {
  const down = await runCli([...c.flags, "image", "copy", ref, `ocidir://${c.tmp}/dst:v1`], {
    env: c.env,
  });
  assert.equal(down.code, 0, down.stderr);
  assert.equal(await digestAt(`ocidir://${c.tmp}/dst:v1`), c.built.index);
  await assertSameBlobs(`${c.tmp}/src`, `${c.tmp}/dst`, c.built.blobs);
}

/** The copy succeeded, and asked the storage host for the cut blob more than once. */
function assertReadAgain(down: RunCliResult, front: Front, cut: string): void {
  assert.equal(down.code, 0, down.stderr);
  assert.ok(front.stored.filter((d) => d === cut).length >= 2, "the cut layer was asked for again");
}

/** The user and password {@link redirectingFront} asks for. */
const FRONT_USER = ["front-user", "front-pass"] as const;
/** Their Basic Authorization header. */
const FRONT_AUTH = `Basic ${btoa(FRONT_USER.join(":"))}`;

/** What the storage host of {@link redirectingFront} does wrong. */
interface Faults {
  /** Changes one byte of this blob. */
  corrupt?: string | undefined;
  /** Breaks the connection halfway through this blob, the first time it is asked for. */
  cutOnce?: string | undefined;
}

/** A registry in front of `serve` ({@link redirectingFront}). */
interface Front {
  host: string;
  /** Digests the storage host served. */
  stored: string[];
  /** The Authorization header of each storage request. */
  auth: (string | null)[];
  /** The Authorization header of each blob GET the front redirected. */
  frontAuth: (string | null)[];
  close(): Promise<void>;
}

/**
 * A registry in front of `serve` that sends every blob GET to a storage host
 * (as registries backed by object storage do), the storage host reading the
 * blob from `serve`, with the given faults.
 */
function redirectingFront(upstream: string, faults: Faults = {}): Front {
  const stored: string[] = [];
  const auth: (string | null)[] = [];
  const storage = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const [, repo, digest] = /^\/store\/(.+)\/(sha256:[0-9a-f]{64})$/.exec(
      new URL(req.url).pathname,
    )!;
    stored.push(digest!);
    auth.push(req.headers.get("authorization"));
    const first = stored.filter((d) => d === digest).length === 1;
    const res = await fetch(`http://${upstream}/v2/${repo}/blobs/${digest}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const headers = {
      "content-type": "application/octet-stream",
      "content-length": String(bytes.length),
    };
    if (digest === faults.corrupt) bytes[bytes.length - 1]! ^= 1;
    if (digest === faults.cutOnce && first) {
      // half the body, then the connection breaks
      const half = bytes.subarray(0, bytes.length >> 1);
      return new Response(ReadableStream.from([half]), { headers });
    }
    return new Response(bytes, { headers });
  });
  const frontAuth: (string | null)[] = [];
  const front = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    // the front takes FRONT_USER's Basic credentials only
    if (req.headers.get("authorization") !== FRONT_AUTH) {
      return new Response(null, {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="front"' },
      });
    }
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
    if (blob && req.method === "GET") {
      frontAuth.push(req.headers.get("authorization"));
      const location = `http://127.0.0.1:${storage.addr.port}/store/${blob[1]}/${blob[2]}`;
      return new Response(null, { status: 307, headers: { location } });
    }
    const res = await fetch(`http://${upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
    });
    return new Response(req.method === "HEAD" ? null : res.body, {
      status: res.status,
      headers: res.headers,
    });
  });
  return {
    host: `127.0.0.1:${front.addr.port}`,
    stored,
    auth,
    frontAuth,
    close: async () => {
      await front.shutdown();
      await storage.shutdown();
    },
  };
}

/** What {@link redirectedPull} gives its check. */
interface Pulled {
  tmp: string;
  built: Built;
  front: Front;
  down: RunCliResult;
  counts: [number, number, number];
}

/**
 * Pushes the test image to `serve`, then copies it through
 * {@link redirectingFront} (with `faults` in the built image's blobs) into
 * the layout `dst`, or into another registry.
 */
async function redirectedPull(
  faults: (built: Built) => Faults,
  check: (p: Pulled) => Promise<void>,
  into?: { ref: string; hostFlags: string[] },
): Promise<void> {
  await withServe(async ({ tmp, host, env, hostFlags }) => {
    const built = await buildImage(`${tmp}/src`);
    const src = `ocidir://${tmp}/src:v1`;
    const up = await runCli([...hostFlags, "image", "copy", src, `${host}/r/app:v1`], { env });
    assert.equal(up.code, 0, up.stderr);
    const front = redirectingFront(host, faults(built));
    try {
      const c = counting();
      const down = await runCli([
        "--host",
        `reg=${front.host},tls=disabled,user=${FRONT_USER[0]},pass=${FRONT_USER[1]}`,
        ...(into?.hostFlags ?? []),
        "image",
        "copy",
        `${front.host}/r/app:v1`,
        into?.ref ?? `ocidir://${tmp}/dst:v1`,
      ], { env, transports: c.factory });
      await check({ tmp, built, front, down, counts: c.counts() });
    } finally {
      await front.close();
    }
  });
}

Deno.test("image copy follows a blob GET redirected to a storage host, still reading byte sources", async () => {
  await redirectedPull(() => ({}), async ({ tmp, built, front, down, counts }) => {
    assert.equal(down.code, 0, down.stderr);
    // the config and both layers came from the storage host, and were written raw
    assert.deepEqual([...front.stored].sort(), built.blobs.slice(0, 3).sort());
    // the front was asked with the credentials; the storage host never sees them
    assert.deepEqual(front.frontAuth, [FRONT_AUTH, FRONT_AUTH, FRONT_AUTH]);
    assert.deepEqual(front.auth, [null, null, null]);
    assert.deepEqual(counts.slice(1), [3, 3], "three raw writes, each from a byte source");
    assert.equal(await digestAt(`ocidir://${tmp}/dst:v1`), built.index);
    await assertSameBlobs(`${tmp}/src`, `${tmp}/dst`, built.blobs);
  });
});

Deno.test("a storage host that returns a changed layer fails the copy and stores nothing under its digest", async () => {
  await redirectedPull((b) => ({ corrupt: b.layers[1] }), async ({ tmp, built, down }) => {
    const bad = built.layers[1]!;
    assert.equal(down.code, 1, down.stderr);
    assert.equal(lineCount(down.stderr), 1, down.stderr);
    assert.match(down.stderr, new RegExp(bad.slice(7, 19)));
    assert.equal(await pathExists(blobPath(`${tmp}/dst`, bad)), false);
    assert.deepEqual(await strayBlobFiles(`${tmp}/dst`), []);
    // no tag points at a partial image
    await assert.rejects(digestAt(`ocidir://${tmp}/dst:v1`));
  });
});

Deno.test("a storage host that breaks the connection halfway through a layer: the copy reads it again and completes", async () => {
  await redirectedPull((b) => ({ cutOnce: b.layers[1] }), async ({ tmp, built, front, down }) => {
    assertReadAgain(down, front, built.layers[1]!);
    assert.equal(await digestAt(`ocidir://${tmp}/dst:v1`), built.index);
    await assertSameBlobs(`${tmp}/src`, `${tmp}/dst`, built.blobs);
  });
});

Deno.test("registry → registry: a source that breaks the connection halfway through a layer is read again; the target gets every blob byte for byte", async () => {
  await withServe(async (target) => {
    const flags = target.hostFlags;
    await redirectedPull((b) => ({ cutOnce: b.layers[0] }), async ({ tmp, built, front, down }) => {
      assertReadAgain(down, front, built.layers[0]!);
      await assertCopiedBack(`${target.host}/x:v1`, { tmp, built, flags, env: target.env });
    }, { ref: `${target.host}/x:v1`, hostFlags: flags });
  });
});

Deno.test("registry → registry: a source that returns a changed layer fails the copy with one line; the target has neither the layer nor the tag", async () => {
  await withServe(async (target) => {
    const flags = target.hostFlags;
    await redirectedPull((b) => ({ corrupt: b.layers[0] }), async ({ built, down }) => {
      const bad = built.layers[0]!;
      assert.equal(down.code, 1, down.stderr);
      assert.equal(lineCount(down.stderr), 1, down.stderr);
      assert.match(down.stderr, new RegExp(bad.slice(7, 19)));
      const env = target.env;
      const head = await runCli([...flags, "blob", "head", `${target.host}/x`, bad], { env });
      assert.equal(head.code, 1, "the changed layer must not be stored");
      assert.match(head.stderr, /not found/i);
      const tag = await runCli([...flags, "manifest", "head", `${target.host}/x:v1`], { env });
      assert.equal(tag.code, 1, "no tag points at a partial image");
      assert.match(tag.stderr, /not found/i);
    }, { ref: `${target.host}/x:v1`, hostFlags: flags });
  });
});

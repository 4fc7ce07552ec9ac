import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import bcrypt from "bcryptjs";
import { createRegistryHandler, type RegistryHandlerOptions } from "./handler.ts";
import { parseHtpasswd } from "./htpasswd.ts";
import {
  denoFileSystem,
  FILE_STREAM_PIECE,
  type FileInfo,
  type FileSystem,
} from "../transport/ocidir/file_system.ts";
import { hashWorkerRunning } from "../transport/ocidir/_hash_pool.ts";
import { digestOf } from "../types/digest.ts";
import { MediaType } from "../types/media_type.ts";
import {
  buildImage,
  errorCode,
  pushBlob,
  pushImage,
  resolveLocation,
  type Send,
  send,
} from "../../tests/serve/_client.ts";

const BASE = "http://registry.test";
const enc = new TextEncoder();

async function withHandler(
  fn: (s: Send, root: string, dir: string, extra: { logs: string[] }) => Promise<void>,
  options: Partial<RegistryHandlerOptions> = {},
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "ocictl-serve-unit-" });
  const dir = `${root}/served`;
  await Deno.mkdir(dir);
  const logs: string[] = [];
  const h = createRegistryHandler({ dir, log: (m) => logs.push(m), ...options });
  try {
    await fn((req) => h.fetch(req), root, dir, { logs });
  } finally {
    await h.close();
    await Deno.remove(root, { recursive: true });
  }
}

async function listTree(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(path)) {
    out.push(e.name);
    if (e.isDirectory) {
      out.push(...(await listTree(`${path}/${e.name}`)).map((n) => `${e.name}/${n}`));
    }
  }
  return out.sort();
}

Deno.test("registry handler: traversal attempts in names, digests and session ids never leave the directory", async () => {
  await withHandler(async (s, root, dir) => {
    const paths = [
      "/v2/../../outside/manifests/x",
      "/v2/a/%2e%2e/%2e%2e/%2e%2e/outside/manifests/x",
      "/v2/a%2F..%2F..%2Foutside/manifests/x",
      "/v2/%2Ftmp%2Foutside/manifests/x",
      "/v2//tmp/outside/manifests/x",
      "/v2/a\\..\\..\\outside/manifests/x",
      "/v2/a%5C..%5Coutside/manifests/x",
      "/v2/outside/index.json/manifests/x",
      "/v2/outside/blobs/manifests/x",
      "/v2/.uploads/manifests/x",
    ];
    const img = await buildImage("trav");
    for (const path of paths) {
      const r = await send(s, "PUT", `${BASE}${path}`, {
        headers: { "Content-Type": MediaType.OCI_MANIFEST },
        body: img.manifest,
      });
      ok(r.status === 400 || r.status === 404, `${path}: ${r.status}`);
      const p = await send(s, "POST", `${BASE}${path.replace(/manifests\/x$/, "blobs/uploads/")}`, {
        body: "x",
      });
      ok(p.status === 400 || p.status === 404, `${path} upload: ${p.status}`);
    }
    for (const digest of ["sha256:..%2F..%2Fx", "sha256:../../x", "sha256:" + "A".repeat(64)]) {
      const r = await send(s, "GET", `${BASE}/v2/repo/blobs/${digest}`);
      ok(r.status === 400 || r.status === 404, `${digest}: ${r.status}`);
    }
    const u = await send(s, "PATCH", `${BASE}/v2/repo/blobs/uploads/..%2F..%2Fx`, { body: "x" });
    equal(u.status, 404);
    equal(errorCode(u), "BLOB_UPLOAD_UNKNOWN");
    deepEqual(
      await listTree(root),
      ["served"].concat((await listTree(dir)).map((n) => `served/${n}`)),
    );
    ok((await listTree(dir)).every((n) => n.startsWith(".uploads")), String(await listTree(dir)));
  });
});

Deno.test("registry handler: a manifest over the configured limit answers 413 and stores nothing", async () => {
  await withHandler(async (s, _root, dir) => {
    const img = await buildImage("limit", { annotations: { pad: "x".repeat(2000) } });
    const r = await pushImage(s, BASE, "lim/repo", "v1", img);
    equal(r.status, 413);
    equal(errorCode(r), "MANIFEST_INVALID");
    const blobDir = `${dir}/lim/repo/blobs/sha256`;
    for await (const e of Deno.readDir(blobDir)) ok(e.name !== img.digest.slice(7));
  }, { limits: { manifestBytes: 1024 } });
});

Deno.test("registry handler: a manifest HEAD answers from index.json; a GET reads and checks the bytes", async () => {
  await withHandler(async (s, _root, dir) => {
    const img = await buildImage("head");
    equal((await pushImage(s, BASE, "h/repo", "v1", img)).status, 201);
    const get = await send(s, "GET", `${BASE}/v2/h/repo/manifests/v1`);
    equal(get.status, 200);
    const head = await send(s, "HEAD", `${BASE}/v2/h/repo/manifests/v1`);
    equal(head.status, 200);
    for (const h of ["content-type", "content-length", "docker-content-digest"]) {
      equal(head.headers.get(h), get.headers.get(h), h);
    }
    // the stored bytes go bad (same size): HEAD does not read them, GET refuses them
    const path = `${dir}/h/repo/blobs/sha256/${img.digest.slice(7)}`;
    const bytes = await Deno.readFile(path);
    const at = new TextDecoder().decode(bytes).indexOf('"sha256:') + 8;
    ok(at >= 8);
    // another hex digit: still a valid manifest, but not the stored digest
    bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    await Deno.writeFile(path, bytes);
    const stale = await send(s, "HEAD", `${BASE}/v2/h/repo/manifests/v1`);
    equal(stale.status, 200);
    equal(stale.headers.get("docker-content-digest"), img.digest);
    const bad = await send(s, "GET", `${BASE}/v2/h/repo/manifests/v1`);
    equal(bad.status, 500);
    equal(errorCode(bad), "MANIFEST_INVALID");
    // a blob cut short: HEAD sees the size differ from index.json's
    await Deno.writeFile(path, bytes.subarray(0, 10));
    const cut = await send(s, "HEAD", `${BASE}/v2/h/repo/manifests/v1`);
    equal(cut.status, 500);
    // a manifest gone from disk: HEAD answers 404
    await Deno.remove(path);
    equal((await send(s, "HEAD", `${BASE}/v2/h/repo/manifests/v1`)).status, 404);
  });
});

Deno.test("registry handler: a manifest HEAD and a blob HEAD look at each file once", async () => {
  const stats: string[] = [];
  const fs: FileSystem = {
    ...denoFileSystem,
    stat: (path) => {
      stats.push(path);
      return denoFileSystem.stat(path);
    },
  };
  await withHandler(async (s) => {
    const img = await buildImage("once");
    equal((await pushImage(s, BASE, "o/repo", "v1", img)).status, 201);
    // the first read of a layout checks it once (oci-layout, the directory)
    equal((await send(s, "HEAD", `${BASE}/v2/o/repo/manifests/v1`)).status, 200);
    stats.length = 0;
    equal((await send(s, "HEAD", `${BASE}/v2/o/repo/manifests/v1`)).status, 200);
    // the repository's index.json (twice: the repository check, the index
    // cache) and the manifest's blob (found, then its size checked); a
    // server holds no GC lease, so nothing is looked at again after one
    deepEqual(stats.map((p) => p.split("/").slice(-1)[0]), [
      "index.json",
      "index.json",
      img.digest.slice(7),
      img.digest.slice(7),
    ]);
    stats.length = 0;
    const config = await digestOf(img.blobs[0]!);
    equal((await send(s, "HEAD", `${BASE}/v2/o/repo/blobs/${config}`)).status, 200);
    deepEqual(stats.map((p) => p.split("/").slice(-1)[0]), ["index.json", config.slice(7)]);
  }, { fs });
});

Deno.test("registry handler: upload limits refuse extra sessions and oversized blobs", async () => {
  await withHandler(async (s) => {
    const first = await send(s, "POST", `${BASE}/v2/u/repo/blobs/uploads/`);
    equal(first.status, 202);
    const second = await send(s, "POST", `${BASE}/v2/u/repo/blobs/uploads/`);
    equal(second.status, 202);
    const third = await send(s, "POST", `${BASE}/v2/u/repo/blobs/uploads/`);
    equal(third.status, 429);
    equal(errorCode(third), "TOOMANYREQUESTS");
    const loc = resolveLocation(BASE, first.headers.get("location"));
    const big = await send(s, "PATCH", loc.href, { body: new Uint8Array(101) });
    equal(big.status, 413);
    equal(errorCode(big), "SIZE_INVALID");
    // the session is unchanged and still usable
    const ok1 = await send(s, "PATCH", loc.href, { body: new Uint8Array(60) });
    equal(ok1.status, 202);
    equal(ok1.headers.get("range"), "0-59");
    // the total across sessions is bounded too
    const loc2 = resolveLocation(BASE, second.headers.get("location"));
    const over = await send(s, "PATCH", loc2.href, { body: new Uint8Array(90) });
    equal(over.status, 413);
    const mono = await send(
      s,
      "POST",
      `${BASE}/v2/u/repo/blobs/uploads/?digest=${await digestOf(new Uint8Array(200))}`,
      {
        body: new Uint8Array(200),
      },
    );
    equal(mono.status, 429);
  }, { limits: { maxSessions: 2, maxBlobBytes: 100, maxTotalBytes: 120 } });
});

Deno.test("registry handler: upload sessions expire after the timeout of the injected clock", async () => {
  let now = 1_000_000;
  await withHandler(async (s, _root, dir) => {
    const p = await send(s, "POST", `${BASE}/v2/exp/repo/blobs/uploads/`);
    const loc = resolveLocation(BASE, p.headers.get("location"));
    equal((await send(s, "PATCH", loc.href, { body: "abc" })).status, 202);
    now += 59_000;
    equal((await send(s, "GET", loc.href)).status, 204);
    now += 61_000;
    const r = await send(s, "PATCH", loc.href, { body: "def" });
    equal(r.status, 404);
    equal(errorCode(r), "BLOB_UPLOAD_UNKNOWN");
    deepEqual(await listTree(`${dir}/.uploads`), []);
  }, { now: () => now, limits: { timeoutMs: 60_000 } });
});

Deno.test("registry handler: Basic auth guards every route and caches good credentials", async () => {
  const hash = bcrypt.hashSync("pw", 4);
  let verified = 0;
  const users = parseHtpasswd(`bob:${hash}\n`);
  const auth = {
    users: users.users,
    verify: (u: string, p: string) => {
      verified++;
      return users.verify(u, p);
    },
  };
  await withHandler(async (s) => {
    for (const path of ["/v2/", "/v2/x/tags/list", "/v2/_catalog", "/nothing"]) {
      const r = await send(s, "GET", `${BASE}${path}`);
      equal(r.status, 401, path);
      equal(errorCode(r), "UNAUTHORIZED");
      equal(r.headers.get("www-authenticate"), 'Basic realm="ocictl"');
    }
    const bad = await send(s, "GET", `${BASE}/v2/`, { headers: { Authorization: "Basic !!!" } });
    equal(bad.status, 401);
    const good = { Authorization: `Basic ${btoa("bob:pw")}` };
    equal((await send(s, "GET", `${BASE}/v2/`, { headers: good })).status, 200);
    equal((await send(s, "GET", `${BASE}/v2/`, { headers: good })).status, 200);
    equal(verified, 1);
    const wrong = await send(s, "GET", `${BASE}/v2/`, {
      headers: { Authorization: `Basic ${btoa("bob:nope")}` },
    });
    equal(wrong.status, 401);
  }, { auth });
});

Deno.test("registry handler: read-only refuses every write with 403 DENIED and writes nothing", async () => {
  await withHandler(async (s, _root, dir) => {
    const img = await buildImage("ro");
    const writes: [string, string][] = [
      ["POST", "/v2/ro/repo/blobs/uploads/"],
      ["POST", `/v2/ro/repo/blobs/uploads/?digest=${await digestOf(enc.encode("x"))}`],
      ["PUT", "/v2/ro/repo/manifests/v1"],
      ["DELETE", "/v2/ro/repo/manifests/v1"],
      ["DELETE", `/v2/ro/repo/blobs/${img.digest}`],
      ["PATCH", `/v2/ro/repo/blobs/uploads/${"a".repeat(32)}`],
      ["PUT", `/v2/ro/repo/blobs/uploads/${"a".repeat(32)}?digest=${img.digest}`],
      ["DELETE", `/v2/ro/repo/blobs/uploads/${"a".repeat(32)}`],
    ];
    for (const [method, path] of writes) {
      const r = await send(s, method, `${BASE}${path}`, method === "DELETE" ? {} : { body: "x" });
      equal(r.status, 403, `${method} ${path}`);
      equal(errorCode(r), "DENIED");
    }
    deepEqual(await listTree(dir), []);
    equal((await send(s, "GET", `${BASE}/v2/`)).status, 200);
  }, { readOnly: true });
});

Deno.test("registry handler: no-delete refuses deletes with 405 UNSUPPORTED and keeps content", async () => {
  await withHandler(async (s) => {
    const img = await buildImage("nd");
    equal((await pushImage(s, BASE, "nd/repo", "v1", img)).status, 201);
    for (
      const path of [
        "manifests/v1",
        `manifests/${img.digest}`,
        `blobs/${await digestOf(img.blobs[0] as Uint8Array)}`,
      ]
    ) {
      const r = await send(s, "DELETE", `${BASE}/v2/nd/repo/${path}`);
      equal(r.status, 405);
      equal(errorCode(r), "UNSUPPORTED");
    }
    equal((await send(s, "GET", `${BASE}/v2/nd/repo/manifests/v1`)).status, 200);
    // upload cancel is not a content delete and stays allowed
    const p = await send(s, "POST", `${BASE}/v2/nd/repo/blobs/uploads/`);
    equal(
      (await send(s, "DELETE", resolveLocation(BASE, p.headers.get("location")).href)).status,
      204,
    );
  }, { noDelete: true });
});

Deno.test("registry handler: a blob whose bytes no longer match its digest is never served cleanly", async () => {
  await withHandler(async (s, _root, dir, { logs }) => {
    const data = enc.encode("original bytes of the blob");
    equal((await pushBlob(s, BASE, "bad/repo", data)).status, 201);
    const path = `${dir}/bad/repo/blobs/sha256/${(await digestOf(data)).slice(7)}`;
    await Deno.writeFile(path, enc.encode("tampered bytes of the blob"));
    const res = await s(new Request(`${BASE}/v2/bad/repo/blobs/${await digestOf(data)}`));
    equal(res.status, 200);
    await rejects(res.arrayBuffer());
    const dataDigest = await digestOf(data);
    ok(logs.some((l) => l.includes(dataDigest)));
    const ranged = await s(
      new Request(`${BASE}/v2/bad/repo/blobs/${await digestOf(data)}`, {
        headers: { Range: "bytes=0-3" },
      }),
    );
    equal(ranged.status, 206);
    await rejects(ranged.arrayBuffer());
  });
});

/**
 * A file system whose `stat` keeps reporting the first identity it saw for
 * `path`: bytes that change under it look like bit rot the file system
 * cannot see.
 */
function frozenIdentity(): { fs: FileSystem; freeze: (path: string) => void } {
  const frozen = new Map<string, FileInfo | undefined>();
  const freezeInfo = (path: string, info: FileInfo | undefined) => {
    if (!frozen.has(path)) return info;
    if (frozen.get(path) === undefined) frozen.set(path, info);
    return frozen.get(path);
  };
  const fs: FileSystem = {
    ...denoFileSystem,
    async stat(path) {
      return freezeInfo(path, await denoFileSystem.stat(path));
    },
    async openFile(path) {
      const opened = await denoFileSystem.openFile!(path);
      return { ...opened, info: freezeInfo(path, opened.info) ?? opened.info };
    },
  };
  return { fs, freeze: (path) => frozen.set(path, undefined) };
}

Deno.test("registry handler: a blob checked on upload is served again unhashed while its identity holds", async () => {
  const { fs, freeze } = frozenIdentity();
  await withHandler(async (s, _root, dir) => {
    const data = enc.encode("original bytes of the blob");
    const path = `${dir}/id/repo/blobs/sha256/${(await digestOf(data)).slice(7)}`;
    freeze(path);
    equal((await pushBlob(s, BASE, "id/repo", data)).status, 201);
    const first = await s(new Request(`${BASE}/v2/id/repo/blobs/${await digestOf(data)}`));
    deepEqual(new Uint8Array(await first.arrayBuffer()), data);
    // Same length, other bytes, identity frozen: the memory of the check is trusted.
    await Deno.writeFile(path, enc.encode("tampered bytes of the blob"));
    const again = await s(new Request(`${BASE}/v2/id/repo/blobs/${await digestOf(data)}`));
    equal(new TextDecoder().decode(await again.arrayBuffer()), "tampered bytes of the blob");
  }, { fs });
});

Deno.test("registry handler: verifyEveryRead hashes every GET, whatever the file's identity says", async () => {
  const { fs, freeze } = frozenIdentity();
  await withHandler(async (s, _root, dir, { logs }) => {
    const data = enc.encode("original bytes of the blob");
    const path = `${dir}/ev/repo/blobs/sha256/${(await digestOf(data)).slice(7)}`;
    freeze(path);
    equal((await pushBlob(s, BASE, "ev/repo", data)).status, 201);
    const first = await s(new Request(`${BASE}/v2/ev/repo/blobs/${await digestOf(data)}`));
    deepEqual(new Uint8Array(await first.arrayBuffer()), data);
    await Deno.writeFile(path, enc.encode("tampered bytes of the blob"));
    const again = await s(new Request(`${BASE}/v2/ev/repo/blobs/${await digestOf(data)}`));
    await rejects(again.arrayBuffer());
    const dataDigest = await digestOf(data);
    ok(logs.some((l) => l.includes(dataDigest)));
  }, { fs, verifyEveryRead: true });
});

/** Reads a body to its end: the size of each piece, and the error it ended with. */
async function pieceSizes(body: ReadableStream<Uint8Array>): Promise<[number[], unknown]> {
  const sizes: number[] = [];
  try {
    for await (const piece of body) sizes.push(piece.byteLength);
    return [sizes, undefined];
  } catch (err) {
    return [sizes, err];
  }
}

Deno.test("registry handler: checked and unchecked blobs go out in FILE_STREAM_PIECE pieces; a tampered one stops before its last", async () => {
  const data = new Uint8Array(2 * FILE_STREAM_PIECE + 1000);
  for (let i = 0; i < data.byteLength; i += 65536) {
    crypto.getRandomValues(data.subarray(i, i + 65536));
  }
  const digest = await digestOf(data);
  for (const verifyEveryRead of [false, true]) {
    await withHandler(async (s, _root, dir) => {
      equal((await pushBlob(s, BASE, "pc/repo", data)).status, 201);
      const url = `${BASE}/v2/pc/repo/blobs/${digest}`;
      const [sizes, err] = await pieceSizes((await s(new Request(url))).body!);
      equal(err, undefined);
      deepEqual(
        sizes,
        [FILE_STREAM_PIECE, FILE_STREAM_PIECE, 1000],
        `verifyEveryRead ${verifyEveryRead}`,
      );
      const tampered = data.slice();
      tampered[data.byteLength - 1] = (tampered[data.byteLength - 1] ?? 0) ^ 1;
      await Deno.writeFile(`${dir}/pc/repo/blobs/sha256/${digest.slice(7)}`, tampered);
      const [cut, refused] = await pieceSizes((await s(new Request(url))).body!);
      ok(refused instanceof Error, `verifyEveryRead ${verifyEveryRead}: the body errors`);
      deepEqual(cut, [FILE_STREAM_PIECE, FILE_STREAM_PIECE], "everything but the last piece");
    }, { verifyEveryRead });
    equal(hashWorkerRunning(), false, "closing the registry lets the hashing worker go");
  }
});

Deno.test("registry handler: a tampered blob is refused on every GET, never remembered as checked", async () => {
  await withHandler(async (s, _root, dir) => {
    const data = enc.encode("original bytes of the blob");
    equal((await pushBlob(s, BASE, "fc/repo", data)).status, 201);
    const path = `${dir}/fc/repo/blobs/sha256/${(await digestOf(data)).slice(7)}`;
    await Deno.writeFile(path, enc.encode("tampered bytes of the blob"));
    for (let i = 0; i < 2; i++) {
      const res = await s(new Request(`${BASE}/v2/fc/repo/blobs/${await digestOf(data)}`));
      await rejects(res.arrayBuffer());
    }
  });
});

Deno.test("registry handler: a PATCH whose body differs from Content-Range is refused and the session kept", async () => {
  await withHandler(async (s) => {
    const p = await send(s, "POST", `${BASE}/v2/cr/repo/blobs/uploads/`);
    const loc = resolveLocation(BASE, p.headers.get("location"));
    const short = await send(s, "PATCH", loc.href, {
      headers: { "Content-Range": "0-9" },
      body: "abc",
    });
    equal(short.status, 400);
    equal(errorCode(short), "SIZE_INVALID");
    const long = await send(s, "PATCH", loc.href, {
      headers: { "Content-Range": "0-1" },
      body: "abc",
    });
    equal(long.status, 400);
    const junk = await send(s, "PATCH", loc.href, {
      headers: { "Content-Range": "bytes" },
      body: "abc",
    });
    equal(junk.status, 400);
    equal(errorCode(junk), "BLOB_UPLOAD_INVALID");
    const good = await send(s, "PATCH", loc.href, {
      headers: { "Content-Range": "0-2" },
      body: "abc",
    });
    equal(good.status, 202);
    equal(good.headers.get("range"), "0-2");
    const noDigest = await send(s, "PUT", loc.href);
    equal(noDigest.status, 400);
    equal(errorCode(noDigest), "DIGEST_INVALID");
  });
});

Deno.test("registry handler: a request using a busy session is refused", async () => {
  await withHandler(async (s) => {
    const p = await send(s, "POST", `${BASE}/v2/busy/repo/blobs/uploads/`);
    const loc = resolveLocation(BASE, p.headers.get("location"));
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    const slow = new ReadableStream<Uint8Array>({
      async pull(c) {
        await gate;
        c.enqueue(enc.encode("late"));
        c.close();
      },
    });
    const first = send(s, "PATCH", loc.href, { body: slow });
    await new Promise((r) => setTimeout(r, 20));
    const second = await send(s, "PATCH", loc.href, { body: "x" });
    equal(second.status, 400);
    equal(errorCode(second), "BLOB_UPLOAD_INVALID");
    release();
    equal((await first).status, 202);
  });
});

Deno.test("registry handler: close() waits for an upload in flight", async () => {
  const root = await Deno.makeTempDir({ prefix: "ocictl-serve-unit-" });
  try {
    const h = createRegistryHandler({ dir: root });
    const p = await send((r) => h.fetch(r), "POST", `${BASE}/v2/fl/repo/blobs/uploads/`);
    const loc = resolveLocation(BASE, p.headers.get("location"));
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        await gate;
        c.enqueue(enc.encode("done"));
        c.close();
      },
    });
    const upload = send((r) => h.fetch(r), "PATCH", loc.href, { body });
    await new Promise((r) => setTimeout(r, 20));
    let closed = false;
    const closing = h.close().then(() => closed = true);
    await new Promise((r) => setTimeout(r, 20));
    equal(closed, false);
    release();
    equal((await upload).status, 202);
    await closing;
    equal(closed, true);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("registry handler: a broken layout answers 500 UNKNOWN and is logged", async () => {
  await withHandler(async (s, _root, dir, { logs }) => {
    await Deno.mkdir(`${dir}/broken`);
    await Deno.writeTextFile(`${dir}/broken/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
    await Deno.writeTextFile(`${dir}/broken/index.json`, "{not json");
    const r = await send(s, "GET", `${BASE}/v2/broken/tags/list`);
    equal(r.status, 500);
    equal(errorCode(r), "UNKNOWN");
    equal(r.headers.get("content-type"), "application/json");
    ok(logs.length > 0);
  });
});

Deno.test("registry handler: HEAD errors carry headers but no body", async () => {
  await withHandler(async (s) => {
    const r = await send(s, "HEAD", `${BASE}/v2/none/manifests/v1`);
    equal(r.status, 404);
    equal(r.body.length, 0);
    equal(r.headers.get("content-type"), "application/json");
    equal(r.headers.get("docker-distribution-api-version"), "registry/2.0");
  });
});

Deno.test("registry handler: a parent repository can be pushed after its child", async () => {
  await withHandler(async (s) => {
    equal((await pushImage(s, BASE, "org/app/sub", "v1", await buildImage("child"))).status, 201);
    equal((await pushImage(s, BASE, "org/app", "v1", await buildImage("parent"))).status, 201);
    const cat = await send(s, "GET", `${BASE}/v2/_catalog`);
    deepEqual(JSON.parse(cat.text), { repositories: ["org/app", "org/app/sub"] });
    equal((await send(s, "GET", `${BASE}/v2/org/app/sub/manifests/v1`)).status, 200);
  });
});

Deno.test("registry handler: a mount from a corrupt source blob falls back to an upload session", async () => {
  await withHandler(async (s, _root, dir, { logs }) => {
    const data = enc.encode("mount source bytes");
    equal((await pushBlob(s, BASE, "src/repo", data)).status, 201);
    await Deno.writeFile(
      `${dir}/src/repo/blobs/sha256/${(await digestOf(data)).slice(7)}`,
      enc.encode("MOUNT SOURCE BYTES"),
    );
    const r = await send(
      s,
      "POST",
      `${BASE}/v2/dst/repo/blobs/uploads/?mount=${await digestOf(data)}&from=src/repo`,
    );
    equal(r.status, 202);
    equal((await send(s, "HEAD", `${BASE}/v2/dst/repo/blobs/${await digestOf(data)}`)).status, 404);
    ok(logs.length > 0);
  });
});

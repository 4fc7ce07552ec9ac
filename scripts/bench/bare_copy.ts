/**
 * The copy benchmark's floor: the least work any Deno client can do to copy
 * a single-platform image of plain layers, with none of ocictl's code. It
 * speaks HTTP/1.1 over `Deno.connect` (plain HTTP, no auth, one connection
 * per request) and moves each blob in 1 MiB pieces straight between socket,
 * file and hash:
 *
 * - pull (registry → new layout): GET, hash with `node:crypto`, append to a
 *   temp file flushed every 16 MiB through a second handle and once at the
 *   end, rename once the digest checks out (what ocictl does);
 * - push (layout → registry): POST, then PUT the file with its length;
 * - registry → registry: POST on the target, GET from the source, PUT what
 *   comes with its length.
 *
 * The target registry checks the digest of what is pushed, as it does for
 * ocictl. All blobs go at once, then the manifest. `copy_vs_skopeo.ts` times
 * it beside ocictl and skopeo, so a run shows how far ocictl is from what the
 * machine allows.
 *
 * Run alone: `deno run -A scripts/bench/bare_copy.ts SRC DST`, where each is
 * `ocidir:<dir>:<tag>` or `<host>/<repo>:<tag>`.
 *
 * @module
 */
import { createHash } from "node:crypto";

const PIECE = 1024 * 1024;
const FLUSH_EVERY = 16 * 1024 * 1024;
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const enc = new TextEncoder();

/** A registry repository. */
type _Repo = { host: string; repo: string; tag: string };
/** Where an image is: a layout directory or a registry repository. */
type _End = { dir: string; tag: string } | _Repo;

function _parseEnd(s: string): _End {
  const at = s.lastIndexOf(":");
  if (s.startsWith("ocidir:")) return { dir: s.slice(7, at), tag: s.slice(at + 1) };
  const slash = s.indexOf("/");
  return { host: s.slice(0, slash), repo: s.slice(slash + 1, at), tag: s.slice(at + 1) };
}

/** An answer: status, lower-cased headers, and a reader of its body. */
interface _Answer {
  status: number;
  headers: Map<string, string>;
  /** Reads body bytes into `p` (leftover header bytes first); null at its end. */
  read(p: Uint8Array): Promise<number | null>;
  close(): void;
}

/** How long one request may take before its connection is closed. */
const REQUEST_DEADLINE_MS = 120_000;

/**
 * Sends one request on a new connection. A body, when given, is written by
 * `send` after the head; the request carries its exact length. The answer's
 * body is framed by its `Content-Length`, or runs to the connection's end
 * without one; a chunked answer is refused. The connection is closed after
 * {@link REQUEST_DEADLINE_MS} at the latest, so a stalled server cannot hang
 * a benchmark. The deadline is an `AbortSignal.timeout`, not a `setTimeout`:
 * the first `setTimeout` of a Deno process cost it 11–13 ms on a guest with
 * slow page faults, against 3 ms for `AbortSignal.timeout` and its
 * listener; ocictl's copy starts no timer.
 */
async function _request(
  host: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: { length: number; send(conn: Deno.Conn): Promise<void> },
): Promise<_Answer> {
  const [hostname, port] = host.split(":");
  const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
  let closed = false;
  const deadline = AbortSignal.timeout(REQUEST_DEADLINE_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    deadline.removeEventListener("abort", close);
    conn.close();
  };
  deadline.addEventListener("abort", close, { once: true });
  try {
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, "Connection: close"];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
    await _writeAll(conn, enc.encode(lines.join("\r\n") + "\r\n\r\n"));
    if (body !== undefined) await body.send(conn);
    // the head, up to the blank line
    let head = new Uint8Array(0);
    let end = -1;
    while (end < 0) {
      const buf = new Uint8Array(16 * 1024);
      const n = await conn.read(buf);
      if (n === null) throw new Error(`${method} ${path}: connection closed before the answer`);
      const joined = new Uint8Array(head.length + n);
      joined.set(head);
      joined.set(buf.subarray(0, n), head.length);
      head = joined;
      end = _blankLine(head);
    }
    const text = new TextDecoder().decode(head.subarray(0, end));
    let rest: Uint8Array = head.subarray(end + 4);
    const [statusLine, ...fields] = text.split("\r\n");
    const map = new Map<string, string>();
    for (const f of fields) {
      const i = f.indexOf(":");
      map.set(f.slice(0, i).trim().toLowerCase(), f.slice(i + 1).trim());
    }
    if (map.has("transfer-encoding")) {
      throw new Error(`${method} ${path}: a ${map.get("transfer-encoding")} answer is not read`);
    }
    const length = map.get("content-length");
    if (length !== undefined && !/^\d+$/.test(length)) {
      throw new Error(`${method} ${path}: bad Content-Length ${JSON.stringify(length)}`);
    }
    // without a length, the body runs to the end of the connection
    let left = method === "HEAD" ? 0 : length === undefined ? Infinity : Number(length);
    return {
      status: Number(statusLine!.split(" ")[1]),
      headers: map,
      async read(p) {
        if (left === 0) return null;
        const want = Math.min(p.length, left);
        let n: number;
        if (rest.length > 0) {
          n = Math.min(want, rest.length);
          p.set(rest.subarray(0, n));
          rest = rest.subarray(n);
        } else {
          const got = await conn.read(p.subarray(0, want));
          if (got === null) {
            if (left === Infinity) return null;
            throw new Error(`${method} ${path}: body cut short`);
          }
          n = got;
        }
        left -= n;
        return n;
      },
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}

function _blankLine(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

async function _writeAll(conn: Deno.Conn, p: Uint8Array): Promise<void> {
  for (let off = 0; off < p.length;) off += await conn.write(p.subarray(off));
}

/** Reads an answer's whole (small) body and closes its connection. */
async function _bytes(a: _Answer): Promise<Uint8Array> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const buf = new Uint8Array(64 * 1024);
  try {
    for (let n = await a.read(buf); n !== null; n = await a.read(buf)) parts.push(buf.slice(0, n));
  } finally {
    a.close();
  }
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

async function _expect(a: _Answer, status: number, what: string): Promise<void> {
  if (a.status === status) return;
  const text = new TextDecoder().decode(await _bytes(a).catch(() => new Uint8Array(0)));
  throw new Error(`${what}: ${a.status} ${text}`);
}

/** The manifest bytes and the blobs it names (config first). */
interface _Image {
  manifest: Uint8Array;
  blobs: { digest: string; size: number }[];
}

async function _readImage(src: _End): Promise<_Image> {
  let manifest: Uint8Array;
  if ("dir" in src) {
    const index = JSON.parse(await Deno.readTextFile(`${src.dir}/index.json`));
    const desc = index.manifests.find((m: { annotations?: Record<string, string> }) =>
      m.annotations?.["org.opencontainers.image.ref.name"] === src.tag
    );
    manifest = await Deno.readFile(`${src.dir}/blobs/sha256/${desc.digest.slice(7)}`);
  } else {
    const a = await _request(src.host, "GET", `/v2/${src.repo}/manifests/${src.tag}`, {
      Accept: MANIFEST_TYPE,
    });
    await _expect(a, 200, "get manifest");
    manifest = await _bytes(a);
  }
  const m = JSON.parse(new TextDecoder().decode(manifest));
  // an image may name one blob twice: it is copied once
  const blobs = new Map<string, { digest: string; size: number }>();
  for (const b of [m.config, ...m.layers]) blobs.set(b.digest, b);
  return { manifest, blobs: [...blobs.values()] };
}

/** GETs a blob into `dir`: hashed and written piece by piece, flushed, renamed when it checks out. */
async function _pullBlob(src: _Repo, dir: string, digest: string, size: number) {
  const a = await _request(src.host, "GET", `/v2/${src.repo}/blobs/${digest}`);
  const tmp = `${dir}/blobs/sha256/.${digest.slice(7)}.tmp`;
  let file: Deno.FsFile | undefined;
  let flusher: Deno.FsFile | undefined;
  let flushing: Promise<void> | undefined;
  let flushError: { err: unknown } | undefined;
  try {
    await _expect(a, 200, `get ${digest}`);
    file = await Deno.open(tmp, { write: true, createNew: true });
    flusher = await Deno.open(tmp, { write: true });
    const hash = createHash("sha256");
    const buf = new Uint8Array(Math.min(PIECE, Math.max(size, 1)));
    let count = 0;
    let flushedAt = 0;
    for (let n = await a.read(buf); n !== null; n = await a.read(buf)) {
      const piece = buf.subarray(0, n);
      hash.update(piece);
      for (let off = 0; off < n;) off += await file.write(piece.subarray(off));
      count += n;
      if (count > size) break;
      if (flushing === undefined && count - flushedAt >= FLUSH_EVERY) {
        flushedAt = count;
        flushing = flusher.sync().then(
          () => void (flushing = undefined),
          (err) => void (flushError = { err }, flushing = undefined),
        );
      }
    }
    await flushing;
    if (flushError !== undefined) throw flushError.err;
    await file.sync();
    const got = `sha256:${hash.digest("hex")}`;
    if (count !== size || got !== digest) throw new Error(`blob ${digest}: got ${got}, ${count} B`);
    await Deno.rename(tmp, `${dir}/blobs/sha256/${digest.slice(7)}`);
  } catch (err) {
    await flushing;
    await Deno.remove(tmp).catch(() => {});
    throw err;
  } finally {
    a.close();
    file?.close();
    flusher?.close();
  }
}

/** Opens an upload on `dst` and PUTs the `size` bytes that `read` gives, piece by piece. */
async function _pushBlob(
  dst: _Repo,
  digest: string,
  size: number,
  read: (p: Uint8Array) => Promise<number | null>,
): Promise<void> {
  const post = await _request(dst.host, "POST", `/v2/${dst.repo}/blobs/uploads/`, {
    "Content-Length": "0",
  });
  await _expect(post, 202, "start upload");
  const location = new URL(post.headers.get("location")!, `http://${dst.host}`);
  post.close();
  location.searchParams.set("digest", digest);
  const put = await _request(dst.host, "PUT", location.pathname + location.search, {
    "Content-Type": "application/octet-stream",
  }, {
    length: size,
    async send(conn) {
      const buf = new Uint8Array(Math.min(PIECE, Math.max(size, 1)));
      let sent = 0;
      // never more than announced: a longer source fails after `size` bytes
      for (let n = await read(buf); n !== null && sent < size; n = await read(buf)) {
        const piece = buf.subarray(0, Math.min(n, size - sent));
        await _writeAll(conn, piece);
        sent += piece.length;
      }
      if (sent !== size) throw new Error(`blob ${digest}: sent ${sent} of ${size} B`);
    },
  });
  await _expect(put, 201, `put ${digest}`);
  put.close();
}

/**
 * Copies the image at `src` to `dst` (layout → registry, registry → layout
 * or registry → registry).
 *
 * @param src `ocidir:<dir>:<tag>` or `<host>/<repo>:<tag>`
 * @param dst the same forms
 * @returns nothing
 * @throws {Error} on any answer but the expected one, or a blob that does not check out
 */
export async function bareCopy(src: string, dst: string): Promise<void> {
  const from = _parseEnd(src);
  const to = _parseEnd(dst);
  const image = await _readImage(from);
  if ("dir" in to) {
    if ("dir" in from) throw new Error("layout → layout is not a bare copy");
    await Deno.mkdir(`${to.dir}/blobs/sha256`, { recursive: true });
    await Promise.all(image.blobs.map((b) => _pullBlob(from, to.dir, b.digest, b.size)));
    const hex = createHash("sha256").update(image.manifest).digest("hex");
    await Deno.writeFile(`${to.dir}/blobs/sha256/${hex}`, image.manifest);
    await Deno.writeTextFile(
      `${to.dir}/index.json`,
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{
          mediaType: MANIFEST_TYPE,
          digest: `sha256:${hex}`,
          size: image.manifest.length,
          annotations: { "org.opencontainers.image.ref.name": to.tag },
        }],
      }),
    );
    await Deno.writeTextFile(`${to.dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
    return;
  }
  await Promise.all(image.blobs.map(async (b) => {
    if ("dir" in from) {
      using file = await Deno.open(`${from.dir}/blobs/sha256/${b.digest.slice(7)}`);
      await _pushBlob(to, b.digest, b.size, (p) => file.read(p));
    } else {
      const get = await _request(from.host, "GET", `/v2/${from.repo}/blobs/${b.digest}`);
      await _expect(get, 200, `get ${b.digest}`);
      try {
        await _pushBlob(to, b.digest, b.size, (p) => get.read(p));
      } finally {
        get.close();
      }
    }
  }));
  const put = await _request(to.host, "PUT", `/v2/${to.repo}/manifests/${to.tag}`, {
    "Content-Type": MANIFEST_TYPE,
  }, {
    length: image.manifest.length,
    send: (conn) => _writeAll(conn, image.manifest),
  });
  await _expect(put, 201, "put manifest");
  put.close();
}

if (import.meta.main) {
  const [src, dst] = Deno.args;
  if (src === undefined || dst === undefined) {
    const usage = "usage: bare_copy.ts SRC DST (ocidir:<dir>:<tag> or <host>/<repo>:<tag>)\n";
    Deno.stderr.writeSync(enc.encode(usage));
    Deno.exit(2);
  }
  await bareCopy(src, dst);
}

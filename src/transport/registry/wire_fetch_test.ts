import assert from "node:assert/strict";
import { SOURCE_REUSE_MS, WIRE_IDLE_MS, WireFetch, type WireRequestInit } from "./wire_fetch.ts";
import { SourceBodyError } from "./wire_headers.ts";
import { MAX_HEAD_BYTES } from "./wire_response.ts";
import { bytesSource } from "../../../tests/_byte_source.ts";

const _enc = (s: string) => new TextEncoder().encode(s);
const _dec = (b: Uint8Array) => new TextDecoder().decode(b);
const _sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const _ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${_enc(body).byteLength}\r\n\r\n${body}`;
/** What the wire fetch adds to each request (it decodes no content coding). */
const _AE = "Accept-Encoding: identity\r\n";
const _TE = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n";
const _EARLY = "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n";
const _HUGE = "HTTP/1.1 200 OK\r\n" + "X-Pad: 0123456789abcdef0123456789abcdef\r\n".repeat(1800);

/**
 * The raw server's answers by request path, else a 200 with body `n<connection index>`.
 * Pieces of a list are written 20 ms apart; after "close=1" the server closes.
 */
const _SCRIPT: Record<string, string | string[]> = {
  "/v2/x?n=1": "HTTP/1.1 203 Fine Thanks\r\nX-One: a\r\nx-one: b\r\nContent-Type: text/plain\r\n" +
    "Content-Length: 5\r\n\r\nhello",
  "/head": "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
  "/close": _ok("c", "Connection: close\r\n"),
  "/old": "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\no",
  "/both": `${_TE}Content-Length: 9\r\n\r\n1\r\nb\r\n0\r\n\r\n`,
  "/first?close=1": [_ok("first"), ""],
  "/chunked": `${_TE}\r\n3;x=y\r\nabc\r\n4\r\ndefg\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n`,
  "/chunks-later?close=1": [`${_TE}\r\n`, "3\r\nabc\r\n", "4\r\ndefg\r\n", "0\r\n\r\n"],
  "/interim": `HTTP/1.1 100 Continue\r\n\r\n${_EARLY}${_ok("done")}`,
  "/interim-later?close=1": [_EARLY, _ok("done")],
  "/garbage": "HTPP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
  "/huge?close=1": _HUGE,
  "/lengths": "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
  "/folded": "HTTP/1.1 200 OK\r\nA: b\r\n c\r\nContent-Length: 0\r\n\r\n",
  "/101": "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
  "/drop?close=1": "",
  "/short?close=1": "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
  "/partial": "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
  "/hang": "",
};

type _Req = { head: string; body: Uint8Array; conn: number; path: string };
/** The raw server: connections accepted, ended by the client, closed by the server. */
type _Server = { accepted: number; ended: number[]; shut: number[]; log: _Req[]; url: _Url };
type _Url = (path: string) => URL;

/** Reads the requests of one server-side connection and answers them from `_SCRIPT`. */
async function _answer(conn: Deno.Conn, index: number, srv: _Server, close: () => void) {
  const reset = (e: unknown) => e instanceof Deno.errors.ConnectionReset ? null : Promise.reject(e);
  let buf = new Uint8Array(0);
  for (let k = 0; k < 1000; k++) {
    const text = new TextDecoder("latin1").decode(buf);
    const end = text.indexOf("\r\n\r\n");
    const total = end + 4 + Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
    if (end < 0 || buf.byteLength < total) {
      const more = new Uint8Array(65536);
      const n = await conn.read(more).catch(reset);
      if (n === null) return void srv.ended.push(index);
      buf = new Uint8Array([...buf, ...more.subarray(0, n)]);
      continue;
    }
    const head = text.slice(0, end + 4);
    const req = { head, body: buf.slice(end + 4, total), conn: index, path: head.split(" ")[1]! };
    buf = buf.slice(total);
    srv.log.push(req);
    for (const [i, piece] of [_SCRIPT[req.path] ?? _ok(`n${index}`)].flat().entries()) {
      if (i > 0) await _sleep(20);
      const bytes = _enc(piece);
      for (let off = 0; off < bytes.byteLength;) off += await conn.write(bytes.subarray(off));
    }
    if (req.path.includes("close=1")) return void (close(), srv.shut.push(index));
  }
}

function _wire(clock = { now: 0 }): WireFetch {
  return new WireFetch({
    dial: (url) => Deno.connect({ hostname: url.hostname, port: Number(url.port) }),
    now: () => clock.now,
  });
}

/** Runs `fn` with a raw scripted server on 127.0.0.1 and a WireFetch; closes both. */
async function _with(fn: (srv: _Server, wire: WireFetch) => Promise<void>, clock = { now: 0 }) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = (p: string) => new URL(`http://127.0.0.1:${listener.addr.port}${p}`);
  const srv: _Server = { accepted: 0, ended: [], shut: [], log: [], url };
  const open = new Set<Deno.Conn>();
  const close = (c: Deno.Conn) => void (open.delete(c) && c.close());
  const tasks: Promise<void>[] = [];
  const loop = (async () => {
    for (let i = 0; i < 32; i++) {
      const c = await listener.accept().catch(() => null);
      if (c === null) return;
      srv.accepted++;
      open.add(c);
      tasks.push(_answer(c, i, srv, () => close(c)).catch(() => {}).finally(() => close(c)));
    }
  })();
  const wire = _wire(clock);
  // a watchdog: a test that would hang fails after 5 s instead
  const watchdog = setTimeout(() => open.forEach(close), 5000);
  try {
    await fn(srv, wire);
  } finally {
    clearTimeout(watchdog);
    wire.close();
    listener.close();
    await loop;
    for (const c of open) close(c);
    await Promise.all(tasks);
  }
}

async function _until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await _sleep(10);
  assert.ok(cond(), "condition not reached within 1 s");
}

const _text = async (wire: WireFetch, url: URL, init?: WireRequestInit) =>
  await (await wire.fetch(url, init)).text();

async function _drain(body: ReadableStream<Uint8Array> | null): Promise<string> {
  const parts: number[] = [];
  for await (const piece of body!) parts.push(...piece);
  return _dec(new Uint8Array(parts));
}

Deno.test("WireFetch.fetch() sends a GET and returns status, headers and body", async () => {
  await _with(async (srv, wire) => {
    const url = srv.url("/v2/x?n=1");
    const custom = { "X-Custom": " v1 ", Authorization: "Bearer t" };
    const res = await wire.fetch(url, { headers: custom });
    assert.deepEqual([res.status, res.statusText, res.ok], [203, "Fine Thanks", true]);
    assert.equal(res.url, url.href);
    const headers = [["content-length", "5"], ["content-type", "text/plain"], ["x-one", "a, b"]];
    assert.deepEqual([...res.headers], headers);
    assert.equal(await res.text(), "hello");
    const sent = `GET /v2/x?n=1 HTTP/1.1\r\nHost: ${url.host}\r\nX-Custom: v1\r\n`;
    const rest = `Authorization: Bearer t\r\nAccept: */*\r\n${_AE}\r\n`;
    assert.deepEqual(srv.log.map((r) => [r.head, r.body.byteLength]), [[sent + rest, 0]]);
  });
});

Deno.test("WireFetch.fetch() sends bodies with one Content-Length and one Host", async () => {
  const bytes = new Uint8Array([0, 1, 13, 10, 255]);
  const own = { "content-length": "99", HOST: "evil.example", Connection: "close" };
  const inits: WireRequestInit[] = [
    { method: "POST", body: bytes },
    { method: "put", body: "héllo" },
    { method: "POST" },
    { method: "PATCH", body: null },
    { method: "POST", body: "ab", headers: { ...own, "Transfer-Encoding": "chunked" } },
    { headers: new Headers({ Accept: "application/json" }) },
    { headers: { "Accept-Encoding": "gzip" } },
  ];
  await _with(async (srv, wire) => {
    for (const init of inits) assert.equal(await _text(wire, srv.url("/u"), init), "n0");
    const host = `Host: ${srv.url("/").host}\r\n`;
    const any = `Accept: */*\r\n${_AE}`;
    assert.deepEqual(srv.log.map((r) => r.head), [
      `POST /u HTTP/1.1\r\n${host}${any}Content-Length: 5\r\n\r\n`,
      `PUT /u HTTP/1.1\r\n${host}${any}Content-Length: 6\r\n\r\n`,
      `POST /u HTTP/1.1\r\n${host}${any}Content-Length: 0\r\n\r\n`,
      `PATCH /u HTTP/1.1\r\n${host}${any}Content-Length: 0\r\n\r\n`,
      `POST /u HTTP/1.1\r\n${host}${any}Content-Length: 2\r\n\r\n`,
      `GET /u HTTP/1.1\r\n${host}accept: application/json\r\n${_AE}\r\n`,
      `GET /u HTTP/1.1\r\n${host}Accept-Encoding: gzip\r\nAccept: */*\r\n\r\n`,
    ]);
    assert.deepEqual(srv.log[0]!.body, bytes);
    assert.equal(_dec(srv.log[1]!.body), "héllo");
    assert.equal(_dec(srv.log[4]!.body), "ab");
    assert.equal(srv.accepted, 1);
  });
});

Deno.test("WireFetch reuses a connection after HEAD and for WIRE_IDLE_MS, no longer", async () => {
  const clock = { now: 1000 };
  await _with(async (srv, wire) => {
    const head = await wire.fetch(srv.url("/head"), { method: "HEAD" });
    const length = head.headers.get("content-length");
    assert.deepEqual([head.status, head.body, length], [200, null, "5"]);
    assert.equal(await _text(wire, srv.url("/")), "n0");
    assert.equal(await _text(wire, srv.url("/")), "n0");
    clock.now += WIRE_IDLE_MS;
    assert.equal(await _text(wire, srv.url("/")), "n0");
    assert.equal(srv.accepted, 1);
    clock.now += WIRE_IDLE_MS + 1;
    assert.equal(await _text(wire, srv.url("/")), "n1");
    assert.equal(srv.accepted, 2);
    assert.deepEqual(srv.log.map((r) => r.conn), [0, 0, 0, 0, 1]);
    await _until(() => srv.ended.length > 0);
    assert.deepEqual(srv.ended, [0]);
  }, clock);
});

Deno.test("WireFetch does not reuse a closed, HTTP/1.0, TE+CL or unread-body connection", async () => {
  await _with(async (srv, wire) => {
    const got = [];
    for (const p of ["/close", "/", "/old", "/", "/both", "/"]) {
      got.push(await _text(wire, srv.url(p)));
    }
    assert.deepEqual(got, ["c", "n1", "o", "n2", "b", "n3"]);
    const unread = await wire.fetch(srv.url("/"));
    assert.equal(unread.status, 200);
    assert.equal(await _text(wire, srv.url("/")), "n4");
    assert.equal(srv.accepted, 5);
    await _until(() => srv.ended.length === 3);
    assert.deepEqual(srv.ended.toSorted(), [0, 1, 2]);
  });
});

Deno.test("WireFetch resends a GET, not a POST, when the server closed a reused connection", async () => {
  // Regression: an earlier wire_fetch.ts rejected the POSTs with its internal Error
  // "closed before a response" (the inner _StaleConnection as err.cause), not a TypeError.
  const clock = { now: 0 };
  await _with(async (srv, wire) => {
    const got = [];
    for (const method of ["POST", "GET"]) {
      assert.equal(await _text(wire, srv.url("/first?close=1")), "first");
      await _until(() => srv.shut.length === srv.accepted);
      await _sleep(20);
      got.push(await wire.fetch(srv.url("/"), { method, body: "x" }).catch((e) => e));
    }
    const [post, get] = got;
    assert.deepEqual([get.status, await get.text(), srv.accepted], [200, "n2", 3]);
    // a POST on a new connection closed before answering rejects too
    clock.now += WIRE_IDLE_MS + 1;
    const fresh = await wire.fetch(srv.url("/drop?close=1"), { method: "POST" }).catch((e) => e);
    assert.deepEqual([srv.accepted, srv.log.map((r) => r.conn)], [4, [0, 1, 2, 3]]);
    const closed = /^127\.0\.0\.1:\d+ closed the connection before answering/;
    for (const e of [post, fresh]) assert.ok(e instanceof TypeError && closed.test(e.message), e);
  }, clock);
});

Deno.test("WireFetch decodes a chunked body and skips interim responses", async () => {
  await _with(async (srv, wire) => {
    assert.equal(await _text(wire, srv.url("/chunked")), "abcdefg0123456789");
    assert.equal(await _drain((await wire.fetch(srv.url("/chunked"))).body), "abcdefg0123456789");
    const res = await wire.fetch(srv.url("/interim"));
    assert.deepEqual([res.status, res.statusText, res.headers.get("link")], [200, "OK", null]);
    assert.equal(await res.text(), "done");
    assert.equal(await _text(wire, srv.url("/")), "n0");
    assert.equal(srv.accepted, 1);
  });
});

Deno.test("WireFetch reads chunks and a final head that arrive 20 ms apart", async () => {
  // Regression: an earlier WireReader scanned a buffer refilled from offset 0 from its old
  // offset: the chunks rejected with TypeError 'invalid HTTP response: chunk size
  // "3\r\nabc\r\n4"', the late final head with "...closed inside the header section".
  await _with(async (srv, wire) => {
    assert.equal(await _text(wire, srv.url("/chunks-later?close=1")), "abcdefg");
    assert.equal(await _text(wire, srv.url("/interim-later?close=1")), "done");
  });
});

Deno.test("WireFetch reads a chunked ReadableStream body of Deno.serve", async () => {
  const body = () => new Response(ReadableStream.from(["abc", "defg", "h"].map(_enc)));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, body);
  const wire = _wire();
  try {
    const url = new URL(`http://127.0.0.1:${server.addr.port}/v2/`);
    const res = await wire.fetch(url);
    assert.equal(res.headers.get("transfer-encoding"), "chunked");
    assert.equal(_dec(await res.bytes()), "abcdefgh");
    assert.equal(await _drain((await wire.fetch(url)).body), "abcdefgh");
  } finally {
    wire.close();
    await server.shutdown();
  }
});

Deno.test("WireFetch rejects malformed responses with TypeError", async () => {
  assert.ok(_HUGE.length > 70 * 1024 && _HUGE.length > MAX_HEAD_BYTES);
  const cases: [string, RegExp][] = [
    ["/garbage", /^invalid HTTP response: status line "HTPP\/1\.1 200 OK"$/],
    ["/huge?close=1", /^invalid HTTP response: header section over 65536 bytes$/],
    ["/lengths", /^invalid HTTP response: Content-Length "3, 4"$/],
    ["/folded", /^invalid HTTP response: header line " c"$/],
    ["/101", /^invalid HTTP response: unexpected 101$/],
  ];
  await _with(async (srv, wire) => {
    for (const [path, message] of cases) {
      await assert.rejects(wire.fetch(srv.url(path)), { name: "TypeError", message }, path);
    }
    const short = await wire.fetch(srv.url("/short?close=1"));
    assert.equal(short.headers.get("content-length"), "10");
    const cut = /^invalid HTTP response: the connection closed inside the body$/;
    await assert.rejects(short.bytes(), { name: "TypeError", message: cut });
    assert.equal(await _text(wire, srv.url("/")), "n6");
    assert.equal(srv.accepted, 7);
  });
});

Deno.test("WireFetch rejects with the abort reason and closes the connection", async () => {
  await _with(async (srv, wire) => {
    const early = new Error("before");
    const pre = wire.fetch(srv.url("/"), { signal: AbortSignal.abort(early) });
    await assert.rejects(pre, (e) => e === early);
    const waiting = new AbortController();
    const hang = wire.fetch(srv.url("/hang"), { signal: waiting.signal });
    await _until(() => srv.log.length === 1);
    const reason = new Error("stop waiting");
    waiting.abort(reason);
    await assert.rejects(hang, (e) => e === reason);
    await _until(() => srv.ended.length === 1);
    const reading = new AbortController();
    const res = await wire.fetch(srv.url("/partial"), { signal: reading.signal });
    const bytes = res.bytes();
    reading.abort("stop reading");
    await assert.rejects(bytes, (e) => e === "stop reading");
    await _until(() => srv.ended.length === 2);
    assert.deepEqual(srv.ended, [0, 1]);
    assert.deepEqual(srv.log.map((r) => r.path), ["/hang", "/partial"]);
    assert.equal(srv.accepted, 2);
  });
});

Deno.test("WireFetch refuses bad requests and requests after close() before connecting", async () => {
  await _with(async (srv, wire) => {
    const headers = [{ "X-A": "a\r\nb" }, { "bad name": "v" }, { "X-Euro": "€" }, { A: "\0" }];
    const bad = [...headers.map((h) => ({ headers: h })), { method: "GE T" }, { method: "G\r\n" }];
    for (const init of bad) await assert.rejects(wire.fetch(srv.url("/"), init), TypeError);
    const method = wire.fetch(srv.url("/"), { method: "G(T" });
    await assert.rejects(method, { name: "TypeError", message: 'Invalid method: "G(T"' });
    assert.equal(await _text(wire, srv.url("/")), "n0");
    assert.deepEqual([srv.accepted, srv.log.length], [1, 1]);
    const unread = await wire.fetch(srv.url("/partial"));
    wire.close();
    await _until(() => srv.ended.length === 1);
    assert.deepEqual(srv.ended, [0]);
    const closed = { name: "TypeError", message: "the wire fetch is closed" };
    await assert.rejects(unread.bytes(), closed);
    await assert.rejects(wire.fetch(srv.url("/")), closed);
    assert.equal(srv.accepted, 1);
  });
});

const _source = (bytes: Uint8Array, piece = 7000) => bytesSource(bytes, piece);

const _bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);

Deno.test("WireFetch.fetch() sends a source body with its exact length; the connection is kept", async () => {
  await _with(async (srv, wire) => {
    const bytes = _bytes(200_000);
    const source = _source(bytes);
    const res = await wire.fetch(srv.url("/up"), {
      method: "PUT",
      headers: { "Content-Type": "application/octet-stream", "Content-Length": "1" },
      body: "ignored",
      source: { source, length: bytes.byteLength },
    });
    assert.equal(await res.text(), "n0");
    assert.equal(srv.log[0]!.head.includes("Content-Length: 200000\r\n"), true);
    assert.equal(srv.log[0]!.head.match(/content-length/gi)?.length, 1);
    assert.deepEqual(srv.log[0]!.body, bytes);
    assert.equal(source.cancels, 0);
    // an empty source body
    const empty = await wire.fetch(srv.url("/up"), {
      method: "PUT",
      source: { source: _source(new Uint8Array()), length: 0 },
    });
    assert.equal(await empty.text(), "n0");
    assert.equal(await _text(wire, srv.url("/after")), "n0");
    assert.equal(srv.accepted, 1);
  });
});

Deno.test("WireFetch.fetch() refuses a source body shorter or longer than its length, before the server has it whole", async () => {
  await _with(async (srv, wire) => {
    const short = _source(_bytes(5));
    await assert.rejects(
      wire.fetch(srv.url("/up"), { method: "PUT", source: { source: short, length: 10 } }),
      (e: unknown) =>
        e instanceof SourceBodyError &&
        e.message === "the body ended at 5 bytes, before its Content-Length 10" &&
        e.sent === 5 && e.length === 10,
    );
    assert.equal(short.cancels, 1);
    const long = _source(_bytes(20_000));
    await assert.rejects(
      wire.fetch(srv.url("/up"), { method: "PUT", source: { source: long, length: 10_000 } }),
      (e: unknown) =>
        e instanceof SourceBodyError &&
        e.message === "the body is longer than its Content-Length 10000" && e.sent > 10_000,
    );
    assert.equal(long.cancels, 1);
    await _until(() => srv.ended.length === 2);
    assert.deepEqual(srv.log, [], "no request reached the server whole");
  });
});

Deno.test("WireFetch.fetch() with a source body returns an answer that comes before the body is all sent", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = new URL(`http://127.0.0.1:${listener.addr.port}/up`);
  const answered = (async () => {
    for (let i = 0; i < 2; i++) {
      const conn = await listener.accept();
      await conn.read(new Uint8Array(1024));
      const no = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nbig!";
      await conn.write(_enc(no));
      await _sleep(30);
      conn.close();
    }
  })();
  const wire = _wire();
  try {
    const source = _source(_bytes(8 * 1024 * 1024), 64 * 1024);
    const res = await wire.fetch(url, {
      method: "PUT",
      source: { source, length: 8 * 1024 * 1024 },
    });
    assert.equal(res.status, 413);
    assert.equal(await res.text(), "big!");
    await _until(() => source.cancels === 1);
    // that connection is not used again
    const again = await wire.fetch(url, {
      method: "PUT",
      source: { source: _source(_bytes(10)), length: 10 },
    });
    assert.equal(again.status, 413);
    await again.discard();
  } finally {
    wire.close();
    listener.close();
    await answered;
  }
});

Deno.test("WireFetch.fetch() with a source that fails rejects with SourceBodyError (its error as the cause) and drops the connection", async () => {
  await _with(async (srv, wire) => {
    const boom = new TypeError("the connection closed inside the body");
    let reads = 0;
    const inner = _source(_bytes(50_000));
    const source = {
      read: (p: Uint8Array) => ++reads > 2 ? Promise.reject(boom) : inner.read(p),
      cancel: () => inner.cancel(),
    };
    await assert.rejects(
      wire.fetch(srv.url("/up"), { method: "PUT", source: { source, length: 50_000 } }),
      (e: unknown) => e instanceof SourceBodyError && e.cause === boom && e.sent === 14_000,
    );
    assert.equal(inner.cancels, 1);
    await _until(() => srv.ended.length === 1);
    assert.deepEqual(srv.log, []);
  });
});

Deno.test("WireFetch sends a source body only on a connection idle for at most SOURCE_REUSE_MS", async () => {
  const clock = { now: 1000 };
  await _with(async (srv, wire) => {
    const put = (n: number) =>
      wire.fetch(srv.url("/up"), {
        method: "PUT",
        source: { source: _source(_bytes(n)), length: n },
      });
    assert.equal(await _text(wire, srv.url("/")), "n0");
    clock.now += SOURCE_REUSE_MS;
    assert.equal(await (await put(10)).text(), "n0");
    clock.now += SOURCE_REUSE_MS + 1;
    // too long idle for a body that cannot be sent again: a new connection
    assert.equal(await (await put(10)).text(), "n1");
    clock.now += SOURCE_REUSE_MS + 1;
    // a plain request still takes the older connection
    assert.equal(await _text(wire, srv.url("/")), "n1");
    assert.equal(srv.accepted, 2);
  }, clock);
});

Deno.test("WireFetch.fetch() with a source body aborted while the server neither reads nor answers rejects with the reason", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = new URL(`http://127.0.0.1:${listener.addr.port}/up`);
  let held: Deno.Conn | undefined;
  const accepting = listener.accept().then((c) => void (held = c), () => {});
  const wire = _wire();
  try {
    const source = _source(_bytes(32 * 1024 * 1024), 1024 * 1024);
    const ac = new AbortController();
    const why = new Error("stop now");
    setTimeout(() => ac.abort(why), 50);
    await assert.rejects(
      wire.fetch(url, {
        method: "PUT",
        signal: ac.signal,
        source: { source, length: 32 * 1024 * 1024 },
      }),
      (e: unknown) => e === why,
    );
    await _until(() => source.cancels === 1);
  } finally {
    wire.close();
    await accepting;
    held?.close();
    listener.close();
  }
});

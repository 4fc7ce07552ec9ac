import assert from "node:assert/strict";
import {
  bodyFraming,
  MAX_HEAD_BYTES,
  parseHead,
  WireBody,
  type WireConn,
  WireReader,
  WireResponse,
} from "./wire_response.ts";

type _Framing = ConstructorParameters<typeof WireBody>[1];

const _enc = (s: string) => new TextEncoder().encode(s);
const _dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** A connection that hands out the scripted pieces, one (or part of one) per read. */
function _conn(...pieces: (string | Uint8Array)[]): WireConn {
  const queue = pieces.map((p) => typeof p === "string" ? _enc(p) : p);
  return {
    read(p: Uint8Array) {
      const piece = queue[0];
      if (piece === undefined) return Promise.resolve(null);
      const n = Math.min(p.byteLength, piece.byteLength);
      p.set(piece.subarray(0, n));
      if (n === piece.byteLength) queue.shift();
      else queue[0] = piece.subarray(n);
      return Promise.resolve(n);
    },
    write: (p: Uint8Array) => Promise.resolve(p.byteLength),
    close() {},
  };
}

/** A body over the scripted pieces, with the onEnd calls it made. */
function _body(framing: _Framing, pieces: string[], fail?: () => unknown) {
  const ends: boolean[] = [];
  const body = new WireBody(new WireReader(_conn(...pieces)), framing, (c) => ends.push(c), fail);
  return { body, ends };
}

/** The framing of a head as "kind[:left] reuse|drop". */
function _frame(head: string, method = "GET"): string {
  const { framing, reuse } = bodyFraming(parseHead(`HTTP/1.1 200 OK\r\n${head}`), method);
  return `${framing.kind}${"left" in framing ? `:${framing.left}` : ""} ${
    reuse ? "reuse" : "drop"
  }`;
}

Deno.test("parseHead() reads status lines and header fields", () => {
  const a = parseHead("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-R: 1\r\nx-r:2\r\nE:");
  assert.equal(a.minor, 1);
  assert.equal(a.status, 200);
  assert.equal(a.statusText, "OK");
  assert.deepEqual([...a.headers], [["content-type", "text/plain"], ["e", ""], ["x-r", "1, 2"]]);
  const b = parseHead("HTTP/1.0 404");
  assert.deepEqual([b.minor, b.status, b.statusText, [...b.headers]], [0, 404, "", []]);
  const c = parseHead("HTTP/1.1 500 Internal Server Error\r\nA:  \tv w\t ");
  assert.deepEqual([c.status, c.statusText], [500, "Internal Server Error"]);
  assert.equal(c.headers.get("a"), "v w");
  assert.equal(parseHead("HTTP/1.1 204 ").statusText, "");
  const d = parseHead("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2");
  assert.deepEqual(d.headers.getSetCookie(), ["a=1", "b=2"]);
});

Deno.test("parseHead() refuses bad status lines and header lines with TypeError", () => {
  const bad = [
    "",
    "HTTP/2 200 OK",
    "HTTP/1.2 200 OK",
    "http/1.1 200 OK",
    "HTTP/1.1 20 OK",
    "HTTP/1.1 2000 OK",
    "HTTP/1.1 200OK",
    "ICY 200 OK",
    " HTTP/1.1 200 OK",
    "HTTP/1.1 200 OK\r\nA: b\r\n folded",
    "HTTP/1.1 200 OK\r\nA: b\r\n\tfolded",
    "HTTP/1.1 200 OK\r\n A: b",
    "HTTP/1.1 200 OK\r\nNoColonHere",
    "HTTP/1.1 200 OK\r\n: no name",
    "HTTP/1.1 200 OK\r\nBad Name: x",
    "HTTP/1.1 200 OK\r\nA : x",
    "HTTP/1.1 200 OK\r\nA: x\0y",
    "HTTP/1.1 200 OK\r\nA: b\r\n",
  ];
  for (const head of bad) {
    assert.throws(() => parseHead(head), {
      name: "TypeError",
      message: /^invalid HTTP response: (status line|header line) /,
    }, JSON.stringify(head));
  }
});

Deno.test("bodyFraming() gives no body to HEAD, 1xx, 204 and 304", () => {
  const none = (head: string, method = "GET") => bodyFraming(parseHead(head), method);
  for (
    const head of ["HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9"]
  ) {
    assert.deepEqual(none(head), { framing: { kind: "none" }, reuse: true }, head);
  }
  assert.deepEqual(none("HTTP/1.1 100 Continue").framing, { kind: "none" });
  assert.deepEqual(none("HTTP/1.1 204 No Content\r\nConnection: close").reuse, false);
  assert.equal(_frame("Content-Length: 5", "HEAD"), "none reuse");
  assert.equal(_frame("Transfer-Encoding: chunked", "HEAD"), "none reuse");
});

Deno.test("bodyFraming() frames by chunked coding, then Content-Length, then the close", () => {
  assert.equal(_frame("Transfer-Encoding: chunked"), "chunked reuse");
  assert.equal(_frame("Transfer-Encoding: gzip, Chunked"), "chunked reuse");
  assert.equal(_frame("Transfer-Encoding: chunked, gzip"), "close drop");
  assert.equal(_frame("Content-Length: 12"), "length:12 reuse");
  assert.equal(_frame("Content-Length: 0", "POST"), "length:0 reuse");
  // both: the length is ignored and the connection not reused
  assert.equal(_frame("Content-Length: 5\r\nTransfer-Encoding: chunked"), "chunked drop");
  assert.equal(_frame("X-No-Length: 1"), "close drop");
  assert.equal(_frame("Content-Length: 5, 5"), "length:5 reuse");
  assert.equal(_frame("Content-Length: 7\r\ncontent-length: 7"), "length:7 reuse");
});

Deno.test("bodyFraming() refuses differing or malformed Content-Length values", () => {
  for (const cl of ["5, 6", "5\r\nContent-Length: 6", "abc", "-1", "", "1e3", "1234567890123456"]) {
    assert.throws(() => _frame(`Content-Length: ${cl}`), {
      name: "TypeError",
      message: /^invalid HTTP response: Content-Length "/,
    }, cl);
  }
});

Deno.test("bodyFraming() reuses a connection only when both sides keep it", () => {
  const reuse = (head: string) =>
    bodyFraming(parseHead(`${head}\r\nContent-Length: 1`), "GET").reuse;
  assert.equal(reuse("HTTP/1.1 200 OK"), true);
  assert.equal(reuse("HTTP/1.1 200 OK\r\nConnection: close"), false);
  assert.equal(reuse("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close"), false);
  assert.equal(reuse("HTTP/1.1 200 OK\r\nConnection: closed"), true);
  assert.equal(reuse("HTTP/1.0 200 OK"), false);
  assert.equal(reuse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive"), true);
});

Deno.test("WireReader.readHead() joins a head split at every byte", async () => {
  const text = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody";
  const conn = _conn(...text.split(""));
  const reader = new WireReader(conn);
  assert.equal(await reader.readHead(1000), "HTTP/1.1 200 OK\r\nA: b");
  assert.equal(reader.received, 25);
  const rest = new Uint8Array(4);
  await reader.readFull(rest);
  assert.equal(_dec(rest), "body");
  assert.equal(reader.received, text.length);
  assert.equal(await reader.readSome(10), null);
});

Deno.test("WireReader.readHead() returns null at once on EOF and fails inside or over a head", async () => {
  assert.equal(await new WireReader(_conn()).readHead(100), null);
  await assert.rejects(new WireReader(_conn("HTTP/1.1 200 OK\r\nA: b\r\n")).readHead(100), {
    name: "TypeError",
    message: "invalid HTTP response: the connection closed inside the header section",
  });
  const long = "HTTP/1.1 200 OK\r\n" + "X-Pad: 0123456789\r\n".repeat(20);
  await assert.rejects(new WireReader(_conn(...long.match(/.{1,50}/gs)!)).readHead(100), {
    name: "TypeError",
    message: "invalid HTTP response: header section over 100 bytes",
  });
  // a whole head over the limit in one read, blank line included
  const whole = long + "\r\n";
  await assert.rejects(new WireReader(_conn(whole)).readHead(100), {
    name: "TypeError",
    message: "invalid HTTP response: header section over 100 bytes",
  });
  assert.ok(await new WireReader(_conn(whole)).readHead(whole.length));
  const huge = _enc("HTTP/1.1 200 OK\r\n" + "X-Pad: abcdefghijklmnopqrstuvwxyz\r\n".repeat(2200));
  assert.ok(huge.byteLength > MAX_HEAD_BYTES);
  const pieces = Array.from({ length: 20 }, (_, i) => huge.subarray(i * 4096, i * 4096 + 4096));
  const over = new WireReader(_conn(...pieces)).readHead(MAX_HEAD_BYTES);
  await assert.rejects(over, /^TypeError: invalid HTTP response: header section over 65536 bytes$/);
});

Deno.test("WireReader finds a head or a line that arrives in a later read", async () => {
  // Regression: an earlier WireReader, once #fill() refilled a used-up buffer from offset 0,
  // kept scanning from its old offset: the second head was never found (TypeError
  // "...closed inside the header section"), nor "cd" ("...closed inside the body").
  const heads = new WireReader(
    _conn("HTTP/1.1 100 Continue\r\nX-Pad: 0123456789\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n"),
  );
  assert.equal(await heads.readHead(1000), "HTTP/1.1 100 Continue\r\nX-Pad: 0123456789");
  assert.equal(await heads.readHead(1000), "HTTP/1.1 200 OK");
  const lines = new WireReader(_conn("ab\r\n", "cd\r\n"));
  assert.equal(await lines.readLine(), "ab");
  assert.equal(await lines.readLine(), "cd");
});

Deno.test("WireBody decodes a chunked body with extensions and trailers exactly", async () => {
  const wire =
    "5;name=val\r\nhello\r\n6 ; x\r\n world\r\nA\r\n0123456789\r\n0\r\nT: 1\r\nU: 2\r\n\r\n";
  for (const pieces of [[wire + "NEXT"], (wire + "NEXT").split("")]) {
    const ends: boolean[] = [];
    const reader = new WireReader(_conn(...pieces));
    const body = new WireBody(reader, { kind: "chunked" }, (c) => ends.push(c));
    assert.equal(body.length, undefined);
    assert.equal(_dec(await body.all()), "hello world0123456789");
    assert.deepEqual(ends, [true]);
    assert.equal(await body.next(), null);
    assert.deepEqual(ends, [true]);
    // the trailers were read up to the blank line, and no further
    assert.equal(_dec((await reader.readSome(10))!), pieces.length === 1 ? "NEXT" : "N");
  }
});

Deno.test("WireBody decodes chunks that arrive in separate reads", async () => {
  // Regression: the same stale scan offset made the second chunk-size line
  // "6\r\n world\r\n0", a TypeError "invalid HTTP response: chunk size".
  const { body, ends } = _body({ kind: "chunked" }, [
    "5\r\nhello\r\n",
    "6\r\n world\r\n",
    "0\r\n\r\n",
  ]);
  assert.equal(_dec(await body.all()), "hello world");
  assert.deepEqual(ends, [true]);
});

Deno.test("WireBody fails on a bad chunk size, a missing CRLF and a short body", async () => {
  const cases: [_Framing, string[], RegExp][] = [
    [{ kind: "chunked" }, ["zz\r\nhello\r\n0\r\n\r\n"], /^invalid HTTP response: chunk size "zz"$/],
    [{ kind: "chunked" }, ["-1\r\n"], /chunk size "-1"/],
    [{ kind: "chunked" }, ["3\r\nabcX\r\n0\r\n\r\n"], /: no CRLF after a chunk$/],
    [{ kind: "chunked" }, ["5\r\nab"], /the connection closed inside the body/],
    [{ kind: "length", left: 10 }, ["abc"], /^invalid HTTP response: the connection closed inside/],
  ];
  for (const [framing, pieces, message] of cases) {
    const { body, ends } = _body(structuredClone(framing), pieces);
    await assert.rejects(body.all(), { name: "TypeError", message }, pieces[0]);
    assert.deepEqual(ends, [false]);
  }
  const { body, ends } = _body({ kind: "length", left: 10 }, ["abc"]);
  assert.equal(body.length, 10);
  assert.equal(_dec((await body.next())!), "abc");
  await assert.rejects(body.next(), /closed inside the body/);
  assert.deepEqual(ends, [false]);
  assert.equal(await body.next(), null);
});

Deno.test("WireBody calls onEnd once: true when read to the end, false when canceled", async () => {
  const full = _body({ kind: "length", left: 5 }, ["hel", "lo", "extra"]);
  assert.equal(_dec((await full.body.next())!), "hel");
  assert.equal(_dec((await full.body.next())!), "lo");
  assert.deepEqual(full.ends, [true]);
  full.body.cancel();
  assert.deepEqual(full.ends, [true]);
  assert.equal(await full.body.next(), null);

  const cut = _body({ kind: "length", left: 5 }, ["hel", "lo"]);
  assert.equal(_dec((await cut.body.next())!), "hel");
  cut.body.cancel();
  cut.body.cancel();
  assert.deepEqual(cut.ends, [false]);
  assert.equal(await cut.body.next(), null);

  const empty = _body({ kind: "length", left: 0 }, []);
  assert.deepEqual(empty.ends, [true]);
  assert.deepEqual(await empty.body.all(), new Uint8Array());
  const none = _body({ kind: "none" }, ["ignored"]);
  assert.deepEqual([none.ends, none.body.length], [[true], 0]);

  const close = _body({ kind: "close" }, ["to ", "the ", "end"]);
  assert.equal(_dec(await close.body.all()), "to the end");
  assert.deepEqual(close.ends, [true]);
});

Deno.test("WireBody throws fail()'s reason instead of the read error", async () => {
  const reason = new Error("aborted here");
  const { body, ends } = _body({ kind: "length", left: 5 }, ["ab"], () => reason);
  await assert.rejects(body.all(), (e) => e === reason);
  assert.deepEqual(ends, [false]);
});

function _response(pieces: (string | Uint8Array)[], head: string) {
  const ends: boolean[] = [];
  const parsed = parseHead(head);
  const { framing } = bodyFraming(parsed, "GET");
  const body = new WireBody(new WireReader(_conn(...pieces)), framing, (c) => ends.push(c));
  return { res: new WireResponse(parsed, "http://h/x", body), ends };
}

Deno.test("WireResponse has the status, headers and no body for a bodiless response", async () => {
  const res = new WireResponse(parseHead("HTTP/1.1 204 No Content\r\nX: y"), "http://h/a?b", null);
  assert.deepEqual(
    [res.status, res.statusText, res.ok, res.url, res.type, res.redirected],
    [204, "No Content", true, "http://h/a?b", "basic", false],
  );
  assert.equal(res.headers.get("x"), "y");
  assert.equal(res.body, null);
  assert.equal(res.bodyUsed, false);
  assert.deepEqual(await res.bytes(), new Uint8Array());
  assert.equal(res.bodyUsed, true);
  assert.equal(new WireResponse(parseHead("HTTP/1.1 404 Not Found"), "u", null).ok, false);
});

Deno.test("WireResponse bytes(), text() and json() read the body once", async () => {
  const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked";
  const raw = new Uint8Array([0, 1, 0xfe, 0xff]);
  const a = _response(
    [new Uint8Array([..._enc("4\r\n"), ...raw, ..._enc("\r\n0\r\n\r\n")])],
    chunked,
  );
  assert.deepEqual(await a.res.bytes(), raw);
  assert.deepEqual(a.ends, [true]);
  await assert.rejects(a.res.bytes(), { name: "TypeError", message: "Body already consumed" });
  await assert.rejects(a.res.text(), TypeError);

  const b = _response(["héllo"], "HTTP/1.1 200 OK\r\nContent-Length: 6");
  assert.equal(await b.res.text(), "héllo");
  const c = _response(['{"a":[1,', '"x"]}'], "HTTP/1.1 200 OK\r\nContent-Length: 13");
  assert.deepEqual(await c.res.json(), { a: [1, "x"] });
  const d = _response(["abc"], "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: a/b");
  const blob = await d.res.blob();
  assert.deepEqual([blob.type, await blob.text()], ["a/b", "abc"]);
  assert.throws(() => d.res.clone(), TypeError);
  await assert.rejects(d.res.formData(), TypeError);
});

Deno.test("WireResponse body stream reads the same bytes as bytes()", async () => {
  const pieces = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".split("");
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked";
  const viaBytes = await _response(pieces, head).res.bytes();
  const { res, ends } = _response(pieces, head);
  const stream = res.body!;
  assert.equal(res.body, stream);
  const parts: number[] = [];
  for await (const piece of stream) parts.push(...piece);
  assert.deepEqual(new Uint8Array(parts), viaBytes);
  assert.equal(_dec(viaBytes), "abcde");
  assert.deepEqual(ends, [true]);
  assert.equal(res.bodyUsed, true);
  await assert.rejects(res.bytes(), TypeError);

  const canceled = _response(["abc"], "HTTP/1.1 200 OK\r\nContent-Length: 9");
  await canceled.res.body!.cancel();
  assert.deepEqual(canceled.ends, [false]);
  await assert.rejects(canceled.res.bytes(), TypeError);
});

/** Reads a body to its end through `readInto` with a buffer of `size` bytes. */
async function _readAllInto(body: WireBody, size: number): Promise<string> {
  const buf = new Uint8Array(size);
  let out = "";
  for (;;) {
    const n = await body.readInto(buf);
    if (n === null) return out;
    assert.ok(n > 0 && n <= size);
    out += _dec(buf.subarray(0, n));
  }
}

Deno.test("WireBody.readInto() reads a length-framed body in the caller's buffer, no further", async () => {
  // the reader holds "hel" after the head; the rest comes in reads straight into the buffer
  const { body, ends } = _body({ kind: "length", left: 11 }, ["hel", "lo wor", "ldEXTRA"]);
  assert.equal(await _readAllInto(body, 4), "hello world");
  assert.deepEqual(ends, [true]);
  assert.equal(await body.readInto(new Uint8Array(4)), null);
});

Deno.test("WireBody.readInto() reads chunked and read-to-close bodies in buffer-sized pieces", async () => {
  const chunked = _body({ kind: "chunked" }, ["5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"]);
  assert.equal(await _readAllInto(chunked.body, 2), "hello world");
  assert.deepEqual(chunked.ends, [true]);
  const close = _body({ kind: "close" }, ["abc", "defg"]);
  assert.equal(await _readAllInto(close.body, 3), "abcdefg");
  assert.deepEqual(close.ends, [true]);
});

Deno.test("WireBody.readInto() fails when the connection closes before the length", async () => {
  const { body, ends } = _body({ kind: "length", left: 10 }, ["abc"]);
  const buf = new Uint8Array(16);
  assert.equal(await body.readInto(buf), 3);
  await assert.rejects(body.readInto(buf), /closed inside the body/);
  assert.deepEqual(ends, [false]);
});

Deno.test("WireResponse.byteSource() reads the body without a stream, once", async () => {
  const head = parseHead("HTTP/1.1 200 OK\r\nContent-Length: 5");
  const ends: boolean[] = [];
  const body = new WireBody(
    new WireReader(_conn("hel", "lo")),
    { kind: "length", left: 5 },
    (c) => ends.push(c),
  );
  const res = new WireResponse(head, "http://r/v2/a/blobs/x", body);
  const source = res.byteSource()!;
  assert.equal(res.bodyUsed, true);
  assert.throws(() => res.byteSource(), TypeError);
  await assert.rejects(res.bytes(), TypeError);
  const buf = new Uint8Array(8);
  let got = "";
  for (let n = await source.read(buf); n !== null; n = await source.read(buf)) {
    got += _dec(buf.subarray(0, n));
  }
  assert.equal(got, "hello");
  assert.deepEqual(ends, [true]);
});

Deno.test("WireResponse.byteSource() cancels by dropping the connection; no body gives null", async () => {
  const ends: boolean[] = [];
  const body = new WireBody(
    new WireReader(_conn("abc")),
    { kind: "length", left: 9 },
    (c) => ends.push(c),
  );
  const res = new WireResponse(parseHead("HTTP/1.1 200 OK"), "http://r/", body);
  await res.byteSource()!.cancel(new Error("stop"));
  assert.deepEqual(ends, [false]);
  const empty = new WireResponse(parseHead("HTTP/1.1 204 No Content"), "http://r/", null);
  assert.equal(empty.byteSource(), null);
});

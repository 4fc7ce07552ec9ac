/**
 * HTTP/1.1 responses read straight off a connection, for the wire fetch
 * (`wire_fetch.ts`): the status line and header section, then the body
 * framed by `Content-Length`, chunked coding or the end of the connection
 * (RFC 9112, section 6). The body is read only as the caller asks for it, so
 * nothing larger than one read is held unless `bytes()` is called; when it
 * ends, the connection goes back to its pool if it may be reused.
 *
 * @module
 */
import type { ByteSource } from "../byte_source.ts";
import type { BodyPieces } from "./_body_pieces.ts";
import { WireHeaders } from "./wire_headers.ts";
import { utf8Text } from "../../utf8_text.ts";

/** The connection calls the wire fetch needs (a `Deno.Conn` has them). */
export interface WireConn {
  /** Reads into `p`. @returns bytes read, or null at the end */
  read(p: Uint8Array): Promise<number | null>;
  /** Writes from `p`. @returns bytes written */
  write(p: Uint8Array): Promise<number>;
  /** Closes the connection. */
  close(): void;
}

/** Most bytes of a status line and header section. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Most body bytes read to keep a connection when a response is discarded. */
export const DISCARD_READ_LIMIT = 64 * 1024;
/** Most bytes of one chunk-size line or trailer line. */
const _MAX_LINE = 4096;
/** Bytes of one read off the connection: the reader's first buffer, a body's largest piece. */
export const WIRE_READ_SIZE = 64 * 1024;

/**
 * The error of a response that breaks HTTP/1.1 framing (fetch throws
 * `TypeError` too).
 *
 * @param detail what is wrong
 * @returns the error, to throw
 * @throws never
 */
export function badResponse(detail: string): TypeError {
  return new TypeError(`invalid HTTP response: ${detail}`);
}

/** Bytes read from a connection and not yet consumed. */
export class WireReader {
  #conn: WireConn;
  #buf = new Uint8Array(WIRE_READ_SIZE);
  #start = 0;
  #end = 0;
  /** Bytes taken off the connection so far. */
  received = 0;

  /**
   * Creates a reader over a connection.
   * @param conn the connection read from
   */
  constructor(conn: WireConn) {
    this.#conn = conn;
  }

  /** Reads more into the buffer. @returns false at the end of the connection */
  async #fill(): Promise<boolean> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.byteLength) {
      const live = this.#end - this.#start;
      if (live * 2 > this.#buf.byteLength) {
        const next = new Uint8Array(this.#buf.byteLength * 2);
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      } else {
        this.#buf.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = live;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#end));
    if (n === null) return false;
    this.#end += n;
    this.received += n;
    return true;
  }

  /**
   * Reads up to and without the next CRLF CRLF (the end of a header section).
   *
   * @param limit most bytes before the blank line
   * @returns the section, or null when the connection ends before any byte
   * @throws {TypeError} when it is longer than `limit` or the connection ends inside it
   */
  async readHead(limit: number): Promise<string | null> {
    // bytes already searched, counted from #start (a fill may move #start)
    let searched = 0;
    for (;;) {
      const end = this.#end;
      for (let i = this.#start + searched; i + 3 < end; i++) {
        if (
          this.#buf[i] === 13 && this.#buf[i + 1] === 10 && this.#buf[i + 2] === 13 &&
          this.#buf[i + 3] === 10
        ) {
          if (i - this.#start > limit) throw badResponse(`header section over ${limit} bytes`);
          const head = _latin1(this.#buf.subarray(this.#start, i));
          this.#start = i + 4;
          return head;
        }
      }
      searched = Math.max(0, end - this.#start - 3);
      if (end - this.#start > limit) throw badResponse(`header section over ${limit} bytes`);
      if (!(await this.#fill())) {
        if (this.#end === this.#start) return null;
        throw badResponse("the connection closed inside the header section");
      }
    }
  }

  /**
   * Reads one CRLF-terminated line (chunk sizes, trailers).
   *
   * @returns the line without its CRLF
   * @throws {TypeError} when over 4 KiB or the connection ends first
   */
  async readLine(): Promise<string> {
    let searched = 0;
    for (;;) {
      const end = this.#end;
      for (let i = this.#start + searched; i + 1 < end; i++) {
        if (this.#buf[i] === 13 && this.#buf[i + 1] === 10) {
          const line = _latin1(this.#buf.subarray(this.#start, i));
          this.#start = i + 2;
          return line;
        }
      }
      searched = Math.max(0, end - this.#start - 1);
      if (end - this.#start > _MAX_LINE) throw badResponse("line too long in the body");
      if (!(await this.#fill())) throw badResponse("the connection closed inside the body");
    }
  }

  /**
   * Takes up to `max` bytes: buffered ones first, else one read.
   *
   * @param max most bytes returned (> 0)
   * @returns a fresh array, or null at the end of the connection
   */
  async readSome(max: number): Promise<Uint8Array | null> {
    if (this.#end === this.#start && !(await this.#fill())) return null;
    const n = Math.min(max, this.#end - this.#start);
    const out = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return out;
  }

  /**
   * Reads up to `into.byteLength` bytes into `into`: buffered ones first,
   * else one read of the connection straight into it.
   *
   * @param into where the bytes go (not empty)
   * @returns how many were put, or null at the end of the connection
   */
  async readInto(into: Uint8Array): Promise<number | null> {
    const buffered = this.#end - this.#start;
    if (buffered > 0) {
      const n = Math.min(into.byteLength, buffered);
      into.set(this.#buf.subarray(this.#start, this.#start + n));
      this.#start += n;
      return n;
    }
    const n = await this.#conn.read(into);
    if (n !== null) this.received += n;
    return n;
  }

  /**
   * Fills `into` completely.
   *
   * @param into where the bytes go
   * @throws {TypeError} when the connection ends first
   */
  async readFull(into: Uint8Array): Promise<void> {
    const have = Math.min(into.byteLength, this.#end - this.#start);
    into.set(this.#buf.subarray(this.#start, this.#start + have));
    this.#start += have;
    let off = have;
    while (off < into.byteLength) {
      const n = await this.#conn.read(into.subarray(off));
      if (n === null) throw badResponse("the connection closed inside the body");
      off += n;
      this.received += n;
    }
  }
}

function _latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.byteLength; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return s;
}

/** A parsed status line and header section. */
export interface WireHead {
  /** HTTP minor version (0 or 1). */
  minor: number;
  /** Status code. */
  status: number;
  /** Reason phrase. */
  statusText: string;
  /** Header fields. */
  headers: WireHeaders;
}

/**
 * Parses a status line and its header fields.
 *
 * @param head the section without its closing blank line
 * @returns the parsed head
 * @throws {TypeError} for a malformed status line or field (folded lines included)
 */
export function parseHead(head: string): WireHead {
  const lines = head.split("\r\n");
  const m = /^HTTP\/1\.([01]) (\d{3})(?: ([^\r\n]*))?$/.exec(lines[0] ?? "");
  if (!m) throw badResponse(`status line ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
  const headers = new WireHeaders();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const c = line.indexOf(":");
    if (c <= 0 || /^[ \t]/.test(line)) {
      throw badResponse(`header line ${JSON.stringify(line.slice(0, 80))}`);
    }
    try {
      headers.append(line.slice(0, c), line.slice(c + 1));
    } catch {
      throw badResponse(`header line ${JSON.stringify(line.slice(0, 80))}`);
    }
  }
  return { minor: Number(m[1]), status: Number(m[2]), statusText: m[3] ?? "", headers };
}

/** How a body ends: not at all, after a length, at the last chunk, or when the connection closes. */
export type BodyFraming =
  | { kind: "none" }
  | { kind: "length"; left: number }
  | { kind: "chunked" }
  | {
    kind: "close";
  };

/**
 * Decides how a response body is framed (RFC 9112, section 6.3).
 *
 * @param head the parsed head
 * @param method the request method
 * @returns the framing, and whether the connection may carry another request after it
 * @throws {TypeError} for an invalid or conflicting `Content-Length`
 */
export function bodyFraming(
  head: WireHead,
  method: string,
): { framing: BodyFraming; reuse: boolean } {
  const conn = (head.headers.get("connection") ?? "").toLowerCase();
  let reuse = head.minor === 1 ? !/(^|,)\s*close\s*(,|$)/.test(conn) : /keep-alive/.test(conn);
  if (
    method === "HEAD" || head.status === 204 || head.status === 304 ||
    (head.status >= 100 && head.status < 200)
  ) {
    return { framing: { kind: "none" }, reuse };
  }
  const te = head.headers.get("transfer-encoding");
  if (te !== null) {
    const last = te.split(",").pop()!.trim().toLowerCase();
    // a length beside a transfer coding is ignored, and the connection is not reused (6.3)
    if (head.headers.has("content-length")) reuse = false;
    return last === "chunked"
      ? { framing: { kind: "chunked" }, reuse }
      : { framing: { kind: "close" }, reuse: false };
  }
  const cl = head.headers.get("content-length");
  if (cl !== null) {
    const values = new Set(cl.split(",").map((v) => v.trim()));
    const [only] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) throw badResponse(`Content-Length "${cl}"`);
    return { framing: { kind: "length", left: Number(only) }, reuse };
  }
  return { framing: { kind: "close" }, reuse: false };
}

/**
 * The body of one response as it comes off the connection. Read whole by
 * its `Content-Length` it needs nothing more; read piece by piece (a stream,
 * a byte source) or framed otherwise (chunked, to the close) it loads its
 * piece reader (`_body_pieces.ts`) at the first read.
 */
export class WireBody {
  #reader: WireReader;
  #framing: BodyFraming;
  #pieces: Promise<BodyPieces> | undefined;
  #ended = false;
  #onEnd: (clean: boolean) => void;
  #fail: () => unknown;

  /**
   * Wraps the body that follows a response head.
   * @param reader the connection's reader, positioned at the body
   * @param framing how the body ends
   * @param onEnd called once: true when the body was read to its end, false when dropped or failed
   * @param fail the error to throw instead of a read error (an abort's reason), if any
   */
  constructor(
    reader: WireReader,
    framing: BodyFraming,
    onEnd: (clean: boolean) => void,
    fail: () => unknown = () => undefined,
  ) {
    this.#reader = reader;
    this.#framing = framing;
    this.#onEnd = onEnd;
    this.#fail = fail;
    if (framing.kind === "none" || (framing.kind === "length" && framing.left === 0)) {
      this.#finish(true);
    }
  }

  /** The declared length, when the body has one. */
  get length(): number | undefined {
    const f = this.#framing;
    return f.kind === "length" ? f.left : f.kind === "none" ? 0 : undefined;
  }

  #finish(clean: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd(clean);
  }

  async #guard<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      this.#finish(false);
      throw this.#fail() ?? err;
    }
  }

  /** The piece reader, loaded at the first call. */
  #piecewise(): Promise<BodyPieces> {
    return this.#pieces ??= import("./_body_pieces.ts").then((m) =>
      new m.BodyPieces(this.#reader, this.#framing, () => this.#finish(true))
    );
  }

  /** The next piece of the body. @returns bytes, or null at the end */
  next(): Promise<Uint8Array | null> {
    if (this.#ended) return Promise.resolve(null);
    return this.#guard(async () => (await this.#piecewise()).next());
  }

  /**
   * Reads the next bytes of the body into `p` (a length-framed body straight
   * off the connection; others a piece at a time).
   *
   * @param p where to put them (not empty)
   * @returns how many were put, or null at the end of the body
   */
  readInto(p: Uint8Array): Promise<number | null> {
    if (this.#ended) return Promise.resolve(null);
    return this.#guard(async () => (await this.#piecewise()).readInto(p));
  }

  /** Reads the whole body. @returns its bytes */
  all(): Promise<Uint8Array<ArrayBuffer>> {
    const f = this.#framing;
    if (this.#ended) return Promise.resolve(new Uint8Array());
    if (f.kind === "length") {
      return this.#guard(async () => {
        const out = new Uint8Array(f.left);
        await this.#reader.readFull(out);
        f.left = 0;
        this.#finish(true);
        return out;
      });
    }
    return this.#guard(async () => (await this.#piecewise()).all());
  }

  /** Drops the rest of the body: its connection is not reused. */
  cancel(): void {
    this.#finish(false);
  }

  /**
   * Drops the rest of the body, reading it first when it is short and of
   * known length (an error page, a 401's JSON) so that the connection can
   * carry the next request (for https, a new handshake saved).
   *
   * @returns when dropped; never rejects
   */
  async discard(): Promise<void> {
    const f = this.#framing;
    if (this.#ended) return;
    if (f.kind === "length" && f.left <= DISCARD_READ_LIMIT) {
      await this.all().catch(() => {});
      return;
    }
    this.cancel();
  }
}

/**
 * A response of the wire fetch, with the `Response` members the registry
 * code uses. Its `body` stream is only built when asked for, so reading
 * with `bytes()`, `text()` or `json()` loads no web streams.
 */
export class WireResponse implements Response {
  /** Status code. */
  readonly status: number;
  /** Reason phrase. */
  readonly statusText: string;
  /** Header fields. */
  readonly headers: Headers;
  /** The URL asked for. */
  readonly url: string;
  /** Always "basic". */
  readonly type: ResponseType = "basic";
  /** Always false: the wire fetch follows no redirect. */
  readonly redirected = false;
  #body: WireBody | null;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | null | undefined;
  #used = false;

  /**
   * Creates a response from its head and body.
   * @param head status and headers
   * @param url the request URL
   * @param body the body, or null when the response has none
   */
  constructor(head: WireHead, url: string, body: WireBody | null) {
    this.status = head.status;
    this.statusText = head.statusText;
    this.headers = head.headers;
    this.url = url;
    this.#body = body;
  }

  /** True for a 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** True once the body was read or its stream taken. */
  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The body as a stream (built at the first call), or null when there is none. */
  get body(): ReadableStream<Uint8Array<ArrayBuffer>> | null {
    if (this.#stream !== undefined) return this.#stream;
    const body = this.#body;
    if (body === null) return this.#stream = null;
    this.#stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (controller) => {
        this.#used = true;
        const piece = await body.next();
        if (piece === null) controller.close();
        else controller.enqueue(piece as Uint8Array<ArrayBuffer>);
      },
      cancel: () => body.cancel(),
    }, { highWaterMark: 0 });
    return this.#stream;
  }

  /**
   * The body as a byte source read straight off the connection (no stream
   * is built), or null when there is none.
   *
   * @returns the source
   * @throws {TypeError} when the body was already used
   */
  byteSource(): ByteSource | null {
    if (this.#used || this.#stream) throw new TypeError("Body already consumed");
    this.#used = true;
    const body = this.#body;
    if (body === null) return null;
    return {
      read: (p) => body.readInto(p),
      cancel: () => {
        body.cancel();
        return Promise.resolve();
      },
    };
  }

  /** The whole body. @returns its bytes */
  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#used || this.#stream) {
      return Promise.reject(new TypeError("Body already consumed"));
    }
    this.#used = true;
    return this.#body === null ? Promise.resolve(new Uint8Array()) : this.#body.all();
  }

  /** The whole body. @returns its bytes */
  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  /** The whole body as UTF-8 text. @returns the text */
  async text(): Promise<string> {
    return utf8Text(await this.bytes());
  }

  /** The whole body parsed as JSON. @returns the value */
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /** The whole body as a Blob. @returns the blob */
  async blob(): Promise<Blob> {
    return new Blob([await this.bytes()], { type: this.headers.get("content-type") ?? "" });
  }

  /** The body decoded as UTF-8, as a stream. @returns the stream */
  textStream(): ReadableStream<string> {
    const body = this.body ?? ReadableStream.from<Uint8Array<ArrayBuffer>>([]);
    return body.pipeThrough(new TextDecoderStream());
  }

  /**
   * Drops the body without building a stream (see {@link WireBody.discard}).
   * @returns when dropped; never rejects
   */
  discard(): Promise<void> {
    if (this.#used || this.#stream || this.#body === null) {
      return this.#stream ? this.#stream.cancel().catch(() => {}) : Promise.resolve();
    }
    this.#used = true;
    return this.#body.discard();
  }

  /** Not offered by the wire fetch. @returns never */
  formData(): Promise<FormData> {
    return Promise.reject(new TypeError("formData() is not offered by the wire fetch"));
  }

  /** Not offered by the wire fetch. @returns never */
  clone(): Response {
    throw new TypeError("clone() is not offered by the wire fetch");
  }
}

/**
 * The header list of the wire fetch (`wire_fetch.ts`): the `Headers`
 * interface without Deno's `Headers` class, whose module (`20_headers.js`) a
 * short registry command would otherwise load at its first request (about
 * 1.5 ms of start-up, measured in a bare script).
 *
 * It behaves as fetch's `Headers` does for what the registry code uses:
 * names are matched without case and kept lower-case; repeated fields are
 * joined with ", " (each `set-cookie` stays apart); iteration is sorted by
 * name. Names must be tokens and values must hold no CR, LF or NUL, or a
 * `TypeError` is thrown, as fetch throws.
 *
 * @module
 */
import type { SourceBody } from "./wire_fetch.ts";

const _TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const _BAD_VALUE = /[\r\n\0]/;

/**
 * Whether a text is an HTTP token (a header name, a method).
 *
 * @param text the text
 * @returns true for a non-empty token
 */
export function isToken(text: string): boolean {
  return _TOKEN.test(text);
}

/**
 * The `[name, value]` pairs of any header initialiser: a record, a list of
 * pairs, a `Headers` or a {@link WireHeaders}, without building a `Headers`.
 *
 * @param init the header initialiser
 * @returns its pairs, in order
 */
export function headerPairs(
  init: HeadersInit | Iterable<readonly [string, string]> | undefined,
): Iterable<readonly [string, string]> {
  if (init === undefined) return [];
  if (Symbol.iterator in init) return init as Iterable<readonly [string, string]>;
  return Object.entries(init as Record<string, string>);
}

/**
 * Whether a request body is sent whole (none, bytes or text) rather than
 * streamed, told apart without reading the `ReadableStream` global (that
 * loads Deno's web streams, 4–6 ms of a short command).
 *
 * @param body the body
 * @returns true for no body, bytes or text
 */
export function isPlainBody(body: unknown): body is Uint8Array | string | null | undefined {
  return body === undefined || body === null || typeof body === "string" ||
    body instanceof Uint8Array;
}

/**
 * Whether a fetch input is a `Request`, told apart from a URL or its text
 * without touching the `Request` global (reading it loads Deno's fetch
 * modules).
 *
 * @param input the fetch input
 * @returns true for a `Request`
 */
export function isRequestInput(input: string | URL | Request): input is Request {
  return typeof input !== "string" && !(input instanceof URL);
}

/**
 * Marks a request init whose answer the caller reads as a byte source (a
 * blob's bytes moved by copy's fast path): the registry seam then sends it
 * through the wire fetch when it can, even a blob download, so that its
 * body comes off the connection with no web stream (`WireResponse.byteSource`).
 */
export const PREFER_WIRE: unique symbol = Symbol.for("ocictl.preferWire");

/**
 * Carries a request body read from a byte source (`SourceBody` of
 * `wire_fetch.ts`) on a request init, in place of `body`. Only a fetch
 * marked with {@link TAKES_SOURCE_BODY} is given one.
 */
export const SOURCE_BODY: unique symbol = Symbol.for("ocictl.sourceBody");

/**
 * A request body read from a byte source failed on the sending side: its
 * source failed (the error is the `cause`), or gave more or fewer bytes
 * than its length. The server was not at fault, and nothing was stored.
 */
export class SourceBodyError extends Error {
  /** Bytes the source gave before the failure (more than `length` when too long). */
  readonly sent: number;
  /** The body's declared length. */
  readonly length: number;

  /**
   * Creates the error.
   * @param message what went wrong
   * @param sent bytes the source gave
   * @param length the declared length
   * @param options the source's own error, if any
   */
  constructor(message: string, sent: number, length: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "SourceBodyError";
    this.sent = sent;
    this.length = length;
  }
}

/**
 * Whether a request body is one read from a byte source, told from bytes,
 * text and streams without reading the `ReadableStream` global.
 *
 * @param body the body
 * @returns true for a {@link SourceBody}
 */
export function isSourceBody(body: unknown): body is SourceBody {
  return !isPlainBody(body) && typeof body === "object" && "source" in body && "length" in body;
}

/** Marks a fetch (the registry seam) that takes {@link SOURCE_BODY} request inits. */
export const TAKES_SOURCE_BODY: unique symbol = Symbol.for("ocictl.takesSourceBody");

/**
 * Whether a fetch takes {@link SOURCE_BODY} request inits.
 *
 * @param fetchFn the fetch
 * @returns true when it is marked with {@link TAKES_SOURCE_BODY}
 */
export function takesSourceBodies(fetchFn: typeof fetch): boolean {
  return (fetchFn as typeof fetch & { [TAKES_SOURCE_BODY]?: true })[TAKES_SOURCE_BODY] === true;
}

/**
 * Checks a header field, as fetch checks it.
 *
 * @param name field name
 * @param value field value
 * @returns the lower-case name and the value without surrounding blanks
 * @throws {TypeError} for a name that is not a token or a value with CR, LF or NUL
 */
export function checkHeaderField(name: string, value: string): [string, string] {
  if (!isToken(name)) throw new TypeError(`Invalid header name: "${name}"`);
  const v = String(value).replace(/^[ \t]+|[ \t]+$/g, "");
  if (_BAD_VALUE.test(v)) throw new TypeError(`Invalid header value for "${name}"`);
  return [name.toLowerCase(), v];
}

/** Header fields in insertion order, looked up without case. */
export class WireHeaders implements Headers {
  #map = new Map<string, string>();
  #cookies: string[] = [];

  /**
   * Creates a header list.
   *
   * @param init fields to append, as `[name, value]` pairs or a record
   * @throws {TypeError} for an invalid name or value
   */
  constructor(init?: Iterable<readonly [string, string]> | Record<string, string>) {
    for (const [k, v] of headerPairs(init)) this.append(k, v);
  }

  /**
   * Adds a value to a field (joined with ", " to earlier ones).
   * @param name field name
   * @param value field value
   */
  append(name: string, value: string): void {
    const [k, v] = checkHeaderField(name, value);
    if (k === "set-cookie") {
      this.#cookies.push(v);
      return;
    }
    const had = this.#map.get(k);
    this.#map.set(k, had === undefined ? v : `${had}, ${v}`);
  }

  /**
   * Removes a field.
   * @param name field name
   */
  delete(name: string): void {
    const k = name.toLowerCase();
    if (k === "set-cookie") this.#cookies = [];
    this.#map.delete(k);
  }

  /**
   * The field's value.
   * @param name field name
   * @returns its value, or null when absent
   */
  get(name: string): string | null {
    const k = name.toLowerCase();
    if (k === "set-cookie") return this.#cookies.length > 0 ? this.#cookies.join(", ") : null;
    return this.#map.get(k) ?? null;
  }

  /** The `set-cookie` values, each apart. @returns the values */
  getSetCookie(): string[] {
    return [...this.#cookies];
  }

  /**
   * Tells whether a field is present.
   * @param name field name
   * @returns true when present
   */
  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /**
   * Replaces a field's value.
   * @param name field name
   * @param value field value
   */
  set(name: string, value: string): void {
    const [k, v] = checkHeaderField(name, value);
    if (k === "set-cookie") this.#cookies = [v];
    else this.#map.set(k, v);
  }

  /**
   * Calls `fn` for each field, sorted by name.
   * @param fn called with value, name and this list
   * @param thisArg `this` of `fn`
   */
  forEach(
    fn: (value: string, key: string, parent: this) => void,
    thisArg?: unknown,
  ): void {
    for (const [k, v] of this) fn.call(thisArg, v, k, this);
  }

  /** The fields as `[name, value]`, sorted by name. @returns an iterator */
  *entries(): IterableIterator<[string, string]> {
    const names = [...this.#map.keys()];
    if (this.#cookies.length > 0) names.push("set-cookie");
    names.sort();
    for (const k of names) {
      if (k === "set-cookie") { for (const c of this.#cookies) yield [k, c]; }
      else yield [k, this.#map.get(k)!];
    }
  }

  /** The names, sorted. @returns an iterator */
  *keys(): IterableIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  /** The values, in name order. @returns an iterator */
  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  /** Same as {@link entries}. @returns an iterator */
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

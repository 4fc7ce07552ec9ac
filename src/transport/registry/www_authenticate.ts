/**
 * Parser of the `WWW-Authenticate` header (RFC 9110 §11.6.1): several
 * challenges, quoted parameters with backslash escapes, token68 values.
 *
 * @module
 */
import { ErrorCode, OciError } from "../../errors.ts";

/** One authentication challenge. */
export interface Challenge {
  /** Scheme in lower case (`bearer`, `basic`). */
  scheme: string;
  /** Parameters with lower-case names (`realm`, `service`, `scope`, `error`). */
  params: Record<string, string>;
  /** A token68 value instead of parameters, when present. */
  token68?: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*/;

/**
 * Parses a `WWW-Authenticate` header value.
 *
 * @param header the header value
 * @returns the challenges in order
 * @throws {OciError} code `UNAUTHORIZED` when the header does not parse
 *
 * @example Parse a Bearer challenge
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWwwAuthenticate } from "./www_authenticate.ts";
 * const [c] = parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="reg"');
 * assert.equal(c?.scheme, "bearer");
 * assert.equal(c?.params.service, "reg");
 * ```
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const p: _Parser = new _Parser(header);
  const out: Challenge[] = [];
  p.skipSpaceAndCommas();
  while (!p.done()) {
    const scheme = p.token();
    if (scheme === undefined) p.fail("expected an auth scheme");
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    const hadSpace = p.skipSpace();
    if (p.done() || p.peek() === ",") {
      p.skipSpaceAndCommas();
      continue;
    }
    if (!hadSpace) p.fail(`expected a space after "${scheme}"`);
    // token68 or auth-params
    if (p.looksLikeToken68()) {
      challenge.token68 = p.match(TOKEN68) ?? "";
      p.skipSpace();
      if (!p.done() && p.peek() !== ",") p.fail("unexpected text after token68");
      p.skipSpaceAndCommas();
      continue;
    }
    for (;;) {
      const save = p.pos;
      const name = p.token();
      if (name === undefined) p.fail("expected a parameter name");
      p.skipSpace();
      if (p.peek() !== "=") {
        // start of the next challenge
        p.pos = save;
        break;
      }
      p.pos++;
      p.skipSpace();
      const value = p.peek() === '"' ? p.quoted() : p.token();
      if (value === undefined) p.fail(`expected a value for "${name}"`);
      challenge.params[name.toLowerCase()] = value;
      p.skipSpace();
      if (p.done()) break;
      if (p.peek() !== ",") p.fail("expected a comma between parameters");
      p.skipSpaceAndCommas();
      if (p.done()) break;
      // Is the next item a parameter (name=) or a new challenge (scheme SP)?
      const look = p.pos;
      const next = p.token();
      p.skipSpace();
      const isParam = next !== undefined && p.peek() === "=";
      p.pos = look;
      if (!isParam) break;
    }
  }
  if (out.length === 0) p.fail("no challenge");
  return out;
}

class _Parser {
  pos = 0;
  readonly #s: string;
  constructor(s: string) {
    this.#s = s;
  }
  done(): boolean {
    return this.pos >= this.#s.length;
  }
  peek(): string {
    return this.#s[this.pos] ?? "";
  }
  skipSpace(): boolean {
    const start = this.pos;
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
    return this.pos > start;
  }
  skipSpaceAndCommas(): void {
    while (this.peek() === " " || this.peek() === "\t" || this.peek() === ",") this.pos++;
  }
  match(re: RegExp): string | undefined {
    const m = re.exec(this.#s.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  token(): string | undefined {
    return this.match(TOKEN);
  }
  looksLikeToken68(): boolean {
    const rest = this.#s.slice(this.pos);
    const m = TOKEN68.exec(rest);
    if (!m) return false;
    const after = rest.slice(m[0].length).trimStart();
    // "name=value" is a parameter; a token68 ends the challenge.
    if (m[0].includes("=") && !/^=*$/.test(m[0].slice(m[0].indexOf("=")))) return false;
    const tokenOnly = TOKEN.exec(rest)?.[0] ?? "";
    const afterToken = rest.slice(tokenOnly.length).trimStart();
    if (afterToken.startsWith("=") && !/^=+\s*(,|$)/.test(afterToken)) return false;
    return after === "" || after.startsWith(",");
  }
  quoted(): string {
    this.pos++; // opening quote
    let out = "";
    for (;;) {
      if (this.done()) this.fail("unterminated quoted string");
      const c = this.#s[this.pos++] ?? "";
      if (c === '"') return out;
      if (c === "\\") {
        if (this.done()) this.fail("unterminated escape");
        out += this.#s[this.pos++] ?? "";
        continue;
      }
      out += c;
    }
  }
  fail(detail: string): never {
    throw new OciError(
      ErrorCode.UNAUTHORIZED,
      `Cannot parse WWW-Authenticate header "${this.#s}": ${detail} at offset ${this.pos}`,
    );
  }
}

/**
 * Lexer for Go's text/template syntax: splits a template into text runs and
 * action tokens, applying `{{-` / `-}}` trim markers and dropping comments.
 *
 * @module
 */

import { TemplateError } from "./template_error.ts";

/** Kinds of token produced by {@link lex}. */
export type TokenType =
  | "text"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | "declare"
  | "assign"
  | "comma"
  | "string"
  | "charConst"
  | "number"
  | "bool"
  | "nil"
  | "dot"
  | "field"
  | "variable"
  | "identifier"
  | "keyword"
  | "eof";

/** One token with its offset into the template text. */
export interface Token {
  /** Token kind. */
  type: TokenType;
  /** Raw text of the token (decoded text for `text`, source form otherwise). */
  val: string;
  /** Offset of the token in the template text. */
  pos: number;
}

const KEYWORDS = new Set([
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
]);

/**
 * Converts an offset into a 1-based line and column.
 *
 * @param text the template text
 * @param pos offset into `text`
 * @returns `{ line, col }`, both 1-based
 */
export function positionOf(text: string, pos: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(pos, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

/**
 * Builds a parse-phase {@link TemplateError} at an offset.
 *
 * @param text the template text
 * @param pos offset of the problem
 * @param detail what went wrong
 * @returns the error (to be thrown by the caller)
 */
export function parseError(text: string, pos: number, detail: string): TemplateError {
  const { line, col } = positionOf(text, pos);
  return new TemplateError(text, line, col, detail, "parse");
}

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isAlnum(c: string | undefined): boolean {
  return c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Characters that may follow an operand inside an action. */
function isTerminator(c: string | undefined): boolean {
  return c === undefined || isSpace(c) || c === "." || c === "," || c === "|" || c === ":" ||
    c === ")" || c === "(" || c === "}" || c === "=";
}

/** Length of a right delimiter at `p` (`}}` or ` -}}`), and whether it trims. */
function rightDelimAt(text: string, p: number): { len: number; trim: boolean } | undefined {
  if (isSpace(text[p]) && text[p + 1] === "-" && text.startsWith("}}", p + 2)) {
    return { len: 4, trim: true };
  }
  if (text.startsWith("}}", p)) return { len: 2, trim: false };
  return undefined;
}

function skipSpaces(text: string, p: number): number {
  while (p < text.length && isSpace(text[p])) p++;
  return p;
}

/**
 * Tokenizes a template.
 *
 * @param text the template text
 * @returns the tokens, ending with an `eof` token
 * @throws {TemplateError} unclosed action or comment, bad character, bad number or string
 */
export function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const open = text.indexOf("{{", pos);
    if (open < 0) {
      tokens.push({ type: "text", val: text.slice(pos), pos });
      break;
    }
    const trimLeft = text[open + 2] === "-" && isSpace(text[open + 3]);
    let textEnd = open;
    if (trimLeft) {
      while (textEnd > pos && isSpace(text[textEnd - 1])) textEnd--;
    }
    if (textEnd > pos) tokens.push({ type: "text", val: text.slice(pos, textEnd), pos });
    const p = open + 2 + (trimLeft ? 2 : 0);
    if (text.startsWith("/*", p)) {
      const close = text.indexOf("*/", p + 2);
      if (close < 0) throw parseError(text, open, "unclosed comment");
      const rd = rightDelimAt(text, close + 2);
      if (rd === undefined) throw parseError(text, close, "comment ends before closing delimiter");
      pos = close + 2 + rd.len;
      if (rd.trim) pos = skipSpaces(text, pos);
      continue;
    }
    tokens.push({ type: "leftDelim", val: "{{", pos: open });
    pos = lexAction(text, p, open, tokens);
  }
  tokens.push({ type: "eof", val: "", pos: text.length });
  return tokens;
}

/** Lexes one action starting at `p`; returns the offset after its right delimiter. */
function lexAction(text: string, p: number, open: number, tokens: Token[]): number {
  let parenDepth = 0;
  for (;;) {
    const rd = rightDelimAt(text, p);
    if (rd !== undefined) {
      if (parenDepth > 0) throw parseError(text, p, "unclosed left paren");
      tokens.push({ type: "rightDelim", val: "}}", pos: p });
      p += rd.len;
      return rd.trim ? skipSpaces(text, p) : p;
    }
    const c = text[p];
    if (c === undefined) throw parseError(text, open, "unclosed action");
    const start = p;
    if (isSpace(c)) {
      while (isSpace(text[p]) && rightDelimAt(text, p)?.trim !== true) p++;
      tokens.push({ type: "space", val: text.slice(start, p), pos: start });
      continue;
    }
    if (c === "|") {
      tokens.push({ type: "pipe", val: c, pos: p++ });
    } else if (c === "(") {
      parenDepth++;
      tokens.push({ type: "leftParen", val: c, pos: p++ });
    } else if (c === ")") {
      if (parenDepth === 0) throw parseError(text, p, "unexpected right paren");
      parenDepth--;
      tokens.push({ type: "rightParen", val: c, pos: p++ });
    } else if (c === "=") {
      tokens.push({ type: "assign", val: c, pos: p++ });
    } else if (c === ":") {
      if (text[p + 1] !== "=") throw parseError(text, p, "expected :=");
      tokens.push({ type: "declare", val: ":=", pos: p });
      p += 2;
    } else if (c === ",") {
      tokens.push({ type: "comma", val: c, pos: p++ });
    } else if (c === '"') {
      p = lexQuote(text, p, '"', "unterminated quoted string");
      tokens.push({ type: "string", val: text.slice(start, p), pos: start });
    } else if (c === "'") {
      p = lexQuote(text, p, "'", "unterminated character constant");
      tokens.push({ type: "charConst", val: text.slice(start, p), pos: start });
    } else if (c === "`") {
      const close = text.indexOf("`", p + 1);
      if (close < 0) throw parseError(text, p, "unterminated raw quoted string");
      p = close + 1;
      tokens.push({ type: "string", val: text.slice(start, p), pos: start });
    } else if (c === "$") {
      p++;
      while (isAlnum(text[p])) p++;
      tokens.push({ type: "variable", val: text.slice(start, p), pos: start });
    } else if (c === "." && isDigit(text[p + 1])) {
      p = lexNumber(text, p);
      tokens.push({ type: "number", val: text.slice(start, p), pos: start });
    } else if (c === ".") {
      p++;
      if (isAlnum(text[p])) {
        while (isAlnum(text[p])) p++;
        tokens.push({ type: "field", val: text.slice(start, p), pos: start });
      } else {
        tokens.push({ type: "dot", val: ".", pos: start });
      }
    } else if (isDigit(c) || ((c === "-" || c === "+") && /[0-9.]/.test(text[p + 1] ?? ""))) {
      p = lexNumber(text, p);
      tokens.push({ type: "number", val: text.slice(start, p), pos: start });
    } else if (isAlnum(c)) {
      while (isAlnum(text[p])) p++;
      const word = text.slice(start, p);
      if (!isTerminator(text[p])) {
        throw parseError(text, p, `bad character ${JSON.stringify(text[p])}`);
      }
      const type: TokenType = KEYWORDS.has(word)
        ? "keyword"
        : word === "true" || word === "false"
        ? "bool"
        : word === "nil"
        ? "nil"
        : "identifier";
      tokens.push({ type, val: word, pos: start });
    } else {
      throw parseError(text, p, `unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
}

function lexQuote(text: string, p: number, quote: string, unterminated: string): number {
  const start = p;
  p++;
  for (;;) {
    const c = text[p];
    if (c === undefined || c === "\n") throw parseError(text, start, unterminated);
    if (c === "\\") {
      p += 2;
      continue;
    }
    p++;
    if (c === quote) return p;
  }
}

function lexNumber(text: string, p: number): number {
  const start = p;
  if (text[p] === "+" || text[p] === "-") p++;
  let digits = /[0-9_]/;
  let exp = /[eE]/;
  if (text[p] === "0" && /[xXoObB]/.test(text[p + 1] ?? "")) {
    const k = text[p + 1]?.toLowerCase();
    digits = k === "x" ? /[0-9a-fA-F_]/ : k === "o" ? /[0-7_]/ : /[01_]/;
    exp = k === "x" ? /[pP]/ : /$^/;
    p += 2;
  }
  while (digits.test(text[p] ?? "")) p++;
  if (text[p] === ".") {
    p++;
    while (digits.test(text[p] ?? "")) p++;
  }
  if (exp.test(text[p] ?? "")) {
    p++;
    if (text[p] === "+" || text[p] === "-") p++;
    while (/[0-9_]/.test(text[p] ?? "")) p++;
  }
  if (!isTerminator(text[p]) || p === start) {
    throw parseError(text, start, `bad number syntax: ${JSON.stringify(text.slice(start, p + 1))}`);
  }
  return p;
}

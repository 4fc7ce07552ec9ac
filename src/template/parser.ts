/**
 * Parser for Go's text/template syntax. Like Go, it rejects unknown
 * functions and undefined variables at parse time.
 *
 * @module
 */

import { lex, parseError, type Token, type TokenType } from "./lexer.ts";
import type { ArgNode, BranchNode, CommandNode, Node, PipeNode } from "./parse_tree.ts";

/** The result of parsing: the main body and every `define`d or `block` template. */
export interface ParsedTemplate {
  /** Body of the main template (text outside `define`). */
  root: Node[];
  /** Named templates from `define` and `block`. */
  defines: Map<string, Node[]>;
}

/**
 * Parses a template.
 *
 * @param text the template text
 * @param hasFunc tells whether a function name is defined
 * @returns the parse tree
 * @throws {TemplateError} on any syntax error, unknown function or undefined variable
 */
export function parse(text: string, hasFunc: (name: string) => boolean): ParsedTemplate {
  return new Parser(text, hasFunc).parseAll();
}

type ListEnd = { type: "end"; pos: number } | { type: "else"; pos: number };

class Parser {
  #text: string;
  #tokens: Token[];
  #i = 0;
  #hasFunc: (name: string) => boolean;
  #vars: string[] = ["$"];
  #rangeDepth = 0;
  #defines = new Map<string, Node[]>();

  constructor(text: string, hasFunc: (name: string) => boolean) {
    this.#text = text;
    this.#tokens = lex(text);
    this.#hasFunc = hasFunc;
  }

  parseAll(): ParsedTemplate {
    const root: Node[] = [];
    for (;;) {
      const tok = this.#peek();
      if (tok.type === "eof") break;
      if (tok.type === "leftDelim") {
        const save = this.#i;
        this.#next();
        const kw = this.#nextNonSpace();
        if (kw.type === "keyword" && kw.val === "define") {
          this.#parseDefinition();
          continue;
        }
        this.#i = save;
      }
      const node = this.#textOrAction();
      if (!("kind" in node)) {
        throw this.#error(node.pos, `unexpected {{${node.type}}}`);
      }
      root.push(node);
    }
    return { root, defines: this.#defines };
  }

  // ---- token helpers ----

  #error(pos: number, detail: string) {
    return parseError(this.#text, pos, detail);
  }

  #peek(): Token {
    return this.#tokens[this.#i] ?? { type: "eof", val: "", pos: this.#text.length };
  }

  #next(): Token {
    const t = this.#peek();
    if (this.#i < this.#tokens.length) this.#i++;
    return t;
  }

  #nextNonSpace(): Token {
    let t = this.#next();
    while (t.type === "space") t = this.#next();
    return t;
  }

  #peekNonSpace(): Token {
    const save = this.#i;
    const t = this.#nextNonSpace();
    this.#i = save;
    return t;
  }

  #expect(type: TokenType, context: string): Token {
    const t = this.#nextNonSpace();
    if (t.type !== type) throw this.#unexpected(t, context);
    return t;
  }

  #unexpected(t: Token, context: string) {
    if (t.type === "eof") return this.#error(t.pos, `unexpected EOF in ${context}`);
    const shown = t.type === "rightDelim" ? "}}" : t.val;
    return this.#error(t.pos, `unexpected ${JSON.stringify(shown)} in ${context}`);
  }

  // ---- lists and actions ----

  /** Parses nodes until `{{end}}` or `{{else}}`. */
  #itemList(context: string): { list: Node[]; end: ListEnd } {
    const list: Node[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.type === "eof") {
        throw this.#error(t.pos, `unexpected EOF: missing {{end}} for ${context}`);
      }
      const node = this.#textOrAction();
      if (!("kind" in node)) return { list, end: node };
      list.push(node);
    }
  }

  #textOrAction(): Node | ListEnd {
    const t = this.#next();
    if (t.type === "text") return { kind: "text", pos: t.pos, text: t.val };
    if (t.type === "leftDelim") return this.#action(t);
    throw this.#unexpected(t, "input");
  }

  #action(open: Token): Node | ListEnd {
    const t = this.#nextNonSpace();
    if (t.type === "keyword") {
      switch (t.val) {
        case "block":
          return this.#blockControl(t);
        case "break":
        case "continue":
          if (this.#rangeDepth === 0) {
            throw this.#error(t.pos, `{{${t.val}}} outside {{range}}`);
          }
          this.#expect("rightDelim", t.val);
          return { kind: t.val, pos: t.pos };
        case "else": {
          const p = this.#peekNonSpace();
          if (!(p.type === "keyword" && (p.val === "if" || p.val === "with"))) {
            this.#expect("rightDelim", "else");
          }
          return { type: "else", pos: t.pos };
        }
        case "end":
          this.#expect("rightDelim", "end");
          return { type: "end", pos: t.pos };
        case "if":
        case "range":
        case "with":
          return this.#control(t.val, t.pos);
        case "template":
          return this.#templateControl(t);
        case "define":
          throw this.#error(t.pos, "unexpected {{define}}: define is only allowed at top level");
      }
    }
    this.#i--;
    const pipe = this.#pipeline("command", "rightDelim");
    return { kind: "action", pos: open.pos, pipe };
  }

  #control(kind: "if" | "range" | "with", pos: number): BranchNode {
    const savedVars = this.#vars.length;
    try {
      const pipe = this.#pipeline(kind, "rightDelim");
      if (kind === "range") this.#rangeDepth++;
      let parsed;
      try {
        parsed = this.#itemList(kind);
      } finally {
        if (kind === "range") this.#rangeDepth--;
      }
      let elseList: Node[] | undefined;
      if (parsed.end.type === "else") {
        const p = this.#peekNonSpace();
        if (
          (kind === "if" && p.type === "keyword" && p.val === "if") ||
          (kind === "with" && p.type === "keyword" && p.val === "with")
        ) {
          this.#nextNonSpace();
          elseList = [this.#control(kind, p.pos)];
        } else {
          const rest = this.#itemList(kind);
          if (rest.end.type !== "end") throw this.#error(rest.end.pos, "expected end; found else");
          elseList = rest.list;
        }
      }
      return { kind, pos, pipe, list: parsed.list, elseList };
    } finally {
      this.#vars.length = savedVars;
    }
  }

  #templateName(context: string): string {
    const t = this.#nextNonSpace();
    if (t.type !== "string") throw this.#unexpected(t, `${context} clause`);
    return unquote(t.val, (d) => this.#error(t.pos, d));
  }

  #templateControl(kw: Token): Node {
    const name = this.#templateName("template");
    let pipe: PipeNode | undefined;
    if (this.#peekNonSpace().type !== "rightDelim") {
      pipe = this.#pipeline("template", "rightDelim");
    } else {
      this.#nextNonSpace();
    }
    return { kind: "template", pos: kw.pos, name, pipe };
  }

  #blockControl(kw: Token): Node {
    const name = this.#templateName("block");
    const pipe = this.#pipeline("block", "rightDelim");
    this.#defines.set(name, this.#definitionBody("block"));
    return { kind: "template", pos: kw.pos, name, pipe };
  }

  #parseDefinition(): void {
    const name = this.#templateName("define");
    this.#expect("rightDelim", "define clause");
    this.#defines.set(name, this.#definitionBody("define"));
  }

  #definitionBody(context: string): Node[] {
    const savedVars = this.#vars;
    const savedDepth = this.#rangeDepth;
    this.#vars = ["$"];
    this.#rangeDepth = 0;
    try {
      const { list, end } = this.#itemList(context);
      if (end.type !== "end") throw this.#error(end.pos, `unexpected {{else}} in ${context}`);
      return list;
    } finally {
      this.#vars = savedVars;
      this.#rangeDepth = savedDepth;
    }
  }

  // ---- pipelines ----

  #pipeline(context: string, end: "rightDelim" | "rightParen"): PipeNode {
    const start = this.#peekNonSpace();
    const pipe: PipeNode = { pos: start.pos, isAssign: false, decl: [], cmds: [] };
    this.#declarations(pipe, context);
    let afterPipe = false;
    for (;;) {
      const t = this.#nextNonSpace();
      if (t.type === end) {
        if (afterPipe) throw this.#error(t.pos, "missing command after |");
        this.#checkPipeline(pipe, context, t.pos);
        return pipe;
      }
      switch (t.type) {
        case "bool":
        case "charConst":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "string":
        case "variable":
        case "leftParen": {
          this.#i--;
          const { cmd, sawPipe } = this.#command();
          pipe.cmds.push(cmd);
          afterPipe = sawPipe;
          break;
        }
        default:
          throw this.#unexpected(t, context);
      }
    }
  }

  #declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.#peekNonSpace();
      if (v.type !== "variable") return;
      const save = this.#i;
      this.#nextNonSpace();
      const next = this.#peekNonSpace();
      if (next.type === "declare" || next.type === "assign") {
        this.#nextNonSpace();
        pipe.isAssign = next.type === "assign";
        if (pipe.isAssign && !this.#vars.includes(v.val)) {
          throw this.#error(v.pos, `undefined variable ${JSON.stringify(v.val)}`);
        }
        pipe.decl.push(v.val);
        if (!pipe.isAssign) this.#vars.push(v.val);
        return;
      }
      if (next.type === "comma") {
        this.#nextNonSpace();
        pipe.decl.push(v.val);
        this.#vars.push(v.val);
        if (context !== "range" || pipe.decl.length >= 2) {
          throw this.#error(next.pos, `too many declarations in ${context}`);
        }
        if (this.#peekNonSpace().type !== "variable") {
          throw this.#error(next.pos, "range can only initialize variables");
        }
        continue;
      }
      this.#i = save;
      if (pipe.decl.length > 0) {
        throw this.#error(v.pos, `missing := after ${pipe.decl.join(", ")}`);
      }
      return;
    }
  }

  #checkPipeline(pipe: PipeNode, context: string, pos: number): void {
    if (pipe.cmds.length === 0) throw this.#error(pos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0];
      if (
        first !== undefined &&
        ["bool", "dot", "nil", "number", "string"].includes(first.kind)
      ) {
        throw this.#error(cmd.pos, `non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  #command(): { cmd: CommandNode; sawPipe: boolean } {
    const cmd: CommandNode = { pos: this.#peekNonSpace().pos, args: [] };
    for (;;) {
      while (this.#peek().type === "space") this.#next();
      const operand = this.#operand();
      if (operand !== undefined) cmd.args.push(operand);
      const t = this.#next();
      if (t.type === "space") continue;
      if (t.type === "rightDelim" || t.type === "rightParen") {
        this.#i--;
      } else if (t.type !== "pipe") {
        throw this.#unexpected(t, "operand");
      }
      if (cmd.args.length === 0) throw this.#error(t.pos, "empty command");
      return { cmd, sawPipe: t.type === "pipe" };
    }
  }

  #operand(): ArgNode | undefined {
    const node = this.#term();
    if (node === undefined) return undefined;
    if (this.#peek().type !== "field") return node;
    const fields: string[] = [];
    while (this.#peek().type === "field") fields.push(this.#next().val.slice(1));
    switch (node.kind) {
      case "field":
        return { kind: "field", pos: node.pos, ident: [...node.ident, ...fields] };
      case "variable":
        return { kind: "variable", pos: node.pos, ident: [...node.ident, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        throw this.#error(node.pos, `unexpected . after term ${JSON.stringify(termText(node))}`);
      default:
        return { kind: "chain", pos: node.pos, node, field: fields };
    }
  }

  #term(): ArgNode | undefined {
    const t = this.#nextNonSpace();
    const err = (d: string) => this.#error(t.pos, d);
    switch (t.type) {
      case "identifier":
        if (!this.#hasFunc(t.val)) throw err(`function ${JSON.stringify(t.val)} not defined`);
        return { kind: "identifier", pos: t.pos, name: t.val };
      case "dot":
        return { kind: "dot", pos: t.pos };
      case "nil":
        return { kind: "nil", pos: t.pos };
      case "variable":
        if (!this.#vars.includes(t.val)) throw err(`undefined variable ${JSON.stringify(t.val)}`);
        return { kind: "variable", pos: t.pos, ident: [t.val] };
      case "field":
        return { kind: "field", pos: t.pos, ident: [t.val.slice(1)] };
      case "bool":
        return { kind: "bool", pos: t.pos, value: t.val === "true" };
      case "number":
        return { kind: "number", pos: t.pos, value: parseNumber(t.val, err), text: t.val };
      case "charConst": {
        const s = unquote(t.val, err);
        const cp = s.codePointAt(0);
        if (cp === undefined || [...s].length !== 1) {
          throw err(`malformed character constant: ${t.val}`);
        }
        return { kind: "number", pos: t.pos, value: cp, text: t.val };
      }
      case "leftParen": {
        const pipe = this.#pipeline("parenthesized pipeline", "rightParen");
        return { kind: "pipe", pos: t.pos, pipe };
      }
      case "string":
        return { kind: "string", pos: t.pos, value: unquote(t.val, err) };
    }
    this.#i--;
    return undefined;
  }
}

function termText(node: ArgNode): string {
  switch (node.kind) {
    case "bool":
      return String(node.value);
    case "string":
      return JSON.stringify(node.value);
    case "number":
      return node.text;
    case "nil":
      return "nil";
    default:
      return ".";
  }
}

/**
 * Parses a Go number literal (decimal, hex, octal, binary, with `_`).
 *
 * @param text the literal
 * @param err builds the error to throw
 * @returns the value
 * @throws {TemplateError} when the literal is not a finite number
 */
function parseNumber(text: string, err: (d: string) => Error): number {
  const clean = text.replaceAll("_", "");
  let sign = 1;
  let body = clean;
  if (body.startsWith("-") || body.startsWith("+")) {
    sign = body.startsWith("-") ? -1 : 1;
    body = body.slice(1);
  }
  let value: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[oO][0-7]+$/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0[bB][01]+$/.test(body)) value = parseInt(body.slice(2), 2);
  else if (/^0[0-7]+$/.test(body)) value = parseInt(body.slice(1), 8);
  else if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) value = Number(body);
  else throw err(`bad number syntax: ${JSON.stringify(text)}`);
  if (!Number.isFinite(value)) throw err(`bad number syntax: ${JSON.stringify(text)}`);
  return sign * value;
}

/**
 * Decodes a Go string, raw string or character literal.
 *
 * @param lit the literal including its quotes
 * @param err builds the error to throw
 * @returns the decoded text
 * @throws {TemplateError} on a bad escape
 */
function unquote(lit: string, err: (d: string) => Error): string {
  if (lit.startsWith("`")) return lit.slice(1, -1).replaceAll("\r", "");
  const body = lit.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    const simple: Record<string, string> = {
      a: "\x07",
      b: "\b",
      f: "\f",
      n: "\n",
      r: "\r",
      t: "\t",
      v: "\v",
      "\\": "\\",
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && e in simple) {
      out += simple[e];
      continue;
    }
    const hexLen = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) throw err(`invalid escape in ${lit}`);
      out += String.fromCodePoint(parseInt(hex, 16));
      i += hexLen;
      continue;
    }
    const oct = body.slice(i, i + 3);
    if (/^[0-7]{3}$/.test(oct)) {
      out += String.fromCodePoint(parseInt(oct, 8));
      i += 2;
      continue;
    }
    throw err(`invalid escape in ${lit}`);
  }
  return out;
}
